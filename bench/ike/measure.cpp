// See measure.h.
#include "measure.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

namespace ipseckit::bench {

double cpu_of(const std::vector<int>& pids) {  // utime + stime in seconds, all threads
  static const double tck = static_cast<double>(sysconf(_SC_CLK_TCK));
  double s = 0;
  for (int pid : pids) {
    std::ifstream f(fmt::format("/proc/{}/stat", pid));
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto p = all.rfind(')');
    if (p == std::string::npos) {
      fmt::print(stderr, "bench_ike_loadgen: cannot read /proc/{}/stat\n", pid);
      std::exit(1);
    }
    std::istringstream in(all.substr(p + 2));
    std::vector<std::string> f3;  // fields from 3 (state) on
    for (std::string w; in >> w && f3.size() < 13;) f3.push_back(w);
    s += (std::stod(f3.at(11)) + std::stod(f3.at(12))) / tck;  // fields 14 utime, 15 stime
  }
  return s;
}

double self_cpu() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

double mono() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Meter::Meter(std::vector<int> pids, double warmup, double seconds)
    : m_pids(std::move(pids)), m_warmup(warmup), m_seconds(seconds), m_start(mono()), m_pid0(m_pids.size()) {}

bool Meter::running(std::uint64_t completed, std::uint64_t failed) {
  if (m_over) return false;
  const double now = mono();
  if (m_t0 == 0 && now - m_start >= m_warmup) {
    m_t0 = now;
    for (std::size_t k = 0; k < m_pids.size(); ++k) m_pid0[k] = cpu_of({m_pids[k]});
    m_self0 = self_cpu();
    m_done0 = completed;
    m_failed0 = failed;
  }
  if (m_t0 == 0 || now - m_t0 < m_seconds) return true;
  m_over = true;
  m_wall = mono() - m_t0;
  m_scpu = self_cpu() - m_self0;
  m_done = completed - m_done0;
  m_failed = failed - m_failed0;
  // Each process read once; responder_cpu_s is the sum of the shares printed in cpu_by_pid.
  std::string by_pid;  // each process's share (ikeview vs policyagent)
  m_rcpu = 0;
  for (std::size_t k = 0; k < m_pids.size(); ++k) {
    const double c = cpu_of({m_pids[k]}) - m_pid0[k];
    m_rcpu += c;
    by_pid += fmt::format("{}{}:{:.3f}", k ? "," : "", m_pids[k], c);
  }
  if (!by_pid.empty()) m_by_pid = by_pid;
  return false;
}

std::string Meter::fields() const {
  return fmt::format("negotiations={} failed={} wall_s={:.3f} per_wall_s={:.1f} responder_cpu_s={:.3f} "
                     "per_responder_cpu_s={:.1f} loadgen_cpu_s={:.3f}",
                     m_done, m_failed, m_wall, static_cast<double>(m_done) / m_wall, m_rcpu,
                     m_rcpu > 0 ? static_cast<double>(m_done) / m_rcpu : 0.0, m_scpu);
}

}  // namespace ipseckit::bench
