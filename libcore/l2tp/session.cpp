#include "l2tp/session.h"

#include "base/log.h"

namespace ipseckit::l2tp {

std::string name(SessionState s) {
  switch (s) {
    case SessionState::wait_tunnel: return "wait-tunnel";
    case SessionState::wait_reply: return "wait-reply";
    case SessionState::wait_connect: return "wait-connect";
    case SessionState::established: return "established";
    case SessionState::closed: return "closed";
  }
  return "<unknown:" + std::to_string(static_cast<int>(s)) + ">";
}

std::string name(Event::Kind k) {
  switch (k) {
    case Event::Kind::tunnel_up: return "tunnel-up";
    case Event::Kind::tunnel_down: return "tunnel-down";
    case Event::Kind::session_up: return "session-up";
    case Event::Kind::session_down: return "session-down";
    case Event::Kind::data: return "data";
  }
  return "<unknown:" + std::to_string(static_cast<int>(k)) + ">";
}

Session::Session(std::uint16_t local_id, CallKind kind, bool lac, std::string tunnel_label)
    : m_local_id(local_id), m_kind(kind), m_lac(lac), m_label(std::move(tunnel_label)) {}

void Session::set_state(SessionState next, const std::optional<Error>& reason) {
  if (next == m_state) return;
  if (m_state == SessionState::closed) {
    log::msg(log::Subsys::l2tp, log::Level::diag, "{} session {}: ignoring {} -> {} after close", m_label, m_local_id,
             name(m_state), name(next));
    return;
  }
  if (reason && !m_failure) m_failure = reason;
  log::msg(log::Subsys::l2tp, log::Level::control, "{} session {}: {} -> {}{}", m_label, m_local_id, name(m_state),
           name(next), reason ? " (" + reason->message + ")" : std::string());
  m_state = next;
}

bool Session::expects(wire::L2tpMsgType type) const {
  using M = wire::L2tpMsgType;
  if (type == M::cdn) return m_state != SessionState::closed;
  switch (m_state) {
    case SessionState::wait_reply:
      // we sent ICRQ (LAC) or OCRQ (LNS)
      return type == (m_kind == CallKind::incoming ? M::icrp : M::ocrp);
    case SessionState::wait_connect:
      // we sent ICRP (LNS, incoming) or received OCRP (LNS, outgoing)
      return type == (m_kind == CallKind::incoming ? M::iccn : M::occn);
    case SessionState::established:
      // §6.14/§6.15: WEN goes LAC -> LNS, SLI LNS -> LAC; both are taken from either side
      // (some clients send SLI to the LNS).
      return type == M::wen || type == M::sli;
    case SessionState::wait_tunnel:
    case SessionState::closed:
      return false;
  }
  return false;
}

}  // namespace ipseckit::l2tp
