// Control connection establishment (RFC 2661 §5.1): SCCRQ, SCCRP, SCCCN, with tunnel
// authentication (§5.1.1, §4.2 Challenge / Challenge Response).
#include <fmt/format.h>

#include "base/log.h"
#include "l2tp/tunnel.h"
#include "l2tp/tunnel_auth.h"

namespace ipseckit::l2tp {

using wire::L2tpMsgType;

namespace {

constexpr auto kNotAuthorized = static_cast<std::uint16_t>(wire::StopCcnResult::not_authorized);

}  // namespace

// The AVPs SCCRQ and SCCRP share (§6.1, §6.2).
wire::L2tpAttrs Tunnel::setup_attrs(L2tpMsgType type) {
  const auto& cfg = m_host.config();
  wire::L2tpAttrs a;
  a.message_type = type;
  a.protocol_version = wire::ProtocolVersion{1, 0};
  a.framing_capabilities = wire::kFramingSync | wire::kFramingAsync;
  a.firmware_revision = cfg.firmware_revision;
  a.host_name = cfg.host_name;
  a.vendor_name = cfg.vendor_name;
  a.assigned_tunnel_id = m_local_id;
  a.receive_window_size = cfg.channel.receive_window;
  if (!cfg.secret.empty()) {
    // §5.1.1: with a shared secret we challenge the peer.
    m_our_challenge.assign(16, 0);
    m_host.random(m_our_challenge.data(), m_our_challenge.size());
    a.challenge = m_our_challenge;
  }
  return a;
}

// The peer's half of SCCRQ/SCCRP: its tunnel ID, window and protocol version.
bool Tunnel::take_peer_setup(const wire::L2tpAttrs& a, Millis now) {
  m_peer_id = a.assigned_tunnel_id.value_or(0);
  m_channel->set_peer_tunnel_id(m_peer_id);
  // §5.8: "If the Receive Window Size AVP is not present, a window of 4 is assumed."
  m_channel->set_peer_window(a.receive_window_size.value_or(4));
  m_peer_host = a.host_name.value_or("");
  const auto v = a.protocol_version.value_or(wire::ProtocolVersion{});
  if (v.version != 1 || v.revision != 0) {
    // §4.4.3 / result 5: the Error Code carries the highest version we support (1.0).
    const auto r = static_cast<std::uint16_t>(wire::StopCcnResult::bad_protocol_version);
    Error e = make_error("l2tp.version",
                         fmt::format("peer speaks L2TP protocol version {}.{}, only 1.0 is supported", v.version,
                                     v.revision),
                         r, 0x0100);
    close(wire::ResultCodeValue{r, std::uint16_t{0x0100}, e.message}, e, now);
    return false;
  }
  log::msg(log::Subsys::l2tp, log::Level::control, "{}: peer \"{}\" ({}), window {}", label(), m_peer_host,
           a.vendor_name.value_or("unknown vendor"), a.receive_window_size.value_or(4));
  return true;
}

// Answers the peer's Challenge in our `reply` (SCCRP or SCCCN).
bool Tunnel::answer_challenge(const wire::L2tpAttrs& a, L2tpMsgType reply, wire::L2tpAttrs& out, Millis now) {
  if (!a.challenge) return true;
  if (m_host.config().secret.empty()) {
    Error e = make_error("l2tp.auth",
                         "peer requires tunnel authentication (it sent a Challenge) but no tunnel secret is configured",
                         kNotAuthorized);
    close(wire::ResultCodeValue{kNotAuthorized, std::uint16_t{0}, "no tunnel secret configured"}, e, now);
    return false;
  }
  const ChallengeResponse r = challenge_response(reply, secret(), *a.challenge);
  out.challenge_response = Bytes(r.begin(), r.end());
  return true;
}

// Checks the peer's answer to our Challenge, carried in `carried_in` (SCCRP or SCCCN).
bool Tunnel::verify_response(const wire::L2tpAttrs& a, L2tpMsgType carried_in, Millis now) {
  if (m_our_challenge.empty()) return true;
  std::string why;
  if (!a.challenge_response)
    why = fmt::format("tunnel authentication failed: the peer's {} carries no Challenge Response "
                      "(no tunnel secret configured on the peer?)",
                      wire::name(carried_in));
  else if (!check_challenge_response(carried_in, secret(), m_our_challenge, *a.challenge_response))
    why = fmt::format("tunnel authentication failed: the Challenge Response in the peer's {} does not match "
                      "(the tunnel secrets differ)",
                      wire::name(carried_in));
  if (why.empty()) return true;
  Error e = make_error("l2tp.auth", why, kNotAuthorized);
  close(wire::ResultCodeValue{kNotAuthorized, std::uint16_t{0}, "tunnel authentication failed"}, e, now);
  return false;
}

void Tunnel::on_sccrq(const wire::L2tpAttrs& a, Millis now) {
  if (!take_peer_setup(a, now)) return;
  wire::L2tpAttrs reply = setup_attrs(L2tpMsgType::sccrp);
  if (!answer_challenge(a, L2tpMsgType::sccrp, reply, now)) return;
  send(0, reply, now);
  set_state(TunnelState::wait_ctl_conn);
}

void Tunnel::on_sccrp(const wire::L2tpAttrs& a, Millis now) {
  if (!take_peer_setup(a, now)) return;
  if (!verify_response(a, L2tpMsgType::sccrp, now)) return;
  wire::L2tpAttrs cn;
  cn.message_type = L2tpMsgType::scccn;
  if (!answer_challenge(a, L2tpMsgType::scccn, cn, now)) return;
  send(0, cn, now);
  established(now);
}

void Tunnel::on_scccn(const wire::L2tpAttrs& a, Millis now) {
  if (!verify_response(a, L2tpMsgType::scccn, now)) return;
  established(now);
}

void Tunnel::established(Millis now) {
  m_our_challenge.clear();
  set_state(TunnelState::established);
  m_host.emit(Event{Event::Kind::tunnel_up, SessionKey{m_local_id, 0}, m_peer, std::nullopt, {}, CallKind::incoming,
                    false, 0, false});
  for (auto& [id, s] : m_sessions)
    if (s->state() == SessionState::wait_tunnel) start_call(*s, now);
}

}  // namespace ipseckit::l2tp
