// Configuration of an L2TP node (LAC, LNS or both) and the events it reports.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"
#include "l2tp/common.h"
#include "l2tp/control_channel.h"

namespace ipseckit::l2tp {

struct NodeConfig {
  std::string host_name = "ipseckit";      // Host Name AVP (§4.4.3)
  std::string vendor_name = "ipseckit";    // Vendor Name AVP
  std::uint16_t firmware_revision = 0x0100;
  // Tunnel authentication (§5.1.1): with a secret we send a Challenge in SCCRQ/SCCRP and
  // require the peer's Challenge Response; without one a peer's Challenge is refused.
  SecureBytes secret;
  // Hide session AVPs (§4.3) when a secret is set. SCCRQ/SCCRP are never hidden: xl2tpd
  // parses them before it knows which secret to use.
  bool hide_avps = false;
  bool send_tie_breaker = true;            // §4.4.3 Tie Breaker in our SCCRQ
  bool accept_tunnels = true;              // answer SCCRQ
  bool accept_incoming_calls = true;       // answer ICRQ (LNS)
  bool accept_outgoing_calls = false;      // answer OCRQ (LAC placing the call)
  bool data_sequencing = false;            // Sequencing Required in ICCN/OCCN; Ns in our data
  bool data_length = true;                 // L bit in data messages (as xl2tpd and Windows)
  std::uint32_t connect_speed = 100000000; // Tx Connect Speed AVP (bits/s)
  ChannelConfig channel;
  Millis hello_interval{60000};            // §6.5: HELLO after this long without a message
  Millis setup_timeout{30000};             // a tunnel or call that does not complete is cleared
  Millis stop_hold{31000};                 // state kept after StopCCN to acknowledge retransmits
  std::size_t max_tunnels = 1024;
  std::size_t max_half_open = 128;         // tunnels not yet established
  // Of those, from one peer address: a flood of SCCRQs from one (spoofed) source must not take
  // every half-open slot and lock genuine clients out until its tunnels time out. Several
  // clients behind one NAT share an address, but each setup lasts a round trip or two.
  std::size_t max_half_open_per_source = 16;
  std::size_t max_sessions = 10000;        // over all tunnels
  std::size_t max_sessions_per_tunnel = 4096;
};

struct SessionKey {
  std::uint16_t tunnel = 0;   // our tunnel ID
  std::uint16_t session = 0;  // our session ID
  std::string str() const { return std::to_string(tunnel) + "/" + std::to_string(session); }
  friend bool operator==(const SessionKey&, const SessionKey&) = default;
  friend auto operator<=>(const SessionKey&, const SessionKey&) = default;
};

enum class CallKind { incoming, outgoing };

// What the node reports. Delivered through the event callback after the call that caused
// them has finished its work, so the callback may call back into the node.
struct Event {
  enum class Kind { tunnel_up, tunnel_down, session_up, session_down, data };
  Kind kind = Kind::data;
  SessionKey key;                 // session 0 for tunnel events
  PeerAddr peer;
  std::optional<Error> error;     // tunnel_down / session_down: why
  Bytes data;                     // data: the PPP frame
  // session_up: call details
  CallKind call = CallKind::incoming;
  bool lac = false;               // we are the LAC of this call
  std::uint32_t call_serial = 0;
  bool sequencing = false;        // we send Ns in data messages
};

std::string name(Event::Kind k);

}  // namespace ipseckit::l2tp
