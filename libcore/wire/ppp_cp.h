// PPP control-protocol packets (LCP RFC 1661 §5, IPCP RFC 1332 §2, and the header PAP and
// CHAP share) and their Configuration Options.
//
// RFC 1661 §5:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Code      |  Identifier   |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Data ...
// +-+-+-+-+-+-+-+-+
//
// RFC 1661 §6 option:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |    Length     |    Data ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire {

// RFC 1661 §5 codes (1-7 for every control protocol, 8-11 LCP only) and RFC 1570's 12, 13.
enum class CpCode : std::uint8_t {
  configure_request = 1,
  configure_ack = 2,
  configure_nak = 3,
  configure_reject = 4,
  terminate_request = 5,
  terminate_ack = 6,
  code_reject = 7,
  protocol_reject = 8,
  echo_request = 9,
  echo_reply = 10,
  discard_request = 11,
  identification = 12,   // RFC 1570; Windows sends it after LCP opens
  time_remaining = 13,   // RFC 1570
};

// LCP Configuration Options (RFC 1661 §6, RFC 1570, RFC 1990, RFC 1570).
enum class LcpOption : std::uint8_t {
  mru = 1,
  accm = 2,
  auth_protocol = 3,
  quality_protocol = 4,
  magic_number = 5,
  pfc = 7,
  acfc = 8,
  fcs_alternatives = 9,
  self_describing_pad = 10,
  callback = 13,            // RFC 1570; Windows asks for Microsoft CBCP
  mrru = 17,                // RFC 1990 multilink
  short_sequence = 18,
  endpoint_discriminator = 19,
  link_discriminator = 23,  // RFC 2125
};

// IPCP Configuration Options (RFC 1332 §3, RFC 1877).
enum class IpcpOption : std::uint8_t {
  ip_addresses = 1,     // deprecated
  ip_compression = 2,   // Van Jacobson
  ip_address = 3,
  primary_dns = 129,    // RFC 1877
  primary_nbns = 130,
  secondary_dns = 131,
  secondary_nbns = 132,
};

std::string name(CpCode c);        // "Configure-Request", ..., "<unknown:N>"
std::string name(LcpOption o);     // "MRU", ...
std::string name(IpcpOption o);    // "IP-Address", "Primary-DNS", ...

struct CpPacket {
  std::uint8_t code = 0;
  std::uint8_t id = 0;
  Bytes data;
  friend bool operator==(const CpPacket&, const CpPacket&) = default;
};

// RFC 1661 §5: a Length below 4 or past the end is invalid ("silently discarded"); octets
// after Length are padding and ignored. Refused with code "ppp.malformed".
Result<CpPacket> parse_cp(ByteView info);
// Fails (code "ppp.length") when data does not fit the 16-bit Length.
Result<Bytes> serialize_cp(const CpPacket& p);

struct CpOption {
  std::uint8_t type = 0;
  Bytes value;  // without type and length
  friend bool operator==(const CpOption&, const CpOption&) = default;
};

// RFC 1661 §6: an option Length below 2 or past the end makes the list invalid.
Result<std::vector<CpOption>> parse_options(ByteView data);
// Fails (code "ppp.length") for an option value over 253 octets.
Result<Bytes> serialize_options(const std::vector<CpOption>& opts);

}  // namespace ipseckit::wire
