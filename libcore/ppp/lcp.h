// LCP (RFC 1661 §5-§6): the options of the link and the LCP-only codes, plugged into the §4
// automaton.
//
// We request: MRU (when not 1500), Magic-Number (§6.4 loopback detection), the
// Authentication-Protocol (as authenticator, RFC 1334 §3 / RFC 1994 §3 / RFC 2759 §2), and
// PFC/ACFC when configured. We accept from the peer: MRU, ACCM (meaningless on L2TP but
// Windows sends it), Magic-Number, PFC, ACFC, and an Authentication-Protocol we can answer
// (else Configure-Nak with the one we prefer). Everything else is rejected (Quality-Protocol,
// Callback, the multilink options Windows asks for, unknown types). After max_failure Naks
// of one request the Naks become Rejects (§4.6 Max-Failure).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "ppp/common.h"
#include "ppp/fsm.h"

namespace ipseckit::ppp {

struct LcpConfig {
  std::uint16_t mru = 1400;
  bool request_magic = true;
  bool request_pfc = false;
  bool request_acfc = false;
  std::vector<AuthProtocol> require_auth;  // authenticator: in order of preference
  std::vector<AuthProtocol> accept_auth;   // authenticatee: what we can answer
  unsigned max_failure = 5;
};

// What LCP agreed (valid once Opened).
struct LcpAgreed {
  std::uint16_t peer_mru = 1500;     // the peer receives up to this
  std::uint16_t our_mru = 1500;      // we receive up to this
  std::optional<AuthProtocol> authenticate_peer;  // we are the authenticator with this
  std::optional<AuthProtocol> authenticate_to_peer;  // the peer authenticates us with this
  std::uint32_t our_magic = 0;
  std::uint32_t peer_magic = 0;
  bool send_pfc = false;   // the peer accepts compressed protocol fields from us
  bool send_acfc = false;  // and frames without address/control
};

// What LCP needs from its link.
class LcpOwner {
 public:
  virtual ~LcpOwner() = default;
  virtual void lcp_send(const wire::CpPacket& p) = 0;
  virtual void lcp_up() = 0;
  virtual void lcp_down() = 0;
  virtual void lcp_finished() = 0;
  virtual void lcp_echo_reply() = 0;
  virtual void lcp_failure(Error e) = 0;  // negotiation cannot succeed (loopback, no auth)
  virtual void random(std::uint8_t* out, std::size_t n) = 0;
};

std::uint16_t auth_protocol_number(AuthProtocol p);  // 0xC023 or 0xC223
Bytes auth_option_value(AuthProtocol p);             // C023 / C223 05 / C223 81

class Lcp final : public FsmHandler {
 public:
  Lcp(LcpConfig config, FsmConfig fsm, LcpOwner& owner);
  Fsm& fsm() { return m_fsm; }
  const Fsm& fsm() const { return m_fsm; }
  const LcpAgreed& agreed() const { return m_agreed; }
  // Echo-Request with our Magic-Number (§5.8), for keepalive.
  void send_echo_request();

  // FsmHandler
  Bytes request_options() override;
  std::optional<Verdict> check_request(ByteView options, Bytes& reply) override;
  void acked(ByteView options) override;
  bool naked(ByteView options) override;
  bool rejected(ByteView options) override;
  bool is_extra_code(std::uint8_t code) const override;
  void on_extra(const wire::CpPacket& p) override;
  void send(const wire::CpPacket& p) override { m_owner.lcp_send(p); }
  void this_layer_up() override { m_owner.lcp_up(); }
  void this_layer_down() override { m_owner.lcp_down(); }
  void this_layer_finished() override { m_owner.lcp_finished(); }

 private:
  std::uint32_t new_magic();
  std::optional<AuthProtocol> our_auth() const;

  LcpConfig m_config;
  LcpOwner& m_owner;
  Fsm m_fsm;
  LcpAgreed m_agreed;
  // what we request now
  bool m_send_mru;
  bool m_send_magic;
  bool m_send_pfc;
  bool m_send_acfc;
  std::uint16_t m_mru;
  std::uint32_t m_magic = 0;
  std::size_t m_auth_index = 0;  // into require_auth
  unsigned m_naks_sent = 0;
  unsigned m_magic_collisions = 0;
};

}  // namespace ipseckit::ppp
