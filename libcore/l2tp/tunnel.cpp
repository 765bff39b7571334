// The tunnel's frame: state transitions, message dispatch and its guard, teardown, timers.
#include "l2tp/tunnel.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"

namespace ipseckit::l2tp {

using wire::L2tpMsgType;

std::string name(TunnelState s) {
  switch (s) {
    case TunnelState::idle: return "idle";
    case TunnelState::wait_ctl_reply: return "wait-ctl-reply";
    case TunnelState::wait_ctl_conn: return "wait-ctl-conn";
    case TunnelState::established: return "established";
    case TunnelState::closing: return "closing";
    case TunnelState::closed: return "closed";
  }
  return "<unknown:" + std::to_string(static_cast<int>(s)) + ">";
}

Tunnel::Tunnel(TunnelHost& host, std::uint16_t local_id, PeerAddr peer, bool initiator, Millis now)
    : m_host(host),
      m_local_id(local_id),
      m_peer(std::move(peer)),
      m_initiator(initiator),
      m_channel(std::make_unique<ControlChannel>(host.config().channel,
                                                 [this](ByteView d) { m_host.transmit(m_peer, d); })),
      m_setup_deadline(now + host.config().setup_timeout),
      m_last_rx(now) {}

std::string Tunnel::label() const { return fmt::format("tunnel {}/{} ({})", m_local_id, m_peer_id, m_peer.str()); }

ByteView Tunnel::secret() const { return {m_host.config().secret.data(), m_host.config().secret.size()}; }

bool Tunnel::usable_for_calls() const {
  return m_state == TunnelState::idle || m_state == TunnelState::wait_ctl_reply ||
         m_state == TunnelState::wait_ctl_conn || m_state == TunnelState::established;
}

std::vector<std::uint16_t> Tunnel::session_ids() const {
  std::vector<std::uint16_t> ids;
  for (const auto& [id, s] : m_sessions) ids.push_back(id);
  return ids;
}

const Session* Tunnel::session(std::uint16_t id) const {
  auto it = m_sessions.find(id);
  return it == m_sessions.end() ? nullptr : it->second.get();
}

void Tunnel::set_state(TunnelState next, const std::optional<Error>& reason) {
  if (next == m_state) return;
  if (m_state == TunnelState::closed) {
    log::msg(log::Subsys::l2tp, log::Level::diag, "{}: ignoring {} -> {} after close", label(), name(m_state), name(next));
    return;
  }
  if (reason && !m_failure) m_failure = reason;
  log::msg(log::Subsys::l2tp, log::Level::control, "{}: {} -> {}{}", label(), name(m_state), name(next),
           reason ? " (" + reason->message + ")" : std::string());
  const TunnelState from = m_state;
  m_state = next;
  m_host.tunnel_state_changed(m_local_id, from, next);
}

// The "expected next message" guard (StopCCN is taken in every state, before this).
bool Tunnel::expects(L2tpMsgType type) const {
  switch (m_state) {
    case TunnelState::idle: return type == L2tpMsgType::sccrq && !m_initiator;
    case TunnelState::wait_ctl_reply: return type == L2tpMsgType::sccrp;
    case TunnelState::wait_ctl_conn: return type == L2tpMsgType::scccn;
    case TunnelState::established: return type == L2tpMsgType::hello || wire::is_session_message(type);
    case TunnelState::closing:
    case TunnelState::closed: return false;
  }
  return false;
}

void Tunnel::start(Millis now) {
  const auto& cfg = m_host.config();
  if (cfg.send_tie_breaker) {
    std::uint64_t tb = 0;
    std::array<std::uint8_t, 8> b{};
    m_host.random(b.data(), b.size());
    for (auto x : b) tb = (tb << 8) | x;
    m_tie_breaker = tb;
  }
  wire::L2tpAttrs a = setup_attrs(L2tpMsgType::sccrq);
  a.tie_breaker = m_tie_breaker;
  send(0, a, now);
  set_state(TunnelState::wait_ctl_reply);
}

void Tunnel::accept(const wire::L2tpControl& sccrq, Millis now) { receive(sccrq, now); }

void Tunnel::yield_to(const wire::L2tpControl& sccrq, Millis now) {
  log::msg(log::Subsys::l2tp, log::Level::control, "{}: lost the tie-breaker, answering the peer's SCCRQ", label());
  m_initiator = false;
  m_tie_breaker.reset();
  m_our_challenge.clear();
  m_channel = std::make_unique<ControlChannel>(m_host.config().channel,
                                               [this](ByteView d) { m_host.transmit(m_peer, d); });
  m_setup_deadline = now + m_host.config().setup_timeout;
  set_state(TunnelState::idle);
  receive(sccrq, now);
}

void Tunnel::receive(const wire::L2tpControl& msg, Millis now) {
  if (m_state == TunnelState::closed) return;
  m_last_rx = now;
  for (const auto& m : m_channel->receive(msg, now)) {
    handle(m, now);
    if (m_state == TunnelState::closed) return;
  }
  check_channel();
  finish_closing();
}

// §5.7: once our StopCCN is acknowledged the tunnel is gone.
void Tunnel::finish_closing() {
  if (m_state == TunnelState::closing && m_sent_stop && m_channel->idle()) set_state(TunnelState::closed);
}

void Tunnel::handle(const wire::L2tpControl& msg, Millis now) {
  const ByteView s = secret();
  auto a = wire::decode_attrs(msg.avps, wire::AvpSecret{s, s.empty() ? nullptr : &avp_md5});
  if (!a) {
    refuse(msg, a.error(), now);
    return;
  }
  if (a->is_zlb()) return;
  const L2tpMsgType type = *a->message_type;
  if (!wire::is_known(type)) {
    // §3.2: an unknown message type without the M bit is ignored (it has been acknowledged).
    log::msg(log::Subsys::l2tp, log::Level::diag, "{}: ignoring message type {}", label(), wire::name(type));
    return;
  }
  log::msg(log::Subsys::l2tp, log::Level::diag, "{}: received {} (Ns={}, session {})", label(), wire::name(type),
           msg.header.ns, msg.header.session_id);
  if (m_state == TunnelState::closing) return;  // only acknowledged now
  if (type == L2tpMsgType::stopccn) {
    on_stopccn(*a, now);
    return;
  }
  if (!expects(type)) {
    const auto r = static_cast<std::uint16_t>(wire::StopCcnResult::fsm_error);
    Error err = make_error("l2tp.fsm", fmt::format("unexpected {} in state {}", wire::name(type), name(m_state)), r);
    close(wire::ResultCodeValue{r, std::uint16_t{0}, err.message}, err, now);
    return;
  }
  switch (type) {
    case L2tpMsgType::sccrq: on_sccrq(*a, now); break;
    case L2tpMsgType::sccrp: on_sccrp(*a, now); break;
    case L2tpMsgType::scccn: on_scccn(*a, now); break;
    case L2tpMsgType::hello: break;  // §6.5: acknowledged by the channel, nothing else
    default: handle_call(msg, *a, now); break;
  }
}

// §4.1: a message whose AVPs cannot be accepted clears its session when it belongs to one
// (CDN), else the tunnel (StopCCN); the result and error codes come from the codec.
void Tunnel::refuse(const wire::L2tpControl& msg, const Error& err, Millis now) {
  log::msg(log::Subsys::l2tp, log::Level::control, "{}: refusing a control message: {}", label(), err.message);
  std::optional<L2tpMsgType> type;
  if (!msg.avps.empty() && msg.avps[0].is(wire::AvpType::message_type) && msg.avps[0].value.size() == 2)
    type = static_cast<L2tpMsgType>((msg.avps[0].value[0] << 8) | msg.avps[0].value[1]);
  const wire::ResultCodeValue rc{2, wire::proto_error(err.proto), err.message};
  if (type && wire::is_session_message(*type) && m_state == TunnelState::established) {
    if (auto it = m_sessions.find(msg.header.session_id); msg.header.session_id != 0 && it != m_sessions.end()) {
      hang_up(it->first, rc, err, now);
      return;
    }
    if (*type == L2tpMsgType::icrq || *type == L2tpMsgType::ocrq) {
      for (const auto& avp : msg.avps)
        if (avp.is(wire::AvpType::assigned_session_id) && !avp.hidden && avp.value.size() == 2) {
          refuse_call(static_cast<std::uint16_t>((avp.value[0] << 8) | avp.value[1]), wire::CdnResult::general_error,
                      static_cast<wire::L2tpErrorCode>(rc.error.value_or(0)), err.message, now);
          return;
        }
    }
    return;  // a call we do not know: nothing to clear
  }
  if (m_state == TunnelState::closing) return;
  close(rc, err, now);
}

void Tunnel::send(std::uint16_t peer_session, const wire::L2tpAttrs& attrs, Millis now) {
  const auto& cfg = m_host.config();
  const bool setup = attrs.message_type == L2tpMsgType::sccrq || attrs.message_type == L2tpMsgType::sccrp;
  std::optional<wire::AvpHiding> hiding;
  if (cfg.hide_avps && !cfg.secret.empty() && !setup) {
    hiding.emplace();
    hiding->secret = wire::AvpSecret{secret(), &avp_md5};
    hiding->random_vector.resize(16);
    m_host.random(hiding->random_vector.data(), hiding->random_vector.size());
    using A = wire::AvpType;
    hiding->hide = {A::assigned_session_id, A::call_serial_number, A::bearer_type,     A::framing_type,
                    A::tx_connect_speed,    A::rx_connect_speed,   A::calling_number, A::called_number,
                    A::sub_address,         A::physical_channel_id, A::call_errors,   A::accm};
    hiding->padding = [this](A) {
      std::uint8_t n = 0;
      m_host.random(&n, 1);
      Bytes pad(n % 16);
      if (!pad.empty()) m_host.random(pad.data(), pad.size());
      return pad;
    };
  }
  auto avps = wire::encode_attrs(attrs, hiding ? &*hiding : nullptr);
  Result<Bytes> body = avps ? wire::serialize_avps(avps.value()) : Result<Bytes>(avps.error());
  if (!body) {
    log::msg(log::Subsys::l2tp, log::Level::audit, "{}: cannot encode {}: {}", label(),
             wire::name(attrs.message_type.value_or(L2tpMsgType::hello)), body.error().message);
    return;
  }
  log::msg(log::Subsys::l2tp, log::Level::diag, "{}: sending {} (Ns={}, session {})", label(),
           wire::name(*attrs.message_type), m_channel->next_ns(), peer_session);
  if (auto st = m_channel->send(peer_session, std::move(body.value()), now); !st) fail(st.error());
}

void Tunnel::clear_sessions(const Error& reason) {
  for (auto& [id, s] : m_sessions) {
    if (s->state() == SessionState::closed) continue;
    Error e = reason;
    e.message = "tunnel closed: " + reason.message;
    s->set_state(SessionState::closed, e);
    m_host.emit(Event{Event::Kind::session_down, SessionKey{m_local_id, id}, m_peer, e, {}, s->kind(), s->lac(),
                      s->call_serial, false});
  }
  m_host.sessions_changed(-static_cast<std::ptrdiff_t>(m_sessions.size()));
  m_sessions.clear();
}

// The peer is unreachable or the tunnel is dropped: no StopCCN, state freed at once.
void Tunnel::fail(Error reason) {
  if (m_state == TunnelState::closed) return;
  const bool reported = m_state == TunnelState::closing;
  clear_sessions(reason);
  if (!reported)
    m_host.emit(Event{Event::Kind::tunnel_down, SessionKey{m_local_id, 0}, m_peer, reason, {}, CallKind::incoming,
                      false, 0, false});
  set_state(TunnelState::closed, reason);
}

void Tunnel::drop(Error reason) { fail(std::move(reason)); }

void Tunnel::close(wire::ResultCodeValue result, Error reason, Millis now) {
  if (m_state == TunnelState::closing || m_state == TunnelState::closed) return;
  if (m_peer_id == 0) {  // the peer never told us its tunnel ID: nobody to send StopCCN to
    fail(std::move(reason));
    return;
  }
  wire::L2tpAttrs a;
  a.message_type = L2tpMsgType::stopccn;
  a.assigned_tunnel_id = m_local_id;
  if (result.message.size() > kMaxResultMessage) result.message.resize(kMaxResultMessage);
  a.result_code = std::move(result);
  send(0, a, now);
  m_sent_stop = true;
  clear_sessions(reason);
  m_host.emit(Event{Event::Kind::tunnel_down, SessionKey{m_local_id, 0}, m_peer, reason, {}, CallKind::incoming, false,
                    0, false});
  set_state(TunnelState::closing, reason);
  m_close_at = now + m_host.config().stop_hold;
}

void Tunnel::on_stopccn(const wire::L2tpAttrs& a, Millis now) {
  const wire::ResultCodeValue rc = a.result_code.value_or(wire::ResultCodeValue{});
  Error err = make_error("l2tp.peer_stop", "peer closed the tunnel: " + wire::describe(rc, true), rc.result,
                         rc.error.value_or(0));
  clear_sessions(err);
  m_host.emit(Event{Event::Kind::tunnel_down, SessionKey{m_local_id, 0}, m_peer, err, {}, CallKind::incoming, false, 0,
                    false});
  // §5.7: keep the state for a while to acknowledge retransmitted StopCCNs.
  set_state(TunnelState::closing, err);
  m_close_at = now + m_host.config().stop_hold;
}

void Tunnel::check_channel() {
  if (!m_channel->failed() || m_state == TunnelState::closed) return;
  if (m_state == TunnelState::closing) {  // our StopCCN went unacknowledged: nothing more to do
    set_state(TunnelState::closed);
    return;
  }
  Error e = *m_channel->failure();
  e.message = fmt::format("peer {} stopped responding: {}", m_peer.str(), e.message);
  fail(e);
}

void Tunnel::on_timer(Millis now) {
  if (m_state == TunnelState::closed) return;
  m_channel->on_timer(now);
  check_channel();
  finish_closing();
  const auto& cfg = m_host.config();
  switch (m_state) {
    case TunnelState::closing:
      if (m_close_at && now >= *m_close_at) set_state(TunnelState::closed);
      break;
    case TunnelState::idle:
    case TunnelState::wait_ctl_reply:
    case TunnelState::wait_ctl_conn:
      if (now >= m_setup_deadline) {
        Error e = make_error("l2tp.timeout",
                             fmt::format("control connection setup did not complete within {} s (state {})",
                                         cfg.setup_timeout.count() / 1000, name(m_state)),
                             static_cast<std::uint16_t>(wire::StopCcnResult::general_error));
        close(wire::ResultCodeValue{2, std::uint16_t{0}, e.message}, e, now);
      }
      break;
    case TunnelState::established: {
      std::vector<std::uint16_t> late;
      for (const auto& [id, s] : m_sessions)
        if (s->setup_deadline && now >= *s->setup_deadline) late.push_back(id);
      for (auto id : late) {
        const auto r = static_cast<std::uint16_t>(wire::CdnResult::not_established);
        Error e = make_error("l2tp.timeout",
                             fmt::format("call setup did not complete within {} s", cfg.setup_timeout.count() / 1000), r);
        hang_up(id, wire::ResultCodeValue{r, std::uint16_t{0}, e.message}, e, now);
      }
      // §6.5: HELLO when nothing was received for the interval (a peer that no longer
      // acknowledges then fails the channel).
      if (now >= m_last_rx + cfg.hello_interval && m_channel->idle()) {
        wire::L2tpAttrs h;
        h.message_type = L2tpMsgType::hello;
        send(0, h, now);
        ++m_stats.hellos_sent;
        m_last_rx = now;
      }
      break;
    }
    case TunnelState::closed: break;
  }
}

std::optional<Millis> Tunnel::next_deadline() const {
  if (m_state == TunnelState::closed) return std::nullopt;
  std::optional<Millis> d = m_channel->next_deadline();
  auto take = [&](Millis t) { d = d ? std::min(*d, t) : t; };
  switch (m_state) {
    case TunnelState::closing:
      if (m_close_at) take(*m_close_at);
      break;
    case TunnelState::idle:
    case TunnelState::wait_ctl_reply:
    case TunnelState::wait_ctl_conn: take(m_setup_deadline); break;
    case TunnelState::established:
      take(m_last_rx + m_host.config().hello_interval);
      for (const auto& [id, s] : m_sessions)
        if (s->setup_deadline) take(*s->setup_deadline);
      break;
    case TunnelState::closed: break;
  }
  return d;
}

}  // namespace ipseckit::l2tp
