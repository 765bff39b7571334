// The espd daemon loop (daemon.h): store watches on esp/sa/ and spd/, the packet sources,
// lifetime events, acquires and statistics.
#include "daemon.h"

#include <errno.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <utility>
#include <vector>

#include "base/log.h"
#include "daemon_impl.h"
#include "esp/sa_record.h"
#include "policydb/keys.h"

namespace ipseckit::espd {

namespace detail {

using log::Level;
using log::Subsys;
using store::Json;

std::uint64_t mono_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

int Daemon::run(int sigfd) {
  auto wsa = m_client.watch(esp::kSaPrefix, true);
  if (!wsa) return tool::fail(kDaemonTool, wsa.error());
  auto wspd = m_client.watch(policydb::kSpdPrefix, true);
  if (!wspd) return tool::fail(kDaemonTool, wspd.error());
  if (m_opt.nftables) {
    if (auto s = m_nft.start(); !s) return tool::fail(kDaemonTool, s.error());
  }
  (void)m_client.put(kDaemonKey, Json{{"pid", ::getpid()},
                                      {"tun", m_net.tun_name()},
                                      {"mark", m_opt.net.mark},
                                      {"table", m_opt.net.table},
                                      {"natt_port", m_opt.natt_port}});
  log::msg(Subsys::app, Level::control, "running: TUN {}, mark {:#x}, table {}, NAT-T port {}{}", m_net.tun_name(),
           m_opt.net.mark, m_opt.net.table, m_opt.natt_port,
           m_workers.size() > 1 ? fmt::format(", {} workers", m_workers.size()) : std::string());
  if (m_workers.size() > 1) {
    if (auto s = start_workers(); !s) {
      shutdown();
      return tool::fail(kDaemonTool, s.error());
    }
  }
  auto natt = resteer(std::nullopt);
  const bool inline_dp = m_workers.size() == 1;  // one worker: this loop moves the packets
  std::uint64_t last_tick = mono_ms(), last_stats = 0;
  bool first = true;
  for (;;) {
    std::vector<pollfd> fds = {{sigfd, POLLIN, 0}, {wsa->fd(), POLLIN, 0}, {wspd->fd(), POLLIN, 0}};
    if (inline_dp) {
      const auto d = data_fds(0);
      fds.insert(fds.end(), d.begin(), d.end());
    }
    const int n = ::poll(fds.data(), fds.size(), first ? 0 : 500);
    if (n < 0 && errno != EINTR) {
      log::msg(Subsys::app, Level::audit, "poll: {}", strerror(errno));
      shutdown();
      return tool::kExitFailed;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      (void)::read(sigfd, &si, sizeof si);
      log::msg(Subsys::app, Level::control, "signal {}: cleaning up and exiting", si.ssi_signo);
      shutdown();
      return tool::kExitOk;
    }
    bool sa_changed = false, spd_changed = false;
    if (first || (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      auto r = drain(*wsa, true);
      if (!r) {
        log::msg(Subsys::store, Level::audit, "watch on esp/sa/: {}", r.error().message);
        return tool::kExitFailed;
      }
      sa_changed = *r;
    }
    if (first || (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      auto r = drain(*wspd, false);
      if (!r) {
        log::msg(Subsys::store, Level::audit, "watch on spd/: {}", r.error().message);
        return tool::kExitFailed;
      }
      spd_changed = *r;
    }
    first = false;
    if (sa_changed || spd_changed) {
      update_routes();
      after_sa_change();
    }
    if (inline_dp) {
      std::lock_guard g(m_workers[0]->mu);
      serve(0, std::span(fds).subspan(3));
    }
    publish_acquires();
    const auto now = mono_ms();
    if (now - last_tick >= 1000) {
      last_tick = now;
      natt = resteer(natt);
      const auto paused = pause();
      m_table.poll();
    }
    handle_lifetime_events();
    if (now - last_stats >= m_opt.stats_interval * 1000ULL) {
      last_stats = now;
      publish_stats(false);
    }
  }
}

// The NAT-T port shared with the IKE daemon (sys/natt_share.h): the steering program attached
// again from the group as it is now, which changes nothing unless two starts raced; the
// layout is logged when it changes (the IKE daemon joined or left).
std::optional<sys::NattLayout> Daemon::resteer(const std::optional<sys::NattLayout>& last) {
  if (m_opt.natt != "auto" || !m_workers.back()->udp) return std::nullopt;
  auto l = sys::natt_steer(m_workers.back()->udp->fd(), sys::NattShare::esp);
  if (!l) {
    if (last) log::msg(Subsys::net, Level::audit, "NAT-T port steering: {}", l.error().message);
    return std::nullopt;
  }
  if (!last || !(*last == *l))
    log::msg(Subsys::net, Level::control,
             "UDP port {} shared with the IKE daemon{}: ESP-in-UDP to {} espd socket{} (recvmmsg{}), IKE to position {} of "
             "the SO_REUSEPORT group",
             m_opt.natt_port, l->ike_present ? "" : " (not running yet)", l->esp_sockets, l->esp_sockets == 1 ? "" : "s",
             m_opt.net.offload ? ", UDP GRO/GSO" : "", l->ike_index);
  return *l;
}

void Daemon::add_worker(std::optional<sys::UdpSocket> udp) {
  const std::size_t i = m_workers.size();
  auto w = std::make_unique<Worker>();
  w->udp = std::move(udp);
  w->tun = m_net.tun_fd(i);
  w->dp = std::make_unique<Datapath>(Sockets{w->udp ? &*w->udp : nullptr, &m_raw_out, w->tun, m_opt.natt_port,
                                             m_net.tun_vnet(), w->udp && m_opt.net.offload},
                                     m_table, m_ports);
  m_workers.push_back(std::move(w));
  for (std::size_t k = 0; k < m_workers.size(); ++k)
    m_workers[k]->dp->set_worker(static_cast<unsigned>(k), static_cast<unsigned>(m_workers.size()));
}

// Worker i's sources: its TUN queue and NAT-T socket; worker 0 also the raw sockets and, last,
// the IPv6 NAT-T socket (serve() relies on this order).
std::vector<pollfd> Daemon::data_fds(std::size_t i) const {
  const auto& w = *m_workers[i];
  std::vector<pollfd> fds = {{w.tun, POLLIN, 0}, {w.udp ? w.udp->fd() : -1, POLLIN, 0}};
  if (i == 0) {
    for (const auto& r : m_raw_in) fds.push_back({r.fd(), POLLIN, 0});
    fds.push_back({m_udp6 ? m_udp6->fd() : -1, POLLIN, 0});  // ESP-in-UDP over IPv6
  }
  return fds;
}

// One readiness of worker i's sources (data_fds order); the caller holds the worker's lock.
void Daemon::serve(std::size_t i, std::span<const pollfd> fds) {
  Datapath& dp = *m_workers[i]->dp;
  if (fds[0].revents & POLLIN) dp.from_tun();
  if (fds[1].revents & POLLIN) dp.from_udp();
  if (i != 0) return;
  for (std::size_t k = 0; k < m_raw_in.size(); ++k)
    if (fds[2 + k].revents & POLLIN) m_raw_in[k].v6() ? dp.from_raw_v6(m_raw_in[k]) : dp.from_raw(m_raw_in[k]);
  if (fds[2 + m_raw_in.size()].revents & POLLIN) dp.from_udp6();
}

void Daemon::worker_loop(std::size_t i) {
  auto fds = data_fds(i);
  fds.push_back({m_stop_fd, POLLIN, 0});
  for (;;) {
    const int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::msg(Subsys::app, Level::audit, "worker {}: poll: {}", i, strerror(errno));
      return;
    }
    if (fds.back().revents) return;
    std::lock_guard g(m_workers[i]->mu);
    serve(i, std::span(fds).first(fds.size() - 1));
  }
}

Status Daemon::start_workers() {
  m_stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m_stop_fd < 0) return Error::make("failed", fmt::format("eventfd: {}", strerror(errno)));
  for (std::size_t i = 0; i < m_workers.size(); ++i) m_workers[i]->thread = std::thread([this, i] { worker_loop(i); });
  return {};
}

// Joins the worker threads (idempotent); the per-worker packet counts go to the log.
void Daemon::stop_workers() {
  if (m_stop_fd < 0) return;
  const std::uint64_t one = 1;
  (void)!::write(m_stop_fd, &one, sizeof one);
  for (auto& w : m_workers)
    if (w->thread.joinable()) w->thread.join();
  ::close(m_stop_fd);
  m_stop_fd = -1;
  for (std::size_t i = 0; i < m_workers.size(); ++i) {
    const auto t = m_workers[i]->dp->tun_io().counters();
    log::msg(Subsys::app, Level::control, "worker {}: {} packets from the TUN, {} TUN frames written", i,
             m_net.tun_vnet() ? t.segments_in : t.frames_in, t.frames_out);
  }
}

std::vector<std::unique_lock<std::mutex>> Daemon::pause() {
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(m_workers.size());
  for (auto& w : m_workers) locks.emplace_back(w->mu);
  return locks;
}

std::vector<esp::SaEvent> Daemon::take_events() {
  std::lock_guard g(m_events_mu);
  return std::exchange(m_events, {});
}

}  // namespace detail

// The IPv6 sockets beside the IPv4 ones: a host without IPv6 keeps an IPv4 data plane.
static Status open_v6(const DaemonOptions& opt, detail::Daemon& d) {
  auto raw_out6 = sys::RawSocket::open({255, opt.net.mark, true, 0, true});
  if (!raw_out6) {
    log::msg(log::Subsys::net, log::Level::audit, "no IPv6 data plane: {}", raw_out6.error().message);
    return {};
  }
  std::optional<sys::UdpSocket> udp6;
  if (opt.natt != "raw") {  // "auto": shared with the IKE daemon (see the IPv4 twin below)
    sys::UdpOptions uo;
    uo.bind = sys::Endpoint{wire::IpAddr::v6({}), opt.natt_port};
    uo.mark = opt.net.mark;
    uo.pktinfo = true;
    uo.gro = opt.net.offload;
    if (opt.natt == "auto") uo.natt_share = sys::NattShare::esp;
    auto u = sys::UdpSocket::open(uo);
    if (!u && opt.natt == "bind") return u.error();
    if (u) udp6 = std::move(*u);
  }
  if (!udp6) {  // RFC 3948 §2.2: the IKE daemon owns the port
    auto r = sys::RawSocket::open({17, opt.net.mark, true, 1 << 20, true});
    if (!r) return r.error();
    IPSECKIT_TRY(r->filter_udp_port(opt.natt_port));
    d.add_raw(std::move(*r));
  }
  if (opt.raw) {
    for (int proto : {50, 51}) {
      auto r = sys::RawSocket::open({proto, opt.net.mark, true, 1 << 20, true});
      if (!r) return r.error();
      d.add_raw(std::move(*r));
    }
  }
  d.set_v6(std::move(udp6), std::move(*raw_out6));
  return {};
}

int run_daemon(const DaemonOptions& opt) {
  using detail::Daemon;
  using detail::kDaemonTool;
  log::set_ident(kDaemonTool);
  log::Level lvl{};
  if (!log::parse_level(opt.log_level, lvl))
    return tool::fail(kDaemonTool, Error::make("usage", fmt::format("--log-level: unknown level '{}'", opt.log_level)));
  log::set_level(lvl);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  const int sigfd = ::signalfd(-1, &set, SFD_CLOEXEC);
  if (sigfd < 0) return tool::fail(kDaemonTool, Error::make("failed", fmt::format("signalfd: {}", strerror(errno))));

  auto client = tool::connect(opt.store);
  if (!client) return tool::fail(kDaemonTool, client.error());
  NetOptions net_opt = opt.net;
  net_opt.queues = opt.workers;  // one TUN queue per worker
  auto net = NetSetup::create(net_opt);
  if (!net) return tool::fail(kDaemonTool, net.error());
  sys::UdpOptions uo;
  uo.bind = sys::Endpoint{wire::IpAddr::v4(0), opt.natt_port};
  uo.mark = opt.net.mark;
  uo.pktinfo = true;
  uo.gro = opt.net.offload;  // UDP_GRO: trains of ESP-in-UDP datagrams in one receive
  uo.reuse_port = opt.workers > 1;  // one socket per worker; the kernel spreads the flows
  std::optional<sys::UdpSocket> udp;
  if (opt.natt == "bind") {
    auto u = sys::UdpSocket::open(uo);
    if (!u) return tool::fail(kDaemonTool, u.error());
    udp = std::move(*u);
  } else {
    // RFC 3948 §2.2: IKE and ESP share the port. "auto": espd joins the IKE daemon on it, whichever
    // of the two starts first, and the kernel steers ESP to espd (sys/natt_share.h); where it
    // cannot (the port held without SO_REUSEPORT, another user), and with "raw", espd reads the
    // ESP datagrams through a filtered raw socket.
    std::string why = "--natt raw";
    if (opt.natt == "auto") {
      sys::UdpOptions so = uo;
      so.natt_share = sys::NattShare::esp;
      if (auto u = sys::UdpSocket::open(so)) {
        udp = std::move(*u);
        uo = so;
      } else {
        why = u.error().message;
      }
    }
    if (!udp)
      log::msg(log::Subsys::net, log::Level::control,
               "UDP port {} is left to the IKE daemon: ESP-in-UDP arrives through a raw socket ({})", opt.natt_port, why);
  }
  auto raw_out = sys::RawSocket::open({255, opt.net.mark, true, 0});
  if (!raw_out) return tool::fail(kDaemonTool, raw_out.error());
  const bool raw_natt = !udp;
  Daemon d(opt, std::move(*client), std::move(*net), std::move(udp), std::move(*raw_out));
  if (raw_natt) {
    auto r = sys::RawSocket::open({17, opt.net.mark, true, 1 << 20});
    if (!r) return tool::fail(kDaemonTool, r.error());
    if (auto f = r->filter_udp_port(opt.natt_port); !f) return tool::fail(kDaemonTool, f.error());
    d.add_raw(std::move(*r));
  }
  if (opt.raw) {
    for (int proto : {50, 51}) {
      auto r = sys::RawSocket::open({proto, opt.net.mark, true, 1 << 20});
      if (!r) return tool::fail(kDaemonTool, r.error());
      d.add_raw(std::move(*r));
    }
  }
  for (unsigned i = 1; i < opt.workers; ++i) {
    std::optional<sys::UdpSocket> wu;
    if (!raw_natt) {
      auto u = sys::UdpSocket::open(uo);
      if (!u) return tool::fail(kDaemonTool, u.error());
      wu = std::move(*u);
    }
    d.add_worker(std::move(wu));
  }
  if (auto s = open_v6(opt, d); !s) return tool::fail(kDaemonTool, s.error());
  const int rc = d.run(sigfd);
  ::close(sigfd);
  return rc;
}

}  // namespace ipseckit::espd
