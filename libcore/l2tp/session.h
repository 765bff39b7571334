// One call's state (RFC 2661 §7.4-§7.5). The messages are handled by the tunnel that owns
// the session (tunnel_calls.cpp); this class keeps the state, its one guarded transition
// and the "expected next message" table.
//
//   incoming call, LAC:  wait_tunnel -ICRQ-> wait_reply -ICRP/ICCN-> established
//   incoming call, LNS:  (ICRQ) -ICRP-> wait_connect -ICCN-> established
//   outgoing call, LNS:  wait_tunnel -OCRQ-> wait_reply -OCRP-> wait_connect -OCCN-> established
//   outgoing call, LAC:  (OCRQ) -OCRP, OCCN-> established
//   any state -CDN sent or received-> closed
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "l2tp/common.h"
#include "l2tp/config.h"
#include "wire/l2tp_attrs.h"

namespace ipseckit::l2tp {

enum class SessionState { wait_tunnel, wait_reply, wait_connect, established, closed };
std::string name(SessionState s);

struct SessionStats {
  std::uint64_t packets_in = 0, packets_out = 0, bytes_in = 0, bytes_out = 0, dropped_out_of_order = 0;
  std::optional<wire::CallErrors> call_errors;  // last WEN
  std::optional<wire::AccmValue> accm;          // last SLI
};

class Session {
 public:
  Session(std::uint16_t local_id, CallKind kind, bool lac, std::string tunnel_label);

  std::uint16_t local_id() const { return m_local_id; }
  std::uint16_t peer_id() const { return m_peer_id; }
  void set_peer_id(std::uint16_t id) { m_peer_id = id; }
  CallKind kind() const { return m_kind; }
  bool lac() const { return m_lac; }
  SessionState state() const { return m_state; }
  // The one transition point: logs "OLD -> NEW" and keeps the reason of a close.
  void set_state(SessionState next, const std::optional<Error>& reason = std::nullopt);
  const std::optional<Error>& failure() const { return m_failure; }
  // The "expected next message" guard: may `type` arrive in the current state?
  bool expects(wire::L2tpMsgType type) const;

  std::uint32_t call_serial = 0;
  std::string number;            // Calling (incoming) or Called (outgoing) Number
  std::optional<Millis> setup_deadline;
  bool send_sequence = false;    // §5.4: Ns in our data messages
  std::uint16_t data_ns = 0;     // next Ns we send
  std::optional<std::uint16_t> data_expected;  // next Ns we expect from the peer
  SessionStats stats;

 private:
  std::uint16_t m_local_id;
  std::uint16_t m_peer_id = 0;
  CallKind m_kind;
  bool m_lac;
  SessionState m_state = SessionState::wait_tunnel;
  std::optional<Error> m_failure;
  std::string m_label;
};

}  // namespace ipseckit::l2tp
