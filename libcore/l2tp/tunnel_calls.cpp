// Calls inside an established tunnel (RFC 2661 §5.2-§5.6, §7.4-§7.5): ICRQ/ICRP/ICCN,
// OCRQ/OCRP/OCCN, CDN, WEN, SLI, and data messages with optional sequencing (§5.4).
#include <fmt/format.h>

#include "base/log.h"
#include "l2tp/tunnel.h"

namespace ipseckit::l2tp {

using wire::L2tpMsgType;

Session* Tunnel::new_session(CallKind kind, bool lac) {
  for (int tries = 0; tries < 64; ++tries) {
    std::array<std::uint8_t, 2> b{};
    m_host.random(b.data(), b.size());
    const auto id = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
    if (id == 0 || m_sessions.count(id)) continue;
    auto s = std::make_unique<Session>(id, kind, lac, label());
    Session* p = s.get();
    m_sessions.emplace(id, std::move(s));
    m_host.sessions_changed(1);
    return p;
  }
  return nullptr;
}

void Tunnel::remove_session(std::uint16_t id) {
  m_host.sessions_changed(-static_cast<std::ptrdiff_t>(m_sessions.erase(id)));
}

Result<std::uint16_t> Tunnel::add_call(CallKind kind, std::string number, Millis now) {
  const auto& cfg = m_host.config();
  if (!usable_for_calls()) return make_error("l2tp.closed", label() + " is closing", 0);
  if (m_sessions.size() >= cfg.max_sessions_per_tunnel || !m_host.session_allowed())
    return make_error("l2tp.resources", "session limit reached", 0);
  Session* s = new_session(kind, kind == CallKind::incoming);
  if (s == nullptr) return make_error("l2tp.resources", "no free session ID", 0);
  s->number = std::move(number);
  s->call_serial = m_next_serial++;
  s->setup_deadline = now + cfg.setup_timeout;
  if (m_state == TunnelState::established) start_call(*s, now);
  return s->local_id();
}

// §5.2.1 (ICRQ from the LAC) / §5.2.2 (OCRQ from the LNS).
void Tunnel::start_call(Session& s, Millis now) {
  wire::L2tpAttrs a;
  a.assigned_session_id = s.local_id();
  a.call_serial_number = s.call_serial;
  if (s.kind() == CallKind::incoming) {
    a.message_type = L2tpMsgType::icrq;
    a.bearer_type = wire::kBearerAnalog;
    if (!s.number.empty()) a.calling_number = s.number;
  } else {
    a.message_type = L2tpMsgType::ocrq;
    a.minimum_bps = 0;
    a.maximum_bps = m_host.config().connect_speed;
    a.bearer_type = wire::kBearerAnalog | wire::kBearerDigital;
    a.framing_type = wire::kFramingSync | wire::kFramingAsync;
    a.called_number = s.number;
  }
  send(0, a, now);
  s.set_state(SessionState::wait_reply);
  s.setup_deadline = now + m_host.config().setup_timeout;
}

Session* Tunnel::find_session(const wire::L2tpControl& msg, const wire::L2tpAttrs& a) {
  if (msg.header.session_id != 0) {
    auto it = m_sessions.find(msg.header.session_id);
    return it == m_sessions.end() ? nullptr : it->second.get();
  }
  // A CDN from a peer that never learned our session ID names its own.
  if (a.assigned_session_id)
    for (auto& [id, s] : m_sessions)
      if (s->peer_id() == *a.assigned_session_id && s->peer_id() != 0) return s.get();
  return nullptr;
}

void Tunnel::handle_call(const wire::L2tpControl& msg, const wire::L2tpAttrs& a, Millis now) {
  const L2tpMsgType type = *a.message_type;
  if (type == L2tpMsgType::icrq) return on_icrq(a, now);
  if (type == L2tpMsgType::ocrq) return on_ocrq(a, now);
  Session* s = find_session(msg, a);
  if (s == nullptr) {
    if (type != L2tpMsgType::cdn)  // crossing CDNs are normal
      log::msg(log::Subsys::l2tp, log::Level::diag, "{}: {} for unknown session {}", label(), wire::name(type),
               msg.header.session_id);
    return;
  }
  if (!s->expects(type)) {
    Error e = make_error("l2tp.fsm", fmt::format("unexpected {} in call state {}", wire::name(type), name(s->state())),
                         static_cast<std::uint16_t>(wire::CdnResult::general_error));
    hang_up(s->local_id(), wire::ResultCodeValue{2, std::uint16_t{0}, e.message}, e, now);
    return;
  }
  switch (type) {
    case L2tpMsgType::icrp:
    case L2tpMsgType::ocrp: on_call_reply(*s, a, now); break;
    case L2tpMsgType::iccn:
    case L2tpMsgType::occn: on_call_connected(*s, a); break;
    case L2tpMsgType::cdn: on_cdn(*s, a); break;
    case L2tpMsgType::wen:
      s->stats.call_errors = a.call_errors;
      log::msg(log::Subsys::l2tp, log::Level::diag, "{} session {}: WAN errors reported", label(), s->local_id());
      break;
    case L2tpMsgType::sli:
      s->stats.accm = a.accm;
      log::msg(log::Subsys::l2tp, log::Level::diag, "{} session {}: link info (ACCM) set", label(), s->local_id());
      break;
    default: break;
  }
}

void Tunnel::refuse_call(std::uint16_t peer_session, wire::CdnResult result, wire::L2tpErrorCode error,
                         std::string msg, Millis now) {
  log::msg(log::Subsys::l2tp, log::Level::control, "{}: refusing call from peer session {}: {}", label(), peer_session,
           msg);
  std::array<std::uint8_t, 2> b{};
  m_host.random(b.data(), b.size());
  wire::L2tpAttrs a;
  a.message_type = L2tpMsgType::cdn;
  a.result_code = wire::ResultCodeValue{static_cast<std::uint16_t>(result), static_cast<std::uint16_t>(error),
                                        msg.substr(0, kMaxResultMessage)};
  // The CDN names a session of ours; this call never got one, so a transient ID is used.
  a.assigned_session_id = static_cast<std::uint16_t>(((b[0] << 8) | b[1]) | 1);
  send(peer_session, a, now);
}

// §5.2.1: an incoming call at the LNS.
void Tunnel::on_icrq(const wire::L2tpAttrs& a, Millis now) {
  const auto& cfg = m_host.config();
  const std::uint16_t peer_session = *a.assigned_session_id;
  if (!cfg.accept_incoming_calls)
    return refuse_call(peer_session, wire::CdnResult::no_facilities_perm, wire::L2tpErrorCode::none,
                       "incoming calls are not accepted here", now);
  if (m_sessions.size() >= cfg.max_sessions_per_tunnel || !m_host.session_allowed())
    return refuse_call(peer_session, wire::CdnResult::no_facilities_temp, wire::L2tpErrorCode::no_resources,
                       "session limit reached", now);
  Session* s = new_session(CallKind::incoming, false);
  if (s == nullptr)
    return refuse_call(peer_session, wire::CdnResult::no_facilities_temp, wire::L2tpErrorCode::no_resources,
                       "no free session ID", now);
  s->set_peer_id(peer_session);
  s->call_serial = a.call_serial_number.value_or(0);
  s->number = a.calling_number.value_or("");
  wire::L2tpAttrs reply;
  reply.message_type = L2tpMsgType::icrp;
  reply.assigned_session_id = s->local_id();
  send(peer_session, reply, now);
  s->set_state(SessionState::wait_connect);
  s->setup_deadline = now + cfg.setup_timeout;
}

// §5.2.2: an outgoing call placed by the LNS; we are the LAC and "answer" at once.
void Tunnel::on_ocrq(const wire::L2tpAttrs& a, Millis now) {
  const auto& cfg = m_host.config();
  const std::uint16_t peer_session = *a.assigned_session_id;
  if (!cfg.accept_outgoing_calls)
    return refuse_call(peer_session, wire::CdnResult::no_facilities_perm, wire::L2tpErrorCode::none,
                       "outgoing calls are not placed by this LAC", now);
  if (m_sessions.size() >= cfg.max_sessions_per_tunnel || !m_host.session_allowed())
    return refuse_call(peer_session, wire::CdnResult::no_facilities_temp, wire::L2tpErrorCode::no_resources,
                       "session limit reached", now);
  Session* s = new_session(CallKind::outgoing, true);
  if (s == nullptr)
    return refuse_call(peer_session, wire::CdnResult::no_facilities_temp, wire::L2tpErrorCode::no_resources,
                       "no free session ID", now);
  s->set_peer_id(peer_session);
  s->call_serial = a.call_serial_number.value_or(0);
  s->number = a.called_number.value_or("");
  wire::L2tpAttrs reply;
  reply.message_type = L2tpMsgType::ocrp;
  reply.assigned_session_id = s->local_id();
  send(peer_session, reply, now);
  wire::L2tpAttrs cn;
  cn.message_type = L2tpMsgType::occn;
  cn.tx_connect_speed = cfg.connect_speed;
  cn.framing_type = wire::kFramingSync;
  if (cfg.data_sequencing) cn.sequencing_required = wire::Present{};
  send(peer_session, cn, now);
  s->send_sequence = cfg.data_sequencing;
  session_up(*s);
}

// ICRP at the LAC (answer with ICCN) or OCRP at the LNS (wait for OCCN).
void Tunnel::on_call_reply(Session& s, const wire::L2tpAttrs& a, Millis now) {
  const auto& cfg = m_host.config();
  s.set_peer_id(*a.assigned_session_id);
  if (s.kind() == CallKind::outgoing) {
    s.set_state(SessionState::wait_connect);
    return;
  }
  wire::L2tpAttrs cn;
  cn.message_type = L2tpMsgType::iccn;
  cn.tx_connect_speed = cfg.connect_speed;
  cn.framing_type = wire::kFramingSync;
  if (cfg.data_sequencing) cn.sequencing_required = wire::Present{};
  send(s.peer_id(), cn, now);
  s.send_sequence = cfg.data_sequencing;
  session_up(s);
}

// ICCN / OCCN at the LNS: §4.4.6 Sequencing Required obliges us to send Ns in data.
void Tunnel::on_call_connected(Session& s, const wire::L2tpAttrs& a) {
  s.send_sequence = a.sequencing_required.has_value() || m_host.config().data_sequencing;
  session_up(s);
}

void Tunnel::session_up(Session& s) {
  s.setup_deadline.reset();
  s.set_state(SessionState::established);
  m_host.emit(Event{Event::Kind::session_up, SessionKey{m_local_id, s.local_id()}, m_peer, std::nullopt, {}, s.kind(),
                    s.lac(), s.call_serial, s.send_sequence});
}

void Tunnel::on_cdn(Session& s, const wire::L2tpAttrs& a) {
  const wire::ResultCodeValue rc = a.result_code.value_or(wire::ResultCodeValue{});
  Error e = make_error("l2tp.peer_cdn", "peer disconnected the call: " + wire::describe(rc, false), rc.result,
                       rc.error.value_or(0));
  s.set_state(SessionState::closed, e);
  m_host.emit(Event{Event::Kind::session_down, SessionKey{m_local_id, s.local_id()}, m_peer, e, {}, s.kind(), s.lac(),
                    s.call_serial, false});
  remove_session(s.local_id());
}

// §5.6 CDN. The call is gone at once; the CDN itself is delivered by the control channel.
void Tunnel::hang_up(std::uint16_t session, wire::ResultCodeValue result, Error reason, Millis now) {
  auto it = m_sessions.find(session);
  if (it == m_sessions.end()) return;
  Session& s = *it->second;
  if (s.state() != SessionState::wait_tunnel && m_state == TunnelState::established) {
    wire::L2tpAttrs a;
    a.message_type = L2tpMsgType::cdn;
    if (result.message.size() > kMaxResultMessage) result.message.resize(kMaxResultMessage);
    a.result_code = std::move(result);
    a.assigned_session_id = s.local_id();
    send(s.peer_id(), a, now);
  }
  s.set_state(SessionState::closed, reason);
  m_host.emit(Event{Event::Kind::session_down, SessionKey{m_local_id, s.local_id()}, m_peer, reason, {}, s.kind(),
                    s.lac(), s.call_serial, false});
  remove_session(session);
}

Status Tunnel::send_link_info(std::uint16_t session, const wire::AccmValue& accm, Millis now) {
  auto it = m_sessions.find(session);
  if (it == m_sessions.end() || it->second->state() != SessionState::established)
    return make_error("l2tp.closed", fmt::format("{}: session {} is not established", label(), session), 0);
  wire::L2tpAttrs a;
  a.message_type = L2tpMsgType::sli;
  a.accm = accm;
  send(it->second->peer_id(), a, now);
  return {};
}

Status Tunnel::send_wan_errors(std::uint16_t session, const wire::CallErrors& errors, Millis now) {
  auto it = m_sessions.find(session);
  if (it == m_sessions.end() || it->second->state() != SessionState::established)
    return make_error("l2tp.closed", fmt::format("{}: session {} is not established", label(), session), 0);
  wire::L2tpAttrs a;
  a.message_type = L2tpMsgType::wen;
  a.call_errors = errors;
  send(it->second->peer_id(), a, now);
  return {};
}

Status Tunnel::send_data(std::uint16_t session, ByteView ppp_frame) {
  auto it = m_sessions.find(session);
  if (it == m_sessions.end() || it->second->state() != SessionState::established)
    return make_error("l2tp.closed", fmt::format("{}: session {} is not established", label(), session), 0);
  Session& s = *it->second;
  std::optional<wire::DataSequence> seq;
  if (s.send_sequence) {
    seq = wire::DataSequence{s.data_ns, 0};  // §3.1: Nr is reserved in data messages
    s.data_ns = static_cast<std::uint16_t>(s.data_ns + 1);
  }
  auto d = wire::build_data(m_peer_id, s.peer_id(), ppp_frame, m_host.config().data_length, seq);
  if (!d) return d.error();
  ++s.stats.packets_out;
  s.stats.bytes_out += ppp_frame.size();
  ++m_stats.data_out;
  m_host.transmit(m_peer, d.value());
  return {};
}

void Tunnel::receive_data(const wire::L2tpPacket& pkt) {
  auto it = m_sessions.find(pkt.header.session_id);
  if (m_state != TunnelState::established || it == m_sessions.end() ||
      it->second->state() != SessionState::established) {
    ++m_stats.data_dropped;
    return;
  }
  Session& s = *it->second;
  if (pkt.header.has_sequence) {
    // §5.4: Ns lets the receiver drop late and duplicated packets (a PPP link tolerates loss,
    // not reordering of its control packets).
    if (s.data_expected && seq_before(pkt.header.ns, *s.data_expected)) {
      ++s.stats.dropped_out_of_order;
      ++m_stats.data_dropped;
      return;
    }
    s.data_expected = static_cast<std::uint16_t>(pkt.header.ns + 1);
  }
  ++s.stats.packets_in;
  s.stats.bytes_in += pkt.payload.size();
  ++m_stats.data_in;
  m_host.emit(Event{Event::Kind::data, SessionKey{m_local_id, s.local_id()}, m_peer, std::nullopt,
                    Bytes(pkt.payload.begin(), pkt.payload.end()), s.kind(), s.lac(), s.call_serial, s.send_sequence});
}

}  // namespace ipseckit::l2tp
