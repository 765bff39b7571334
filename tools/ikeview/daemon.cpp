#include "ikeview/daemon.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "base/log_buffer.h"
#include "policydb/keys.h"
#include "store/keys.h"
#include "wire/udp.h"

namespace ipseckit::ikeview {

using log::Level;
using log::Subsys;

namespace {

Result<sys::UniqueFd> signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return Error::make("failed", std::string("sigprocmask: ") + std::strerror(errno));
  sys::UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return Error::make("failed", std::string("signalfd: ") + std::strerror(errno));
  std::signal(SIGPIPE, SIG_IGN);
  return fd;
}

}  // namespace

Daemon::Daemon(const DaemonOptions& opt, store::Client client, std::unique_ptr<UdpTransport> udp,
               std::optional<DaemonCredentials> creds)
    : m_opt(opt), m_client(std::move(client)), m_udp(std::move(udp)), m_secrets(m_client), m_creds(std::move(creds)) {
  m_engine = std::make_unique<ike::Engine>(
      engine_config(opt),
      ike::EngineEnv{*m_udp, m_clock, m_rng, m_dh, m_secrets, m_policy, m_creds ? &*m_creds : nullptr}, callbacks());
}

Daemon::~Daemon() = default;

void Daemon::note(Level l, std::string text) {
  log::write(Subsys::ike, l, text);
  if (l <= Level::diag) (void)m_client.log_nowait("ike", log::name(l), text);
}

Status Daemon::drain_udp(sys::UdpSocket& s, std::uint16_t port) {
  std::span<std::uint8_t> buf(m_rx_buf);
  std::optional<wire::IpAddr> bound;  // the socket's address, asked for only when IP_PKTINFO gave none
  for (int n = 0; n < 256; ++n) {  // bounded: timers and the store get their turn
    auto d = s.recv(buf);
    if (!d) return std::move(d).error();
    if (!*d) break;
    const auto& whole = **d;
    // UDP_GRO on the NAT-T socket: a train of datagrams of gro_size bytes (the last may be shorter).
    const std::size_t seg = whole.gro_size && whole.gro_size < whole.data.size()
                                ? whole.gro_size
                                : std::max<std::size_t>(whole.data.size(), 1);
    for (std::size_t off = 0; off == 0 || off < whole.data.size(); off += seg) {
      sys::Datagram dg = whole;
      dg.data = whole.data.subspan(off, std::min(seg, whole.data.size() - off));
      if (port == m_opt.natt_port) {
        // RFC 3948 §2.2/§2.3: on the NAT-T port only datagrams with the non-ESP marker are IKE;
        // a lone 0xFF is a keepalive; four or more bytes without it are ESP (an SPI is never 0),
        // which the kernel steers to espd (sys/natt_share.h): one here is counted and dropped,
        // never handed to the engine as malformed IKE. Shorter datagrams go to the engine,
        // which counts them malformed.
        if (dg.data.size() == 1 && dg.data[0] == wire::kNatKeepalive) {
          ++m_keepalives;
          continue;
        }
        if (dg.data.size() >= 4 && (dg.data[0] != 0 || dg.data[1] != 0 || dg.data[2] != 0 || dg.data[3] != 0)) {
          ++m_esp_on_natt;
          continue;
        }
      }
      if (!dg.local && !bound) bound = s.local().addr;
      const wire::IpAddr local = dg.local ? *dg.local : *bound;
      m_engine->receive(ike::Endpoint{local, port}, ike::Endpoint{dg.peer.addr, dg.peer.port},
                        ByteView(dg.data.data(), dg.data.size()));
    }
  }
  return {};
}

Status Daemon::drain_watch(store::Watch& w) {
  for (;;) {
    auto ev = w.next(std::chrono::milliseconds(0));
    if (!ev) return std::move(ev).error();
    if (!*ev) return {};
    on_event(**ev);
  }
}

void Daemon::on_event(const store::Event& ev) {
  if (store::has_prefix(ev.key, policydb::kStaticPskPrefix) || store::has_prefix(ev.key, policydb::kDynamicPskPrefix))
    return m_secrets.on_event(ev);
  if (ev.key == policydb::kSpdKey) {
    if (ev.kind == store::Event::Kind::del) {
      m_policy.clear();
      note(Level::control, "the effective SPD was removed: refusing every peer until it returns");
      return;
    }
    if (auto st = m_policy.load(ev.value); !st) {
      note(Level::audit, "spd/current does not parse (" + st.error().message + "); keeping the previous SPD");
      return;
    }
    const auto& spd = m_policy.view()->spd();
    note(Level::control, fmt::format("SPD generation {} loaded: policy '{}', {} rules, {} filters", spd.generation,
                                     spd.assigned_policy.empty() ? "(none)" : spd.assigned_policy, spd.rules.size(),
                                     spd.specific.size()));
    for (const auto& w : DaemonCredentials::check(m_creds ? &*m_creds : nullptr, spd)) note(Level::audit, w);
    return;
  }
  if (store::has_prefix(ev.key, kEspExpirePrefix)) return on_expire(ev);
  const bool acquire = store::has_prefix(ev.key, kAcquirePrefix);
  const bool initiate = store::has_prefix(ev.key, kInitiatePrefix);
  if (!acquire && !initiate) return;
  if (ev.kind == store::Event::Kind::del) {
    m_requests.erase(ev.key);  // withdrawn (or answered and removed by the asker)
    return;
  }
  on_request(ev.key, ev.value, acquire);
}

int Daemon::run() {
  auto sigfd = signal_fd();
  if (!sigfd) return tool::fail("ikeview", sigfd.error());
  auto spd = m_client.watch(policydb::kSpdPrefix, true);
  auto acq = spd ? m_client.watch(kAcquirePrefix, true) : Result<store::Watch>(spd.error());
  auto ini = acq ? m_client.watch(kInitiatePrefix, true) : Result<store::Watch>(acq.error());
  auto exp = ini ? m_client.watch(kEspExpirePrefix, true) : Result<store::Watch>(ini.error());
  // Changes to pre-shared keys (StoreSecrets caches those it read).
  auto psk = exp ? m_client.watch(policydb::kStaticPskPrefix) : Result<store::Watch>(exp.error());
  auto dyn = psk ? m_client.watch(policydb::kDynamicPskPrefix) : Result<store::Watch>(psk.error());
  if (!dyn) return tool::fail("ikeview", dyn.error());
  note(Level::control, fmt::format("listening on UDP {}:{} and {}:{}{}{}", m_udp->ike().local().addr.str(),
                                   m_udp->ike().local().port, m_udp->natt().local().addr.str(),
                                   m_udp->natt().local().port,
                                   m_udp->v6() ? fmt::format(", [{}]:{} and [{}]:{}", m_udp->v6()->ike().local().addr.str(),
                                                             m_udp->v6()->ike().local().port,
                                                             m_udp->v6()->natt().local().addr.str(),
                                                             m_udp->v6()->natt().local().port)
                                               : std::string(),
                                   m_opt.mark ? fmt::format(" (mark {:#x})", *m_opt.mark) : std::string()));
  int rc = 0;
  bool first = true;
  auto last_stats = std::chrono::steady_clock::now();
  while (!m_stop) {
    // The IPv6 pair of the default dual-stack listen (fd -1, ignored by poll, without it) last.
    std::array<pollfd, 11> fds{{{sigfd->get(), POLLIN, 0},
                              {m_udp->ike().fd(), POLLIN, 0},
                              {m_udp->natt().fd(), POLLIN, 0},
                              {spd->fd(), POLLIN, 0},
                              {acq->fd(), POLLIN, 0},
                              {ini->fd(), POLLIN, 0},
                              {exp->fd(), POLLIN, 0},
                              {psk->fd(), POLLIN, 0},
                              {dyn->fd(), POLLIN, 0},
                              {m_udp->v6() ? m_udp->v6()->ike().fd() : -1, POLLIN, 0},
                              {m_udp->v6() ? m_udp->v6()->natt().fd() : -1, POLLIN, 0}}};
    int timeout = first ? 0 : 1000;
    first = false;
    if (auto t = m_engine->next_timer()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*t - m_clock.now()).count();
      timeout = std::min(timeout, static_cast<int>(std::clamp<long long>(left, 0, 1000)));
    }
    log::flush();  // buffered stderr lines (see run_daemon) go out before waiting
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      note(Level::audit, std::string("poll: ") + std::strerror(errno));
      rc = 1;
      break;
    }
    if (fds[0].revents) {
      signalfd_siginfo si{};
      while (::read(sigfd->get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
        note(Level::control, fmt::format("signal {}: shutting down", si.ssi_signo));
      break;
    }
    Status st;
    if (st && fds[1].revents) st = drain_udp(m_udp->ike(), m_opt.port);
    if (st && fds[2].revents) st = drain_udp(m_udp->natt(), m_opt.natt_port);
    if (st && fds[9].revents) st = drain_udp(m_udp->v6()->ike(), m_opt.port);
    if (st && fds[10].revents) st = drain_udp(m_udp->v6()->natt(), m_opt.natt_port);
    if (!st) note(Level::diag, "receive: " + st.error().message);
    // Drained when readable or holding buffered events its fd no longer shows (the snapshot
    // arrives with the answer to the watch request): no syscall for an idle watch.
    Status ws;
    const std::array<store::Watch*, 6> watches{&*spd, &*acq, &*ini, &*exp, &*psk, &*dyn};
    for (std::size_t i = 0; ws && i < watches.size(); ++i)
      if (fds[3 + i].revents || watches[i]->buffered()) ws = drain_watch(*watches[i]);
    if (!ws) {
      log::msg(Subsys::store, Level::audit, "lost the store: {}", ws.error().message);
      rc = 1;
      break;
    }
    m_engine->run_timers();
    check_requests();
    m_client.drain();  // the answers to the event-log lines and records sent without waiting
    settle_records();
    if (auto now = std::chrono::steady_clock::now(); now - last_stats >= std::chrono::seconds(2)) {
      last_stats = now;
      publish_stats(false);
    }
  }
  shutdown();
  return rc;
}

// Deletes every SA with a Delete to its peer (RFC 2408 4.8), then whatever records remain.
void Daemon::shutdown() {
  m_stop = true;
  std::vector<std::uint64_t> children;
  for (const auto& [id, c] : m_engine->child_sas()) children.push_back(id);
  for (auto id : children) (void)m_engine->delete_phase2(id, "ikeview stopping");
  std::vector<std::uint64_t> sas;
  for (const auto* sa : m_engine->ike_sas()) sas.push_back(sa->id());
  for (auto id : sas) (void)m_engine->delete_phase1(id, "ikeview stopping");
  std::vector<std::string> left;
  for (auto& [id, keys] : m_p2_keys) left.insert(left.end(), keys.begin(), keys.end());
  for (auto& [id, keys] : m_p1_keys) left.insert(left.end(), keys.begin(), keys.end());
  m_p1_keys.clear();
  m_p2_keys.clear();
  if (!left.empty()) delete_records(left, "records left at shutdown");
  (void)m_client.get(policydb::kSpdKey);  // waits for the answers to every write queued before it
  settle_records();
  for (auto& [key, r] : m_requests)
    if (r.acquire) (void)m_client.del(key);
    else (void)m_client.put(key, store::Json{{"peer", r.peer.str()}, {"rule", r.rule}, {"state", "failed"},
                                            {"reason", "ikeview daemon stopped"}});
  m_requests.clear();
  publish_stats(true);
  m_engine.reset();
  note(Level::control, "stopped");
  m_client.drain();  // sends the event-log lines still queued
}

int run_daemon(const DaemonOptions& opt) {
  log::set_ident("ikeview");
  log::Level level{};
  if (!log::parse_level(opt.log_level, level))
    return tool::fail("ikeview", Error::make("usage", "unknown log level '" + opt.log_level + "' (--log-level)"));
  if (level == Level::priv) level = Level::raw;  // key material never reaches stderr
  log::set_level(level);
  wire::IpAddr listen;
  if (!opt.listen.empty()) {
    auto a = wire::IpAddr::parse(opt.listen);
    if (!a) return tool::fail("ikeview", Error::make("usage", "--listen: not an address: '" + opt.listen + "'"));
    listen = *a;
  }
  std::optional<DaemonCredentials> creds;
  if (opt.certs.any()) {
    auto c = DaemonCredentials::load(opt.certs);
    if (!c) return tool::fail("ikeview", c.error());
    for (const auto& line : c->summary()) log::write(Subsys::ike, Level::control, line);
    creds = std::move(*c);
  }
  auto client = tool::connect(opt.store);
  if (!client) return tool::fail("ikeview", client.error());
  if (!client->info().admin)
    return tool::fail("ikeview", Error::make("failed", "the daemon must be able to write the store (run as root)"));
  // No --listen: IPv4 and IPv6, one pair of sockets each; --listen ADDR: that address only.
  std::string v6_error;
  auto udp = opt.listen.empty() ? UdpTransport::open_both(opt.mark, opt.port, opt.natt_port, &v6_error)
                                : UdpTransport::open(listen, opt.mark, opt.port, opt.natt_port);
  if (!udp) return tool::fail("ikeview", udp.error());
  if (!v6_error.empty()) log::write(Subsys::net, Level::control, "IPv4 only: " + v6_error);
  Daemon d(opt, std::move(*client), std::move(*udp), std::move(creds));
  // Several lines per negotiation: one write per loop iteration rather than per line. Flushed
  // before poll() and by the store client before it sends (a record never precedes its line).
  log::set_stderr_buffered(true);
  const int rc = d.run();
  log::set_stderr_buffered(false);
  return rc;
}

}  // namespace ipseckit::ikeview
