#include "ppp/link.h"

#include <fmt/format.h>

#include "base/log.h"
#include "ppp/auth_tasks.h"
#include "wire/ppp_auth.h"
#include "wire/ppp_frame.h"

namespace ipseckit::ppp {

using wire::CpCode;
using wire::PppProtocol;

namespace {

constexpr std::uint16_t proto(PppProtocol p) { return static_cast<std::uint16_t>(p); }

IpcpConfig ipcp_for(const LinkConfig& c) {
  IpcpConfig i = c.ipcp;
  i.role = c.role;
  return i;
}

}  // namespace

std::string name(Phase p) {
  switch (p) {
    case Phase::dead: return "Dead";
    case Phase::establish: return "Establish";
    case Phase::authenticate: return "Authenticate";
    case Phase::network: return "Network";
    case Phase::terminate: return "Terminate";
  }
  return "<unknown:" + std::to_string(static_cast<int>(p)) + ">";
}

// Runs settle() (pending close, events) when the outermost entry point returns.
class Link::Entry {
 public:
  explicit Entry(Link& l) : m_link(l) { ++m_link.m_depth; }
  ~Entry() {
    if (--m_link.m_depth == 0) m_link.settle();
  }
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

 private:
  Link& m_link;
};

Link::Link(LinkConfig config, Env env, Send send, Sink sink)
    : m_config(std::move(config)),
      m_env(std::move(env)),
      m_send(std::move(send)),
      m_sink(std::move(sink)),
      m_lcp(m_config.lcp, m_config.fsm, *this),
      m_ipcp(ipcp_for(m_config), m_config.fsm, *this) {}

Link::~Link() {
  if (m_lease && m_config.pool) m_config.pool->release(*m_lease);
}

void Link::set_phase(Phase next) {
  if (next == m_phase) return;
  log::msg(log::Subsys::ppp, log::Level::control, "link: phase {} -> {}{}", name(m_phase), name(next),
           m_failure && next == Phase::terminate ? " (" + m_failure->message + ")" : std::string());
  m_phase = next;
}

void Link::settle() {
  if (m_close_pending) {
    m_close_pending = false;
    const Millis now = m_env.now();
    m_ipcp.fsm().close(now);
    m_lcp.fsm().close(now);
    const auto s = m_lcp.fsm().state();
    if (s == FsmState::initial || s == FsmState::closed || s == FsmState::stopped) report_down();
  }
  if (m_draining) return;
  m_draining = true;
  while (!m_events.empty()) {
    std::vector<LinkEvent> batch;
    batch.swap(m_events);
    for (const auto& e : batch)
      if (m_sink) m_sink(e);
  }
  m_draining = false;
}

void Link::fail(Error e) {
  if (m_reported_down) return;
  if (!m_failure) {
    log::msg(log::Subsys::ppp, log::Level::control, "link: failing: {}", e.message);
    m_failure = std::move(e);
  }
  m_close_pending = true;
}

void Link::report_down() {
  if (m_reported_down) return;
  m_reported_down = true;
  m_up = false;
  if (!m_failure) m_failure = Error::make("ppp.closed", "the link was closed");
  set_phase(Phase::dead);
  if (m_lease && m_config.pool) m_config.pool->release(*m_lease);
  m_lease.reset();
  m_auth_server.reset();
  m_auth_client.reset();
  m_events.push_back(LinkEvent{LinkEvent::Kind::down, m_failure, {}});
}

void Link::open() {
  Entry e(*this);
  if (m_phase != Phase::dead || m_reported_down) return;
  set_phase(Phase::establish);
  const Millis now = m_env.now();
  m_lcp.fsm().open(now);
  m_lcp.fsm().up(now);
}

void Link::lower_down() {
  Entry e(*this);
  if (m_reported_down) return;
  if (!m_failure) m_failure = Error::make("ppp.lower_down", "the carrier (L2TP session) went away");
  const Millis now = m_env.now();
  m_lcp.fsm().down(now);
  m_lcp.fsm().close(now);  // Starting -> Initial with tlf
  report_down();
}

void Link::close(std::string reason) {
  Entry e(*this);
  fail(Error::make("ppp.closed", "closed locally: " + reason));
}

// ---- frames -----------------------------------------------------------------------------

void Link::send_frame(std::uint16_t protocol, ByteView info) {
  const bool negotiated = m_lcp.fsm().opened();
  const LcpAgreed& a = m_lcp.agreed();
  const Bytes f = wire::serialize_ppp_frame(protocol, info, !(negotiated && a.send_acfc), negotiated && a.send_pfc);
  ++m_stats.frames_out;
  m_send(f);
}

void Link::send_cp(std::uint16_t protocol, const wire::CpPacket& p) {
  auto bytes = wire::serialize_cp(p);
  if (bytes) send_frame(protocol, bytes.value());
}

void Link::lcp_send(const wire::CpPacket& p) { send_cp(proto(PppProtocol::lcp), p); }
void Link::ipcp_send(const wire::CpPacket& p) { send_cp(proto(PppProtocol::ipcp), p); }

void Link::receive(ByteView frame) {
  Entry e(*this);
  if (m_reported_down) return;
  ++m_stats.frames_in;
  auto f = wire::parse_ppp_frame(frame);
  if (!f) {
    ++m_stats.discarded;
    return;
  }
  const Millis now = m_env.now();
  auto discard = [&] { ++m_stats.discarded; };
  switch (static_cast<PppProtocol>(f->protocol)) {
    case PppProtocol::lcp: {
      auto p = wire::parse_cp(f->info);
      if (!p) return discard();
      on_lcp_packet(*p, now);
      return;
    }
    case PppProtocol::pap:
    case PppProtocol::chap: {
      auto p = wire::parse_cp(f->info);
      if (!p || (m_phase != Phase::authenticate && m_phase != Phase::network)) return discard();
      on_auth_packet(f->protocol, *p, now);
      return;
    }
    case PppProtocol::ipcp: {
      auto p = wire::parse_cp(f->info);
      if (!p || m_phase != Phase::network) return discard();
      m_ipcp.fsm().input(*p, now);
      return;
    }
    case PppProtocol::ip:
      if (!m_up) return discard();
      ++m_stats.ip_in;
      m_events.push_back(LinkEvent{LinkEvent::Kind::ip, std::nullopt, Bytes(f->info.begin(), f->info.end())});
      return;
    default:
      // §5.7: an unsupported protocol while LCP is open is Protocol-Rejected.
      if (m_lcp.fsm().opened()) protocol_reject(f->protocol, f->info);
      else discard();
      return;
  }
}

void Link::on_lcp_packet(const wire::CpPacket& p, Millis now) {
  if (p.code == static_cast<std::uint8_t>(CpCode::protocol_reject)) {
    if (!m_lcp.fsm().opened() || p.data.size() < 2) return;
    const auto rejected = static_cast<std::uint16_t>((p.data[0] << 8) | p.data[1]);
    log::msg(log::Subsys::ppp, log::Level::control, "link: the peer rejected protocol {}",
             wire::name(static_cast<PppProtocol>(rejected)));
    if (rejected == proto(PppProtocol::lcp)) {
      fail(Error::make("ppp.protocol_reject", "the peer Protocol-Rejected LCP"));
      m_lcp.fsm().dispatch(FsmEvent::rxj_minus, now);
      return;
    }
    if (rejected == proto(PppProtocol::ipcp)) {
      fail(Error::make("ppp.protocol_reject", "the peer does not speak IPCP (Protocol-Reject)"));
      m_ipcp.fsm().dispatch(FsmEvent::rxj_minus, now);
    }
    m_lcp.fsm().dispatch(FsmEvent::rxj_plus, now);
    return;
  }
  if (p.code == static_cast<std::uint8_t>(CpCode::terminate_request) && !m_failure) {
    const std::string why = printable(std::string(p.data.begin(), p.data.end()));
    m_failure = Error::make("ppp.terminated",
                            "the peer ended the link (LCP Terminate-Request" + (why.empty() ? ")" : ": " + why + ")"));
  }
  m_lcp.fsm().input(p, now);
}

void Link::protocol_reject(std::uint16_t protocol, ByteView info) {
  ByteWriter w;
  w.u16be(protocol);
  const std::size_t room = m_lcp.agreed().peer_mru > 8 ? m_lcp.agreed().peer_mru - 8u : 0u;
  w.bytes(info.subspan(0, std::min(info.size(), room)));
  ++m_stats.protocol_rejects_sent;
  lcp_send(wire::CpPacket{static_cast<std::uint8_t>(CpCode::protocol_reject), m_lcp.fsm().next_id(), w.take()});
}

// ---- authentication ---------------------------------------------------------------------

void Link::on_auth_packet(std::uint16_t protocol, const wire::CpPacket& p, Millis now) {
  // Requests go to the authenticator task, answers to the authenticatee task.
  const bool is_request = protocol == proto(PppProtocol::pap)
                              ? p.code == static_cast<std::uint8_t>(wire::PapCode::authenticate_request)
                              : p.code == static_cast<std::uint8_t>(wire::ChapCode::response);
  AuthTask* server = m_auth_server && m_auth_server->protocol() == protocol ? m_auth_server.get() : nullptr;
  AuthTask* client = m_auth_client && m_auth_client->protocol() == protocol ? m_auth_client.get() : nullptr;
  if (is_request && server) take_step(server->input(p, now), true);
  else if (!is_request && client) take_step(client->input(p, now), false);
  else ++m_stats.discarded;
}

void Link::take_step(const Step& s, bool server) {
  if (s.kind == Step::Kind::need_more) return;
  if (s.kind == Step::Kind::failed) {
    fail(s.error.value_or(Error::make("ppp.auth_failed", "authentication failed")));
    return;
  }
  bool& done = server ? m_server_done : m_client_done;
  if (done) return;  // a repeated answer
  done = true;
  const AuthTask& t = server ? *m_auth_server : *m_auth_client;
  if (server) {
    m_info.user = t.result().user;
    m_info.auth = m_lcp.agreed().authenticate_peer;
  } else if (!m_auth_server) {
    m_info.user = t.result().user;
    m_info.auth = m_lcp.agreed().authenticate_to_peer;
  }
  if (t.result().mppe_master_key) m_info.mppe_master_key = t.result().mppe_master_key;
  log::msg(log::Subsys::ppp, log::Level::control, "link: {} {} as \"{}\"", server ? "authenticated the peer" : "authenticated",
           name(server ? *m_lcp.agreed().authenticate_peer : *m_lcp.agreed().authenticate_to_peer), t.result().user);
  if ((!m_auth_server || m_server_done) && (!m_auth_client || m_client_done)) enter_network(m_env.now());
}

void Link::lcp_up() {
  const Millis now = m_env.now();
  const LcpAgreed& a = m_lcp.agreed();
  m_info.lcp = a;
  m_echo_outstanding = 0;
  if (m_config.echo_interval.count() > 0) m_next_echo = now + m_config.echo_interval;
  if (m_config.role == Role::server && !m_config.lcp.require_auth.empty() && !a.authenticate_peer) {
    fail(Error::make("ppp.no_auth", "LCP opened without an authentication protocol"));
    return;
  }
  set_phase(Phase::authenticate);
  m_server_done = m_client_done = false;
  m_auth_server.reset();
  m_auth_client.reset();
  auto send_as = [this](std::uint16_t protocol) {
    return [this, protocol](const wire::CpPacket& p) { send_cp(protocol, p); };
  };
  if (a.authenticate_peer) {
    m_auth_server = make_auth_server(
        AuthServerParams{*a.authenticate_peer, m_config.users, m_config.name, m_config.auth},
        send_as(auth_protocol_number(*a.authenticate_peer)), m_env);
  }
  if (a.authenticate_to_peer) {
    m_auth_client = make_auth_client(
        AuthClientParams{*a.authenticate_to_peer, m_config.user, m_config.password.clone(), m_config.auth},
        send_as(auth_protocol_number(*a.authenticate_to_peer)), m_env);
  }
  if (!m_auth_server && !m_auth_client) {
    enter_network(now);
    return;
  }
  if (m_auth_server) take_step(m_auth_server->start(now), true);
  if (m_auth_client) take_step(m_auth_client->start(now), false);
}

void Link::lcp_down() {
  const Millis now = m_env.now();
  m_next_echo.reset();
  m_ipcp.fsm().down(now);
  m_auth_server.reset();
  m_auth_client.reset();
  set_phase(m_failure ? Phase::terminate : Phase::establish);
}

void Link::lcp_finished() { report_down(); }

// ---- network ----------------------------------------------------------------------------

void Link::enter_network(Millis now) {
  if (m_config.role == Role::server) {
    const AuthResult* r = m_auth_server ? &m_auth_server->result() : nullptr;
    std::optional<wire::IpAddr> addr;
    if (m_lease) {
      addr = m_lease;  // LCP renegotiated: keep the address
    } else if (r && r->no_address) {
      fail(Error::make("ppp.no_address", fmt::format("user \"{}\" may not get an address (\"-\")", r->user)));
      return;
    } else if (r && r->static_address) {
      if (m_config.pool && !m_config.pool->reserve(*r->static_address)) {
        fail(Error::make("ppp.no_address", fmt::format("address {} of user \"{}\" is already in use",
                                                       r->static_address->str(), r->user)));
        return;
      }
      addr = r->static_address;
      if (m_config.pool) m_lease = addr;
    } else if (m_config.pool) {
      addr = m_config.pool->acquire();
      if (!addr) {
        fail(Error::make("ppp.no_address", fmt::format("the address pool is exhausted ({} addresses in use)",
                                                       m_config.pool->used())));
        return;
      }
      m_lease = addr;
    } else {
      fail(Error::make("ppp.no_address", "no address pool and no static address for the user"));
      return;
    }
    m_ipcp.set_peer_address(*addr);
  }
  set_phase(Phase::network);
  m_ipcp.fsm().open(now);
  m_ipcp.fsm().up(now);
}

void Link::ipcp_up() {
  m_info.ip = m_ipcp.agreed();
  m_info.lcp = m_lcp.agreed();
  m_up = true;
  log::msg(log::Subsys::ppp, log::Level::audit, "link up: {} local {} peer {}", m_info.user.empty() ? "-" : m_info.user,
           m_info.ip.local.str(), m_info.ip.peer.str());
  m_events.push_back(LinkEvent{LinkEvent::Kind::up, std::nullopt, {}});
}

void Link::ipcp_down() { m_up = false; }

void Link::ipcp_finished() {
  // IPCP was the reason for the link: when it cannot open or the peer ends it, so does the link.
  if (m_phase == Phase::network && !m_failure)
    fail(Error::make("ppp.ipcp_failed", "IPCP did not open or was closed by the peer"));
}

Status Link::send_ip(ByteView packet) {
  if (!m_up) return Error::make("ppp.closed", "the PPP link is not up");
  if (packet.size() > m_lcp.agreed().peer_mru)
    return Error::make("ppp.mtu", fmt::format("packet of {} bytes exceeds the peer's MRU {}", packet.size(),
                                              m_lcp.agreed().peer_mru));
  ++m_stats.ip_out;
  send_frame(proto(PppProtocol::ip), packet);
  return {};
}

// ---- timers -----------------------------------------------------------------------------

void Link::tick() {
  Entry e(*this);
  if (m_reported_down) return;
  const Millis now = m_env.now();
  m_lcp.fsm().on_timer(now);
  m_ipcp.fsm().on_timer(now);
  if (m_auth_server) take_step(m_auth_server->on_timer(now), true);
  if (m_auth_client) take_step(m_auth_client->on_timer(now), false);
  if (m_next_echo && now >= *m_next_echo && m_lcp.fsm().opened()) {
    if (m_echo_outstanding >= m_config.echo_failures) {
      fail(Error::make("ppp.echo_timeout",
                       fmt::format("the peer did not answer {} LCP Echo-Requests", m_echo_outstanding)));
      m_next_echo.reset();
    } else {
      m_lcp.send_echo_request();
      ++m_echo_outstanding;
      m_next_echo = now + m_config.echo_interval;
    }
  }
}

std::optional<Millis> Link::next_deadline() const {
  if (m_reported_down) return std::nullopt;
  std::optional<Millis> d;
  auto take = [&](std::optional<Millis> t) {
    if (t && (!d || *t < *d)) d = t;
  };
  take(m_lcp.fsm().deadline());
  take(m_ipcp.fsm().deadline());
  if (m_auth_server) take(m_auth_server->deadline());
  if (m_auth_client) take(m_auth_client->deadline());
  if (m_lcp.fsm().opened()) take(m_next_echo);
  return d;
}

}  // namespace ipseckit::ppp
