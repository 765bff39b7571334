#include "ppp/fsm.h"

#include <fmt/format.h>

#include "base/log.h"

namespace ipseckit::ppp {
namespace {

using S = FsmState;
using A = FsmAction;

constexpr FsmTransition no() { return {}; }
constexpr FsmTransition to(S next) { return {true, {}, 0, next}; }
constexpr FsmTransition to(A a, S next) { return {true, {a}, 1, next}; }
constexpr FsmTransition to(A a, A b, S next) { return {true, {a, b}, 2, next}; }
constexpr FsmTransition to(A a, A b, A c, S next) { return {true, {a, b, c}, 3, next}; }

constexpr std::size_t kStates = 10;
constexpr std::size_t kEvents = 16;

// RFC 1661 §4.1, row by row (events), columns: Initial Starting Closed Stopped Closing
// Stopping Req-Sent Ack-Rcvd Ack-Sent Opened. The r/p/x annotations of the RFC are kept in
// the comments; their cells hold the basic behaviour.
constexpr std::array<std::array<FsmTransition, kStates>, kEvents> kTable{{
    // Up
    {to(S::closed), to(A::irc, A::scr, S::req_sent), no(), no(), no(), no(), no(), no(), no(), no()},
    // Down
    {no(), no(), to(S::initial), to(A::tls, S::starting), to(S::initial), to(S::starting), to(S::starting),
     to(S::starting), to(S::starting), to(A::tld, S::starting)},
    // Open (3r 5r 5r 9r)
    {to(A::tls, S::starting), to(S::starting), to(A::irc, A::scr, S::req_sent), to(S::stopped), to(S::stopping),
     to(S::stopping), to(S::req_sent), to(S::ack_rcvd), to(S::ack_sent), to(S::opened)},
    // Close
    {to(S::initial), to(A::tlf, S::initial), to(S::closed), to(S::closed), to(S::closing), to(S::closing),
     to(A::irc, A::str, S::closing), to(A::irc, A::str, S::closing), to(A::irc, A::str, S::closing),
     to(A::tld, A::irc, A::str, S::closing)},
    // TO+
    {no(), no(), no(), no(), to(A::str, S::closing), to(A::str, S::stopping), to(A::scr, S::req_sent),
     to(A::scr, S::req_sent), to(A::scr, S::ack_sent), no()},
    // TO- (3p 3p 3p)
    {no(), no(), no(), no(), to(A::tlf, S::closed), to(A::tlf, S::stopped), to(A::tlf, S::stopped),
     to(A::tlf, S::stopped), to(A::tlf, S::stopped), no()},
    // RCR+
    {no(), no(), to(A::sta, S::closed), to(A::irc, A::scr, A::sca, S::ack_sent), to(S::closing), to(S::stopping),
     to(A::sca, S::ack_sent), to(A::sca, A::tlu, S::opened), to(A::sca, S::ack_sent),
     to(A::tld, A::scr, A::sca, S::ack_sent)},
    // RCR-
    {no(), no(), to(A::sta, S::closed), to(A::irc, A::scr, A::scn, S::req_sent), to(S::closing), to(S::stopping),
     to(A::scn, S::req_sent), to(A::scn, S::ack_rcvd), to(A::scn, S::req_sent), to(A::tld, A::scr, A::scn, S::req_sent)},
    // RCA (6x 6x)
    {no(), no(), to(A::sta, S::closed), to(A::sta, S::stopped), to(S::closing), to(S::stopping), to(A::irc, S::ack_rcvd),
     to(A::scr, S::req_sent), to(A::irc, A::tlu, S::opened), to(A::tld, A::scr, S::req_sent)},
    // RCN (6x 6x)
    {no(), no(), to(A::sta, S::closed), to(A::sta, S::stopped), to(S::closing), to(S::stopping),
     to(A::irc, A::scr, S::req_sent), to(A::scr, S::req_sent), to(A::irc, A::scr, S::ack_sent),
     to(A::tld, A::scr, S::req_sent)},
    // RTR
    {no(), no(), to(A::sta, S::closed), to(A::sta, S::stopped), to(A::sta, S::closing), to(A::sta, S::stopping),
     to(A::sta, S::req_sent), to(A::sta, S::req_sent), to(A::sta, S::req_sent), to(A::tld, A::zrc, A::sta, S::stopping)},
    // RTA
    {no(), no(), to(S::closed), to(S::stopped), to(A::tlf, S::closed), to(A::tlf, S::stopped), to(S::req_sent),
     to(S::req_sent), to(S::ack_sent), to(A::tld, A::scr, S::req_sent)},
    // RUC
    {no(), no(), to(A::scj, S::closed), to(A::scj, S::stopped), to(A::scj, S::closing), to(A::scj, S::stopping),
     to(A::scj, S::req_sent), to(A::scj, S::ack_rcvd), to(A::scj, S::ack_sent), to(A::scj, S::opened)},
    // RXJ+
    {no(), no(), to(S::closed), to(S::stopped), to(S::closing), to(S::stopping), to(S::req_sent), to(S::req_sent),
     to(S::ack_sent), to(S::opened)},
    // RXJ-
    {no(), no(), to(A::tlf, S::closed), to(A::tlf, S::stopped), to(A::tlf, S::closed), to(A::tlf, S::stopped),
     to(A::tlf, S::stopped), to(A::tlf, S::stopped), to(A::tlf, S::stopped), to(A::tld, A::irc, A::str, S::stopping)},
    // RXR
    {no(), no(), to(S::closed), to(S::stopped), to(S::closing), to(S::stopping), to(S::req_sent), to(S::ack_rcvd),
     to(S::ack_sent), to(A::ser, S::opened)},
}};

bool timer_runs_in(S s) {
  return s == S::closing || s == S::stopping || s == S::req_sent || s == S::ack_rcvd || s == S::ack_sent;
}

}  // namespace

std::string name(FsmState s) {
  static constexpr std::array<std::string_view, kStates> n{"Initial", "Starting", "Closed",   "Stopped",  "Closing",
                                                           "Stopping", "Req-Sent", "Ack-Rcvd", "Ack-Sent", "Opened"};
  const auto i = static_cast<std::size_t>(s);
  return i < n.size() ? std::string(n[i]) : "<unknown:" + std::to_string(i) + ">";
}

std::string name(FsmEvent e) {
  static constexpr std::array<std::string_view, kEvents> n{"Up",  "Down", "Open", "Close", "TO+", "TO-",
                                                           "RCR+", "RCR-", "RCA", "RCN",   "RTR", "RTA",
                                                           "RUC", "RXJ+", "RXJ-", "RXR"};
  const auto i = static_cast<std::size_t>(e);
  return i < n.size() ? std::string(n[i]) : "<unknown:" + std::to_string(i) + ">";
}

std::string name(FsmAction a) {
  static constexpr std::array<std::string_view, 13> n{"tlu", "tld", "tls", "tlf", "irc", "zrc", "scr",
                                                      "sca", "scn", "str", "sta", "scj", "ser"};
  const auto i = static_cast<std::size_t>(a);
  return i < n.size() ? std::string(n[i]) : "<unknown:" + std::to_string(i) + ">";
}

const FsmTransition& fsm_transition(FsmState s, FsmEvent e) {
  return kTable[static_cast<std::size_t>(e)][static_cast<std::size_t>(s)];
}

Fsm::Fsm(std::string name, FsmHandler& handler, FsmConfig config)
    : m_name(std::move(name)), m_handler(handler), m_config(config) {}

void Fsm::force_state_for_test(FsmState s, unsigned restart_count) {
  m_state = s;
  m_restart_count = restart_count;
  m_timer.reset();
  if (timer_runs_in(s)) m_timer = Millis(0) + m_config.restart;
}

void Fsm::dispatch(FsmEvent e, Millis now) {
  const FsmTransition& t = fsm_transition(m_state, e);
  if (!t.possible) {
    log::msg(log::Subsys::ppp, log::Level::diag, "{}: event {} cannot occur in state {}; ignored", m_name, name(e),
             name(m_state));
    return;
  }
  const FsmState old = m_state;
  m_state = t.next;
  if (old != t.next)
    log::msg(log::Subsys::ppp, log::Level::diag, "{}: {} -> {} on {}", m_name, name(old), name(t.next), name(e));
  for (std::uint8_t i = 0; i < t.count; ++i) act(t.actions[i], t.next, now);
  if (!timer_runs_in(m_state)) m_timer.reset();
}

void Fsm::act(FsmAction a, FsmState next, Millis now) {
  auto send = [&](std::uint8_t code, std::uint8_t id, Bytes data) {
    m_handler.send(wire::CpPacket{code, id, std::move(data)});
  };
  switch (a) {
    case A::tlu: m_handler.this_layer_up(); break;
    case A::tld: m_handler.this_layer_down(); break;
    case A::tls: m_handler.this_layer_started(); break;
    case A::tlf: m_handler.this_layer_finished(); break;
    case A::irc:
      m_restart_count = next == S::closing || next == S::stopping ? m_config.max_terminate : m_config.max_configure;
      break;
    case A::zrc:
      m_restart_count = 0;
      start_timer(now);
      break;
    case A::scr:
      m_req_options = m_handler.request_options();
      m_req_id = next_id();
      send(static_cast<std::uint8_t>(wire::CpCode::configure_request), m_req_id, m_req_options);
      if (m_restart_count > 0) --m_restart_count;
      start_timer(now);
      break;
    case A::sca: send(static_cast<std::uint8_t>(wire::CpCode::configure_ack), m_peer.id, m_peer.data); break;
    case A::scn:
      send(static_cast<std::uint8_t>(m_verdict == Verdict::reject ? wire::CpCode::configure_reject
                                                                   : wire::CpCode::configure_nak),
           m_peer.id, m_reply);
      break;
    case A::str:
      send(static_cast<std::uint8_t>(wire::CpCode::terminate_request), next_id(), {});
      if (m_restart_count > 0) --m_restart_count;
      start_timer(now);
      break;
    case A::sta: send(static_cast<std::uint8_t>(wire::CpCode::terminate_ack), m_peer.id, {}); break;
    case A::scj: {
      // §5.6: the rejected packet, truncated to fit.
      auto raw = wire::serialize_cp(m_peer);
      Bytes data = raw ? std::move(raw.value()) : Bytes{};
      if (data.size() + 4 > m_config.max_packet) data.resize(m_config.max_packet > 4 ? m_config.max_packet - 4 : 0);
      send(static_cast<std::uint8_t>(wire::CpCode::code_reject), next_id(), std::move(data));
      break;
    }
    case A::ser: m_handler.on_extra(m_peer); break;
  }
}

void Fsm::input(const wire::CpPacket& p, Millis now) {
  using C = wire::CpCode;
  const auto code = static_cast<C>(p.code);
  const bool negotiating = m_state == S::req_sent || m_state == S::ack_rcvd || m_state == S::ack_sent ||
                           m_state == S::opened;
  switch (code) {
    case C::configure_request: {
      m_peer = p;
      m_reply.clear();
      const auto v = m_handler.check_request(p.data, m_reply);
      if (!v) {
        log::msg(log::Subsys::ppp, log::Level::diag, "{}: malformed Configure-Request discarded", m_name);
        return;
      }
      m_verdict = *v;
      dispatch(*v == Verdict::ack ? FsmEvent::rcr_plus : FsmEvent::rcr_minus, now);
      return;
    }
    case C::configure_ack:
      // §5.2: the Identifier and the Options must match our last Configure-Request.
      if (p.id != m_req_id || p.data != m_req_options) {
        log::msg(log::Subsys::ppp, log::Level::diag, "{}: Configure-Ack that does not match our request; discarded",
                 m_name);
        return;
      }
      if (m_state == S::req_sent || m_state == S::ack_sent) m_handler.acked(p.data);
      dispatch(FsmEvent::rca, now);
      return;
    case C::configure_nak:
    case C::configure_reject:
      if (p.id != m_req_id) {
        log::msg(log::Subsys::ppp, log::Level::diag, "{}: {} for another request; discarded", m_name, wire::name(code));
        return;
      }
      if (negotiating && !(code == C::configure_nak ? m_handler.naked(p.data) : m_handler.rejected(p.data))) {
        log::msg(log::Subsys::ppp, log::Level::diag, "{}: invalid {}; discarded", m_name, wire::name(code));
        return;
      }
      dispatch(FsmEvent::rcn, now);
      return;
    case C::terminate_request:
      m_peer = p;
      dispatch(FsmEvent::rtr, now);
      return;
    case C::terminate_ack: dispatch(FsmEvent::rta, now); return;
    case C::code_reject: {
      const std::uint8_t rejected = p.data.empty() ? 0 : p.data[0];
      log::msg(log::Subsys::ppp, log::Level::control, "{}: peer rejected code {}", m_name,
               wire::name(static_cast<C>(rejected)));
      dispatch(m_handler.reject_is_fatal(rejected) ? FsmEvent::rxj_minus : FsmEvent::rxj_plus, now);
      return;
    }
    default:
      m_peer = p;
      dispatch(m_handler.is_extra_code(p.code) ? FsmEvent::rxr : FsmEvent::ruc, now);
      return;
  }
}

void Fsm::on_timer(Millis now) {
  if (!m_timer || now < *m_timer) return;
  m_timer.reset();
  dispatch(m_restart_count > 0 ? FsmEvent::to_plus : FsmEvent::to_minus, now);
}

}  // namespace ipseckit::ppp
