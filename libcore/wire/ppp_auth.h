// PPP authentication packet bodies (after the Code/Identifier/Length header of ppp_cp.h):
// PAP (RFC 1334 §2.2), CHAP (RFC 1994 §4) and the MS-CHAPv2 value formats (RFC 2759 §4-§6).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit::wire {

enum class PapCode : std::uint8_t { authenticate_request = 1, authenticate_ack = 2, authenticate_nak = 3 };
enum class ChapCode : std::uint8_t { challenge = 1, response = 2, success = 3, failure = 4 };
// CHAP algorithm octet of the LCP Authentication-Protocol option (RFC 1994 §3, RFC 2759 §2).
enum class ChapAlgorithm : std::uint8_t { md5 = 5, mschap_v1 = 0x80, mschap_v2 = 0x81 };

// RFC 1334 §2.2.1 Authenticate-Request:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Peer-ID Length|  Peer-Id ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Passwd-Length |  Password ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct PapRequest {
  std::string peer_id;
  SecureBytes password;
};
Result<PapRequest> parse_pap_request(ByteView data);            // "ppp.malformed"
Result<Bytes> serialize_pap_request(std::string_view peer_id, ByteView password);  // "ppp.length" over 255

// §2.2.2 Authenticate-Ack/Nak: Msg-Length (1) | Message.
Result<std::string> parse_pap_message(ByteView data);
Bytes serialize_pap_message(std::string_view message);  // truncated to 255 octets

// RFC 1994 §4.1 Challenge and Response:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Value-Size   |  Value ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Name ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct ChapValue {
  Bytes value;
  std::string name;
  friend bool operator==(const ChapValue&, const ChapValue&) = default;
};
Result<ChapValue> parse_chap_value(ByteView data);      // "ppp.malformed": Value-Size 0 or past the end
Result<Bytes> serialize_chap_value(const ChapValue& v);  // "ppp.length": value over 255 octets

// RFC 2759 §4 Response value (Value-Size 49):
// Peer-Challenge (16) | Reserved (8, zero) | NT-Response (24) | Flags (1, zero)
struct MsChapV2Response {
  std::array<std::uint8_t, 16> peer_challenge{};
  std::array<std::uint8_t, 24> nt_response{};
  std::uint8_t flags = 0;
  friend bool operator==(const MsChapV2Response&, const MsChapV2Response&) = default;
};
inline constexpr std::size_t kMsChapV2ResponseSize = 49;
Result<MsChapV2Response> parse_mschapv2_response(ByteView value);  // exactly 49 octets
Bytes serialize_mschapv2_response(const MsChapV2Response& r);

// §5 Success packet message: "S=<auth_string> M=<message>" (auth_string: 40 upper-case hex).
struct MsChapV2Success {
  std::string authenticator_response;  // "S=..." (42 characters)
  std::string message;
};
Result<MsChapV2Success> parse_mschapv2_success(std::string_view text);
std::string format_mschapv2_success(const MsChapV2Success& s);

// §6 Failure packet message: "E=eeeeeeeeee R=r C=cccc...(32) V=vvvvvvvvvv M=<msg>".
struct MsChapV2Failure {
  std::uint32_t error = 691;   // 646 restricted hours, 647 disabled, 648 expired, 649 no dial-in, 691 failure, 709 change
  bool retry = false;
  std::optional<std::array<std::uint8_t, 16>> challenge;
  std::uint32_t version = 3;
  std::string message;
};
Result<MsChapV2Failure> parse_mschapv2_failure(std::string_view text);
std::string format_mschapv2_failure(const MsChapV2Failure& f);

}  // namespace ipseckit::wire
