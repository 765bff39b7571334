// L2TPv2 (RFC 2661) registries: message types (§3.2), attribute types (§4.4), the Result
// Code AVP's result codes for StopCCN and CDN and its general error codes (§4.4.2). Each is
// an enum class with a constexpr name table; unknown values print as "<unknown:N>".
//
// Errors that carry an L2TP answer put it into Error::proto as
//   proto = result_code * 65536 + error_code          (l2tp_proto / proto_result / proto_error)
// so the engines can put the same codes into the StopCCN or CDN they send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/result.h"

namespace ipseckit::wire {

// RFC 2661 §3.2: the value of the Message Type AVP.
enum class L2tpMsgType : std::uint16_t {
  sccrq = 1,     // Start-Control-Connection-Request
  sccrp = 2,     // Start-Control-Connection-Reply
  scccn = 3,     // Start-Control-Connection-Connected
  stopccn = 4,   // Stop-Control-Connection-Notification
  hello = 6,     // Hello
  ocrq = 7,      // Outgoing-Call-Request
  ocrp = 8,      // Outgoing-Call-Reply
  occn = 9,      // Outgoing-Call-Connected
  icrq = 10,     // Incoming-Call-Request
  icrp = 11,     // Incoming-Call-Reply
  iccn = 12,     // Incoming-Call-Connected
  cdn = 14,      // Call-Disconnect-Notify
  wen = 15,      // WAN-Error-Notify
  sli = 16,      // Set-Link-Info
};

// RFC 2661 §4.4: attribute types of the IETF (vendor 0) AVPs.
enum class AvpType : std::uint16_t {
  message_type = 0,
  result_code = 1,
  protocol_version = 2,
  framing_capabilities = 3,
  bearer_capabilities = 4,
  tie_breaker = 5,
  firmware_revision = 6,
  host_name = 7,
  vendor_name = 8,
  assigned_tunnel_id = 9,
  receive_window_size = 10,
  challenge = 11,
  q931_cause_code = 12,
  challenge_response = 13,
  assigned_session_id = 14,
  call_serial_number = 15,
  minimum_bps = 16,
  maximum_bps = 17,
  bearer_type = 18,
  framing_type = 19,
  called_number = 21,
  calling_number = 22,
  sub_address = 23,
  tx_connect_speed = 24,
  physical_channel_id = 25,
  initial_received_lcp_confreq = 26,
  last_sent_lcp_confreq = 27,
  last_received_lcp_confreq = 28,
  proxy_authen_type = 29,
  proxy_authen_name = 30,
  proxy_authen_challenge = 31,
  proxy_authen_id = 32,
  proxy_authen_response = 33,
  call_errors = 34,
  accm = 35,
  random_vector = 36,
  private_group_id = 37,
  rx_connect_speed = 38,
  sequencing_required = 39,
};

// RFC 2661 §4.4.2, Result Code AVP values in a StopCCN.
enum class StopCcnResult : std::uint16_t {
  general_clear = 1,        // General request to clear control connection
  general_error = 2,        // General error--Error Code indicates the problem
  already_exists = 3,       // Control channel already exists
  not_authorized = 4,       // Requester is not authorized to establish a control channel
  bad_protocol_version = 5, // The protocol version of the requester is not supported
  shutting_down = 6,        // Requester is being shut down
  fsm_error = 7,            // Finite State Machine error
};

// RFC 2661 §4.4.2, Result Code AVP values in a CDN.
enum class CdnResult : std::uint16_t {
  lost_carrier = 1,          // Call disconnected due to loss of carrier
  general_error = 2,         // Call disconnected for the reason indicated in error code
  admin = 3,                 // Call disconnected for administrative reasons
  no_facilities_temp = 4,    // ... lack of appropriate facilities (temporary condition)
  no_facilities_perm = 5,    // ... lack of appropriate facilities (permanent condition)
  invalid_destination = 6,   // Invalid destination
  no_carrier = 7,            // Call failed due to no carrier detected
  busy = 8,                  // Call failed due to detection of a busy signal
  no_dial_tone = 9,          // Call failed due to lack of a dial tone
  not_established = 10,      // Call was not established within time allotted by LAC
  no_framing = 11,           // Call was connected but no appropriate framing was detected
};

// RFC 2661 §4.4.2, General Error Codes (the optional Error Code of the Result Code AVP).
enum class L2tpErrorCode : std::uint16_t {
  none = 0,               // No general error
  no_control_conn = 1,    // No control connection exists yet for this LAC-LNS pair
  bad_length = 2,         // Length is wrong
  bad_value = 3,          // One of the field values was out of range or reserved field was non-zero
  no_resources = 4,       // Insufficient resources to handle this operation now
  bad_session_id = 5,     // The Session ID is invalid in this context
  vendor_error = 6,       // A generic vendor-specific error occurred in the LAC
  try_another = 7,        // Try another
  unknown_mandatory = 8,  // Session or tunnel was shutdown due to receipt of an unknown AVP with the M-bit set
};

std::string name(L2tpMsgType t);     // "SCCRQ", ..., "<unknown:N>"
std::string name(AvpType t);         // "Host Name", ..., "<unknown:N>"
std::string name(StopCcnResult r);   // the RFC's text
std::string name(CdnResult r);
std::string name(L2tpErrorCode e);
bool is_known(L2tpMsgType t);
bool is_known(AvpType t);
// Messages that belong to a session (a failure in them clears the session with a CDN, §4.1)
// rather than to the whole tunnel (StopCCN).
bool is_session_message(L2tpMsgType t);

constexpr std::int64_t l2tp_proto(std::uint16_t result, std::uint16_t error = 0) {
  return static_cast<std::int64_t>(result) * 65536 + error;
}
constexpr std::uint16_t proto_result(std::int64_t proto) { return static_cast<std::uint16_t>((proto >> 16) & 0xFFFF); }
constexpr std::uint16_t proto_error(std::int64_t proto) { return static_cast<std::uint16_t>(proto & 0xFFFF); }

// An "l2tp.malformed" error: `what` with the general error (result code 2, RFC 2661 §4.4.2)
// and the error code that tells the peer why (`err`), for the StopCCN or CDN it causes.
Error l2tp_malformed(std::string what, L2tpErrorCode err = L2tpErrorCode::bad_length);

}  // namespace ipseckit::wire

template <>
struct fmt::formatter<ipseckit::wire::L2tpMsgType> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(ipseckit::wire::L2tpMsgType t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(ipseckit::wire::name(t), ctx);
  }
};

template <>
struct fmt::formatter<ipseckit::wire::AvpType> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(ipseckit::wire::AvpType t, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(ipseckit::wire::name(t), ctx);
  }
};
