// The meaning of a control message: its AVPs decoded into typed fields (RFC 2661 §4.4), with
// the rules of §4.1 (unknown and reserved-bit AVPs passed over unless mandatory), §4.3
// (hidden AVPs unhidden with the Random Vector that precedes them) and §6 (the AVPs each
// message MUST carry, as a table). Encoding writes them back with the M bits §4.4 prescribes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/l2tp_avp.h"
#include "wire/l2tp_types.h"

namespace ipseckit::wire {

// §4.4.2 Result Code AVP:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Result Code          |     Error Code (opt)          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Error Message ... (optional, arbitrary number of octets)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct ResultCodeValue {
  std::uint16_t result = 0;
  std::optional<std::uint16_t> error;  // present when the AVP is 4+ octets
  std::string message;                 // only with an error code
  friend bool operator==(const ResultCodeValue&, const ResultCodeValue&) = default;
};

// §4.4.3 Protocol Version AVP: Ver (1) | Rev (0).
struct ProtocolVersion {
  std::uint8_t version = 1;
  std::uint8_t revision = 0;
  friend bool operator==(const ProtocolVersion&, const ProtocolVersion&) = default;
};

// §4.4.5 Q.931 Cause Code AVP: Cause Code (2) | Cause Msg (1) | Advisory Msg...
struct Q931Cause {
  std::uint16_t cause = 0;
  std::uint8_t message = 0;
  std::string advisory;
  friend bool operator==(const Q931Cause&, const Q931Cause&) = default;
};

// §4.4.6 Call Errors AVP: Reserved (2) | six 32-bit counters.
struct CallErrors {
  std::uint32_t crc = 0, framing = 0, hardware_overruns = 0, buffer_overruns = 0, timeouts = 0, alignment = 0;
  friend bool operator==(const CallErrors&, const CallErrors&) = default;
};

// §4.4.6 ACCM AVP: Reserved (2) | Send ACCM (4) | Receive ACCM (4).
struct AccmValue {
  std::uint32_t send = 0xFFFFFFFF;
  std::uint32_t receive = 0xFFFFFFFF;
  friend bool operator==(const AccmValue&, const AccmValue&) = default;
};

// A zero-length AVP (Sequencing Required).
struct Present {
  friend bool operator==(const Present&, const Present&) = default;
};

// Framing / Bearer bits (§4.4.3, §4.4.5).
inline constexpr std::uint32_t kFramingSync = 0x1;
inline constexpr std::uint32_t kFramingAsync = 0x2;
inline constexpr std::uint32_t kBearerDigital = 0x1;
inline constexpr std::uint32_t kBearerAnalog = 0x2;

struct L2tpAttrs {
  std::optional<L2tpMsgType> message_type;  // absent: a ZLB acknowledgement (§5.8)
  std::optional<ResultCodeValue> result_code;
  std::optional<ProtocolVersion> protocol_version;
  std::optional<std::uint32_t> framing_capabilities;
  std::optional<std::uint32_t> bearer_capabilities;
  std::optional<std::uint64_t> tie_breaker;
  std::optional<std::uint16_t> firmware_revision;
  std::optional<std::string> host_name;
  std::optional<std::string> vendor_name;
  std::optional<std::uint16_t> assigned_tunnel_id;
  std::optional<std::uint16_t> receive_window_size;
  std::optional<Bytes> challenge;
  std::optional<Q931Cause> q931_cause_code;
  std::optional<Bytes> challenge_response;
  std::optional<std::uint16_t> assigned_session_id;
  std::optional<std::uint32_t> call_serial_number;
  std::optional<std::uint32_t> minimum_bps;
  std::optional<std::uint32_t> maximum_bps;
  std::optional<std::uint32_t> bearer_type;
  std::optional<std::uint32_t> framing_type;
  std::optional<std::string> called_number;
  std::optional<std::string> calling_number;
  std::optional<std::string> sub_address;
  std::optional<std::uint32_t> tx_connect_speed;
  std::optional<std::uint32_t> physical_channel_id;
  std::optional<Bytes> initial_received_lcp_confreq;
  std::optional<Bytes> last_sent_lcp_confreq;
  std::optional<Bytes> last_received_lcp_confreq;
  std::optional<std::uint16_t> proxy_authen_type;
  std::optional<std::string> proxy_authen_name;
  std::optional<Bytes> proxy_authen_challenge;
  std::optional<std::uint16_t> proxy_authen_id;
  std::optional<Bytes> proxy_authen_response;
  std::optional<CallErrors> call_errors;
  std::optional<AccmValue> accm;
  std::optional<Bytes> private_group_id;
  std::optional<std::uint32_t> rx_connect_speed;
  std::optional<Present> sequencing_required;

  // Decode only: the last Random Vector seen, the hidden AVP types that were unhidden, and
  // the unrecognized non-mandatory AVPs passed over (other vendors, unknown types, reserved
  // bits set), kept for logs.
  std::optional<Bytes> random_vector;
  std::vector<AvpType> were_hidden;
  std::vector<Avp> passed_over;

  bool is_zlb() const { return !message_type.has_value(); }
  friend bool operator==(const L2tpAttrs&, const L2tpAttrs&) = default;
};

// What decoding and encoding need for hidden AVPs: the tunnel's shared secret and MD5.
struct AvpSecret {
  ByteView secret;
  AvpMd5 md5 = nullptr;
};

// Decodes the AVP list of a control message. Refusals carry the L2TP answer in proto (result
// 2 and the error code; the caller sends it in a StopCCN or, for a session message, a CDN):
//   "l2tp.malformed"          first AVP is not an unhidden Message Type (§4.1), an AVP of the
//                             wrong length for its type (2/2), a zero ID or window, a
//                             duplicate AVP (2/3)
//   "l2tp.unknown_mandatory"  unrecognized AVP (unknown type, other vendor or reserved bits)
//                             with M set, or an unknown message type with M set (2/8)
//   "l2tp.hidden"             a hidden AVP that cannot be unhidden (2/6)
//   "l2tp.missing_avp"        an AVP the message type MUST carry is absent (§6; 2/3)
// An unknown message type without M decodes (message_type holds its value) and is ignored by
// the engines. An empty list is a ZLB.
Result<L2tpAttrs> decode_attrs(const std::vector<Avp>& avps, const AvpSecret& secret = {});

// How to hide AVPs when encoding: the types to hide (only those §4.4 allows to be hidden are
// honoured), the Random Vector written right after the Message Type, and the padding for each.
struct AvpHiding {
  AvpSecret secret;
  Bytes random_vector;
  std::vector<AvpType> hide;
  std::function<Bytes(AvpType)> padding;  // optional; none when empty
};

// Encodes attributes: Message Type first, then the Random Vector (when hiding), then every
// present field in attribute-type order, with the M bit of §4.4. Fails (code "l2tp.length")
// when a value does not fit an AVP; "l2tp.hidden" when hiding is asked without secret or RV.
Result<std::vector<Avp>> encode_attrs(const L2tpAttrs& attrs, const AvpHiding* hiding = nullptr);

// The §6 table: which AVPs a message type MUST and MAY carry (bit N = attribute type N).
struct MessageRule {
  L2tpMsgType type;
  std::uint64_t required;
  std::uint64_t optional;
};
const MessageRule* message_rule(L2tpMsgType t);

// The §4.4 table for one attribute: value length bounds, whether it MAY be hidden, and the M
// bit we send.
struct AvpRule {
  AvpType type;
  std::size_t min_len;
  std::size_t max_len;
  bool may_hide;
  bool mandatory;
};
const AvpRule* avp_rule(AvpType t);

std::string describe(const ResultCodeValue& rc, bool stopccn);  // "4 (Requester is ...), error 0: message"

}  // namespace ipseckit::wire
