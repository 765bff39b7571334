// The option negotiation automaton of RFC 1661 §4, shared by LCP and IPCP.
//
// The state transition table of §4.1 is kept as data (kTable in fsm.cpp): one row per event,
// one column per state, each cell the actions in the RFC's order and the next state. "-"
// cells (events that cannot occur in that state) are ignored and logged. The options "r"
// (restart) and "p" (passive) are not used: the basic behaviour of each cell is implemented.
//
// Actions (§4.4): tlu/tld/tls/tlf go to the handler; irc sets the restart counter to
// Max-Terminate when entering Closing/Stopping and to Max-Configure otherwise; zrc sets it to
// zero and starts the timer; scr/str decrement it, send and start the restart timer; sca,
// scn, sta, scj and ser send. The restart timer runs only in Closing, Stopping, Req-Sent,
// Ack-Rcvd and Ack-Sent; its expiry is TO+ while the counter is above zero, else TO-.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "ppp/common.h"
#include "wire/ppp_cp.h"

namespace ipseckit::ppp {

enum class FsmState : std::uint8_t {
  initial, starting, closed, stopped, closing, stopping, req_sent, ack_rcvd, ack_sent, opened
};
enum class FsmEvent : std::uint8_t {
  up, down, open, close, to_plus, to_minus, rcr_plus, rcr_minus, rca, rcn, rtr, rta, ruc, rxj_plus, rxj_minus, rxr
};
enum class FsmAction : std::uint8_t { tlu, tld, tls, tlf, irc, zrc, scr, sca, scn, str, sta, scj, ser };

std::string name(FsmState s);   // "Initial", "Req-Sent", ...
std::string name(FsmEvent e);   // "Up", "RCR+", "TO-", ...
std::string name(FsmAction a);  // "tlu", ...

struct FsmTransition {
  bool possible = false;               // false: "-" in the RFC table
  std::array<FsmAction, 3> actions{};
  std::uint8_t count = 0;
  FsmState next = FsmState::initial;
};
// The §4.1 table cell for (state, event).
const FsmTransition& fsm_transition(FsmState s, FsmEvent e);

enum class Verdict { ack, nak, reject };

// What a control protocol (LCP, IPCP) plugs into the automaton.
class FsmHandler {
 public:
  virtual ~FsmHandler() = default;
  // The Options of our next Configure-Request.
  virtual Bytes request_options() = 0;
  // The peer's Configure-Request. nullopt: malformed, the packet is discarded. For nak and
  // reject `reply` holds the options to send back.
  virtual std::optional<Verdict> check_request(ByteView options, Bytes& reply) = 0;
  virtual void acked(ByteView options) = 0;
  // The peer's Nak/Reject of our request; false when it does not fit our request (discarded).
  virtual bool naked(ByteView options) = 0;
  virtual bool rejected(ByteView options) = 0;
  // Codes beyond 1-7 that this protocol knows (RXR); anything else is RUC.
  virtual bool is_extra_code(std::uint8_t) const { return false; }
  // RXR in Opened (ser): Echo-Request and the like.
  virtual void on_extra(const wire::CpPacket&) {}
  // A Code-Reject of `code`: true if the peer cannot work without it (RXJ-).
  virtual bool reject_is_fatal(std::uint8_t code) const { return code >= 1 && code <= 7; }
  virtual void send(const wire::CpPacket& packet) = 0;
  virtual void this_layer_up() {}
  virtual void this_layer_down() {}
  virtual void this_layer_started() {}
  virtual void this_layer_finished() {}
};

struct FsmConfig {
  Millis restart{3000};       // §4.6 Restart timer
  unsigned max_configure = 10;
  unsigned max_terminate = 2;
  std::size_t max_packet = 1500;  // bound on what we echo back (Code-Reject)
};

class Fsm {
 public:
  Fsm(std::string name, FsmHandler& handler, FsmConfig config);

  void up(Millis now) { dispatch(FsmEvent::up, now); }
  void down(Millis now) { dispatch(FsmEvent::down, now); }
  void open(Millis now) { dispatch(FsmEvent::open, now); }
  void close(Millis now) { dispatch(FsmEvent::close, now); }
  // A packet of this protocol: turned into RCR+/-, RCA, RCN, RTR, RTA, RUC, RXJ+/-, RXR.
  void input(const wire::CpPacket& p, Millis now);
  void on_timer(Millis now);
  std::optional<Millis> deadline() const { return m_timer; }
  // One event of the table, as is (Protocol-Reject of this protocol is RXJ-).
  void dispatch(FsmEvent e, Millis now);

  FsmState state() const { return m_state; }
  bool opened() const { return m_state == FsmState::opened; }
  unsigned restart_count() const { return m_restart_count; }
  std::uint8_t next_id() { return ++m_id; }
  const std::string& label() const { return m_name; }
  // Test hook for the exhaustive state-table test: put the automaton into a state.
  void force_state_for_test(FsmState s, unsigned restart_count);

 private:
  void act(FsmAction a, FsmState next, Millis now);
  void start_timer(Millis now) { m_timer = now + m_config.restart; }

  std::string m_name;
  FsmHandler& m_handler;
  FsmConfig m_config;
  FsmState m_state = FsmState::initial;
  unsigned m_restart_count = 0;
  std::optional<Millis> m_timer;
  std::uint8_t m_id = 0;
  std::uint8_t m_req_id = 0;        // Identifier of our last Configure-Request
  Bytes m_req_options;              // and its Options (an Ack must match them exactly)
  wire::CpPacket m_peer;            // the packet being answered (sca/scn/sta/scj/ser)
  Bytes m_reply;                    // options for scn
  Verdict m_verdict = Verdict::ack;
};

}  // namespace ipseckit::ppp
