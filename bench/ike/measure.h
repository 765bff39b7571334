// The load generators' measurement (loadgen.cpp, floor_initiator.cpp): a window after the warm-up, the
// responder's CPU seconds in it (utime + stime of every --pid, /proc/PID/stat, all threads),
// ours (getrusage), and the shared key=value fields of the result line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ipseckit::bench {

double mono();                               // monotonic seconds
double self_cpu();                           // this process's utime + stime, seconds
double cpu_of(const std::vector<int>& pids);  // utime + stime of pids (all threads); exits 1 if unreadable

class Meter {
 public:
  Meter(std::vector<int> pids, double warmup, double seconds);
  // Once per loop turn with the running totals: opens the window once the warm-up is over;
  // false once the window has lasted `seconds` (the figures are then frozen).
  bool running(std::uint64_t completed, std::uint64_t failed);
  // "negotiations=N failed=N wall_s=S per_wall_s=R responder_cpu_s=S per_responder_cpu_s=R loadgen_cpu_s=S"
  std::string fields() const;
  // "PID:CPU_S,..." (each --pid's share of responder_cpu_s), or "-" without --pid
  std::string cpu_by_pid() const { return m_by_pid; }
  std::uint64_t completed() const { return m_done; }

 private:
  std::vector<int> m_pids;
  double m_warmup, m_seconds, m_start;
  double m_t0 = 0, m_self0 = 0;
  std::vector<double> m_pid0;
  std::uint64_t m_done0 = 0, m_failed0 = 0;
  bool m_over = false;
  double m_wall = 0, m_rcpu = 0, m_scpu = 0;
  std::uint64_t m_done = 0, m_failed = 0;
  std::string m_by_pid = "-";
};

}  // namespace ipseckit::bench
