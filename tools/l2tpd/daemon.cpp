// The daemon's life: setup (store, stale records, IPsec policy, UDP, TUN, signals), the poll
// loop, and an orderly stop (CDN for each call, StopCCN for each tunnel, then undo).
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/log.h"
#include "crypto/random.h"
#include "l2tpd/daemon_impl.h"
#include "l2tpd/ipsec_wait.h"

namespace ipseckit::l2tpd {

using log::Level;
using log::Subsys;
using namespace std::chrono_literals;

namespace {

constexpr auto kFlushInterval = l2tp::Millis(1000);
constexpr auto kStopGrace = l2tp::Millis(3000);  // waiting for StopCCN acknowledgements

Result<sys::UniqueFd> signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return Error::make("failed", std::string("sigprocmask: ") + std::strerror(errno));
  sys::UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return Error::make("failed", std::string("signalfd: ") + std::strerror(errno));
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  return fd;
}

}  // namespace

int run_daemon(DaemonOptions opt) {
  Daemon d(std::move(opt));
  return d.run();
}

Daemon::Daemon(DaemonOptions opt) : m_opt(std::move(opt)), m_buf(65536) {}

l2tp::Millis Daemon::now() const {
  return std::chrono::duration_cast<l2tp::Millis>(std::chrono::steady_clock::now() - m_epoch);
}

int Daemon::run() {
  if (auto st = setup(); !st) {
    log::msg(Subsys::app, Level::audit, "{}", st.error().message);
    teardown();
    return tool::exit_code(st.error());
  }
  loop();
  teardown();
  if (m_failure) {
    log::msg(Subsys::app, Level::audit, "{}", *m_failure);
    return tool::kExitFailed;
  }
  return tool::kExitOk;
}

Status Daemon::setup() {
  if (m_opt.mtu == 0) m_opt.mtu = m_opt.ipsec ? 1360 : 1400;
  auto sig = signal_fd();
  if (!sig) return sig.error();
  m_sigfd = std::move(sig.value());

  auto c = tool::connect(m_opt.store);
  if (!c) return Error::make("failed", "state store: " + c.error().message);
  m_store.emplace(std::move(c.value()));
  if (!m_store->info().admin)
    return Error::make("failed", "state store: this process may not write to it (run as root or in the admin group)");
  m_records = std::make_unique<Records>(*m_store);
  m_records->remove_stale();
  auto w = m_store->watch(kDisconnectPrefix, true);
  if (!w)
    return Error::make("failed", "state store: watching " + std::string(kDisconnectPrefix) + ": " + w.error().message);
  m_watch.emplace(std::move(w.value()));

  if (m_opt.ipsec) {
    const auto po = l2tp_policy_options(m_opt.server, m_opt.peer.addr, m_opt.psk);
    if (auto st = m_records->plumb_ipsec(po); !st)
      return Error::make("failed", "plumbing the L2TP/IPsec policy: " + st.error().message);
    log::msg(Subsys::app, Level::control,
             "plumbed the automatic L2TP/IPsec policy (UDP 1701, transport mode, {}) as {}",
             m_opt.psk.empty() ? "certificate authentication" : "pre-shared key", m_records->ipsec_key());
  } else {
    log::msg(Subsys::app, Level::control, "--no-ipsec: L2TP runs without IPsec (in clear)");
  }

  sys::UdpOptions uo;
  uo.bind.addr = m_opt.listen.value_or(wire::IpAddr::v4(0));
  uo.bind.port = m_opt.port;
  auto s = sys::UdpSocket::open(uo);
  if (!s)
    return Error::make("failed", fmt::format("UDP {}:{}: {}", uo.bind.addr.str(), uo.bind.port, s.error().message));
  m_sock.emplace(std::move(s.value()));
  if (m_opt.ipsec) IPSECKIT_TRY(never_fragment(m_sock->fd()));

  if (m_opt.server) {
    auto pool = ppp::AddressPool::create(m_opt.pool_first, m_opt.pool_last);
    if (!pool) return Error::make("usage", "--pool: " + pool.error().message);
    m_pool.emplace(std::move(pool.value()));
    m_local = m_opt.local.value_or(m_opt.pool_first);
    if (m_pool->contains(m_local)) m_pool->reserve(m_local);
  }
  IPSECKIT_TRY(setup_tun());

  l2tp::NodeConfig nc;
  nc.host_name = m_opt.host_name;
  nc.secret = m_opt.tunnel_secret.clone();
  nc.hide_avps = !nc.secret.empty();
  nc.accept_tunnels = m_opt.server;
  nc.accept_incoming_calls = m_opt.server;
  nc.max_sessions = m_opt.max_sessions;
  if (m_opt.keepalive_s > 0) nc.hello_interval = std::chrono::seconds(m_opt.keepalive_s);
  if (m_opt.retransmits > 0) nc.channel.max_retransmits = m_opt.retransmits;
  // every client (as Windows) brings its own tunnel: --max-sessions clients need as many tunnels
  nc.max_tunnels = std::max(nc.max_tunnels, m_opt.max_sessions);
  l2tp::Env env{[this] { return now(); }, [](std::uint8_t* p, std::size_t n) { crypto::random_bytes(p, n); }};
  m_node = std::make_unique<l2tp::Node>(
      std::move(nc), env,
      [this](const l2tp::PeerAddr& to, ByteView d) {
        if (auto st = m_sock->send_to(d, sys::Endpoint{to.addr, to.port}); !st)
          log::msg(Subsys::net, Level::diag, "send to {}: {}", to.str(), st.error().message);
      },
      [this](const l2tp::Event& e) { on_event(e); });

  if (m_opt.server) {
    log::msg(Subsys::app, Level::control, "LNS listening on {}:{}, PPP address {}, pool {}-{} on {}{}",
             uo.bind.addr.str(), m_sock->local().port, m_local.str(), m_opt.pool_first.str(), m_opt.pool_last.str(),
             m_tun->name(), m_opt.tunnel_secret.empty() ? "" : ", tunnel authentication on");
  } else {
    log::msg(Subsys::app, Level::control, "LAC: calling {} as user \"{}\"{}", m_opt.peer.str(), m_opt.user,
             m_opt.tunnel_secret.empty() ? "" : ", tunnel authentication on");
    if (m_opt.ipsec) wait_for_ipsec_route(*m_store, m_opt.peer.addr, std::chrono::seconds(5));
    auto k = m_node->dial(m_opt.peer);
    if (!k) return Error::make("failed", "dialling " + m_opt.peer.str() + ": " + k.error().message);
  }
  return {};
}

Status Daemon::setup_tun() {
  sys::TunOptions to;
  to.name = m_opt.tun_name;
  auto t = sys::TunDevice::open(to);
  if (!t) return Error::make("failed", "TUN " + to.name + ": " + t.error().message);
  m_tun.emplace(std::move(t.value()));
  IPSECKIT_TRY(sys::rtnl::link_mtu(m_tun->name(), m_opt.mtu));
  IPSECKIT_TRY(sys::rtnl::link_up(m_tun->name(), true));
  if (m_opt.server) IPSECKIT_TRY(m_net.addr_add(m_tun->name(), {m_local, 32}));
  return {};
}

int Daemon::poll_timeout() const {
  const auto t = now();
  l2tp::Millis next = t + kFlushInterval;
  if (auto d = m_node->next_deadline()) next = std::min(next, *d);
  for (const auto& [k, c] : m_calls)
    if (c.link)
      if (auto d = c.link->next_deadline()) next = std::min(next, *d);
  if (m_stop_deadline) next = std::min(next, *m_stop_deadline);
  return static_cast<int>(std::clamp<std::int64_t>((next - t).count(), 0, 1000));
}

void Daemon::loop() {
  for (;;) {
    if (m_stopping && (m_node->tunnel_count() == 0 || (m_stop_deadline && now() >= *m_stop_deadline))) break;
    pollfd fds[4] = {
        {m_sigfd.get(), POLLIN, 0}, {m_sock->fd(), POLLIN, 0}, {m_tun->fd(), POLLIN, 0}, {m_watch->fd(), POLLIN, 0}};
    const int n = ::poll(fds, 4, poll_timeout());
    if (n < 0 && errno != EINTR) {
      client_failed(std::string("poll: ") + std::strerror(errno));
      begin_stop("internal error");
    }
    if (n > 0) {
      if (fds[0].revents) on_signal();
      if (fds[1].revents) read_udp();
      if (fds[2].revents) read_tun();
      if (fds[3].revents) read_requests();
    }
    m_node->tick();
    for (auto& [k, c] : m_calls)
      if (c.link && !c.gone) c.link->tick();
    reap();
    flush(false);
  }
}

void Daemon::on_signal() {
  signalfd_siginfo si{};
  while (::read(m_sigfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
    begin_stop(fmt::format("signal {}", si.ssi_signo));
}

void Daemon::read_udp() {
  for (int i = 0; i < 256; ++i) {
    auto r = m_sock->recv(m_buf);
    if (!r) {
      log::msg(Subsys::net, Level::diag, "UDP receive: {}", r.error().message);
      return;
    }
    if (!r->has_value()) return;
    const auto& d = **r;
    m_node->receive(l2tp::PeerAddr{d.peer.addr, d.peer.port}, ByteView(d.data.data(), d.data.size()));
  }
}

void Daemon::read_tun() {
  for (int i = 0; i < 256; ++i) {
    const ssize_t n = ::read(m_tun->fd(), m_buf.data(), m_buf.size());
    if (n <= 0) return;
    const ByteView pkt(m_buf.data(), static_cast<std::size_t>(n));
    if (pkt.size() < 20 || (pkt[0] >> 4) != 4) continue;  // IPv4 only (IPCP)
    Call* call = nullptr;
    if (m_opt.server) {
      const std::uint32_t dst =
          (std::uint32_t{pkt[16]} << 24) | (std::uint32_t{pkt[17]} << 16) | (std::uint32_t{pkt[18]} << 8) | pkt[19];
      auto it = m_by_address.find(dst);
      if (it != m_by_address.end()) {
        auto c = m_calls.find(it->second);
        if (c != m_calls.end()) call = &c->second;
      }
    } else {
      for (auto& [k, c] : m_calls)
        if (c.established && !c.gone) call = &c;
    }
    if (!call || !call->link || !call->established) continue;
    if (auto st = call->link->send_ip(pkt); !st) {
      log::msg(Subsys::ppp, Level::diag, "session {}: {}", call->key.str(), st.error().message);
      continue;
    }
    call->record.bytes_out += pkt.size();
    call->record.packets_out++;
    call->dirty = true;
  }
}

void Daemon::read_requests() {
  for (;;) {
    auto ev = m_watch->next(l2tp::Millis(0));
    if (!ev) {
      log::msg(Subsys::store, Level::control, "store watch: {}", ev.error().message);
      client_failed("lost the state store: " + ev.error().message);
      begin_stop("lost the state store");
      return;
    }
    if (!ev->has_value()) return;
    const auto& e = **ev;
    if (e.kind != store::Event::Kind::put) continue;
    disconnect(e.key.substr(std::string_view(kDisconnectPrefix).size()));
  }
}

void Daemon::begin_stop(std::string why) {
  if (m_stopping) return;
  m_stopping = true;
  m_stop_deadline = now() + kStopGrace;
  log::msg(Subsys::app, Level::control, "stopping ({}): CDN for {} call(s), StopCCN for {} tunnel(s)", why,
           m_calls.size(), m_node->tunnel_count());
  std::vector<l2tp::SessionKey> keys;
  for (const auto& [k, c] : m_calls)
    if (!c.gone) keys.push_back(k);
  for (const auto& k : keys) m_node->hang_up(k, wire::CdnResult::admin, "l2tpd is shutting down");
  m_node->shutdown("l2tpd is shutting down");
}

void Daemon::reap() {
  for (auto it = m_calls.begin(); it != m_calls.end();) {
    Call& c = it->second;
    if (!c.gone) {
      ++it;
      continue;
    }
    if (c.client_address) m_by_address.erase(v4_u32(*c.client_address));
    c.routes.reset();  // removes the host route
    m_records->del_session(c.key.tunnel, c.key.session);
    it = m_calls.erase(it);
  }
}

void Daemon::flush(bool force) {
  const auto t = now();
  if (!force && t < m_next_flush) return;
  m_next_flush = t + kFlushInterval;
  std::vector<SessionRecord> out;
  for (auto& [k, c] : m_calls)
    if (c.dirty && !c.gone) {
      out.push_back(c.record);
      c.dirty = false;
    }
  if (!out.empty()) m_records->put_sessions(out);
  // the node's counters (bounded state under a storm is visible here), when they changed
  const auto& st = m_node->stats();
  store::Json n{{"tunnels", m_node->tunnel_count()},         {"half_open", m_node->half_open_count()},
                {"sessions", m_node->session_count()},       {"calls", m_calls.size()},
                {"malformed", st.malformed},                 {"unknown_tunnel", st.unknown_tunnel},
                {"wrong_peer", st.wrong_peer},               {"refused_tunnels", st.refused_tunnels},
                {"max_sessions", m_opt.max_sessions}};
  if (n != m_node_counters) {
    m_node_counters = n;
    m_records->put_node(std::move(n));
  }
}

void Daemon::teardown() {
  m_calls.clear();
  m_by_address.clear();
  m_net.undo();
  m_tun.reset();
  if (m_records) {
    m_records->unplumb_ipsec();
    m_records->remove_own();
  }
  log::msg(Subsys::app, Level::control, "stopped; TUN, routes{} removed", m_opt.ipsec ? ", IPsec policy" : "");
}

}  // namespace ipseckit::l2tpd
