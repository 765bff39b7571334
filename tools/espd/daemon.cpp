// The espd daemon loop (daemon.h): store watches on esp/sa/ and spd/, the packet sources,
// lifetime events, acquires and statistics.
#include "daemon.h"

#include <errno.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
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
  log::msg(Subsys::app, Level::control, "running: TUN {}, mark {:#x}, table {}, NAT-T port {}", m_net.tun_name(),
           m_opt.net.mark, m_opt.net.table, m_opt.natt_port);
  std::uint64_t last_tick = mono_ms(), last_stats = 0;
  bool first = true;
  for (;;) {
    std::vector<pollfd> fds = {{sigfd, POLLIN, 0},
                               {m_net.tun_fd(), POLLIN, 0},
                               {m_udp ? m_udp->fd() : -1, POLLIN, 0},
                               {wsa->fd(), POLLIN, 0},
                               {wspd->fd(), POLLIN, 0}};
    for (const auto& r : m_raw_in) fds.push_back({r.fd(), POLLIN, 0});
    fds.push_back({m_udp6 ? m_udp6->fd() : -1, POLLIN, 0});  // last: ESP-in-UDP over IPv6
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
    if (first || (fds[3].revents & (POLLIN | POLLHUP | POLLERR))) {
      auto r = drain(*wsa, true);
      if (!r) {
        log::msg(Subsys::store, Level::audit, "watch on esp/sa/: {}", r.error().message);
        return tool::kExitFailed;
      }
      sa_changed = *r;
    }
    if (first || (fds[4].revents & (POLLIN | POLLHUP | POLLERR))) {
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
    if (fds[1].revents & POLLIN) m_dp.from_tun();
    if (fds[2].revents & POLLIN) m_dp.from_udp();
    for (std::size_t i = 0; i < m_raw_in.size(); ++i)
      if (fds[5 + i].revents & POLLIN) m_raw_in[i].v6() ? m_dp.from_raw_v6(m_raw_in[i]) : m_dp.from_raw(m_raw_in[i]);
    if (fds.back().revents & POLLIN) m_dp.from_udp6();
    publish_acquires();
    const auto now = mono_ms();
    if (now - last_tick >= 1000) {
      last_tick = now;
      m_table.poll();
    }
    if (!m_events.empty()) handle_lifetime_events();
    if (now - last_stats >= m_opt.stats_interval * 1000ULL) {
      last_stats = now;
      publish_stats(false);
    }
  }
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
  if (opt.natt == "bind") {
    sys::UdpOptions uo;
    uo.bind = sys::Endpoint{wire::IpAddr::v6({}), opt.natt_port};
    uo.mark = opt.net.mark;
    uo.pktinfo = true;
    uo.gro = opt.net.offload;
    auto u = sys::UdpSocket::open(uo);
    if (!u) return u.error();
    udp6 = std::move(*u);
  } else {  // RFC 3948 §2.2: the IKE daemon owns the port (see the IPv4 twin below)
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
  auto net = NetSetup::create(opt.net);
  if (!net) return tool::fail(kDaemonTool, net.error());
  sys::UdpOptions uo;
  uo.bind = sys::Endpoint{wire::IpAddr::v4(0), opt.natt_port};
  uo.mark = opt.net.mark;
  uo.pktinfo = true;
  uo.gro = opt.net.offload;  // UDP_GRO: trains of ESP-in-UDP datagrams in one receive
  std::optional<sys::UdpSocket> udp;
  if (opt.natt == "bind") {
    auto u = sys::UdpSocket::open(uo);
    if (!u) return tool::fail(kDaemonTool, u.error());
    udp = std::move(*u);
  } else {
    // RFC 3948 §2.2: IKE and ESP share the port; the IKE daemon owns it, whichever of the two
    // starts first, and espd reads the ESP datagrams through a filtered raw socket.
    log::msg(log::Subsys::net, log::Level::control,
             "UDP port {} is left to the IKE daemon: ESP-in-UDP arrives through a raw socket", opt.natt_port);
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
  if (auto s = open_v6(opt, d); !s) return tool::fail(kDaemonTool, s.error());
  const int rc = d.run(sigfd);
  ::close(sigfd);
  return rc;
}

}  // namespace ipseckit::espd
