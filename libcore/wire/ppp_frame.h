// PPP frames as they travel in L2TP data messages (RFC 2661 §5.4: the PPP frame minus the
// HDLC flags, FCS and transparency): an optional address/control field and the protocol field.
//
// RFC 1662 §3.1 / RFC 1661 §2:
// +----------+----------+----------+-------------+---------+
// | Address  | Control  | Protocol | Information | Padding |
// | 11111111 | 00000011 | 8/16 bits|      *      |    *    |
// +----------+----------+----------+-------------+---------+
//
// RFC 1661 §6.6 (ACFC): the address/control field may be absent. §6.5 (PFC): a protocol
// value below 0x100 may be sent as one octet. Protocol values are odd in the low octet and
// even in the high octet (§2), so the first octet tells which form was used. Both forms are
// accepted on receipt whatever was negotiated ("MUST accept" is the robust reading of §6.5/6.6
// for L2TP, where xl2tpd and Windows always send FF 03).
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire {

// IANA PPP DLL protocol numbers we meet.
enum class PppProtocol : std::uint16_t {
  ip = 0x0021,
  mp = 0x003D,          // Multilink
  ipv6 = 0x0057,
  vj_compressed = 0x002D,
  vj_uncompressed = 0x002F,
  ipcp = 0x8021,
  ecp = 0x8053,
  ipv6cp = 0x8057,
  ccp = 0x80FD,
  lcp = 0xC021,
  pap = 0xC023,
  lqr = 0xC025,
  cbcp = 0xC029,        // Microsoft callback control
  chap = 0xC223,
  eap = 0xC227,
};

std::string name(PppProtocol p);  // "LCP", "IPCP", ..., "<unknown:0x8281>"

inline constexpr std::uint8_t kPppAddress = 0xFF;
inline constexpr std::uint8_t kPppControl = 0x03;

struct PppFrame {
  bool address_control = false;      // FF 03 was present
  bool protocol_compressed = false;  // one-octet protocol field
  std::uint16_t protocol = 0;
  ByteView info;
};

// Refused (code "ppp.malformed"): empty frame, FF not followed by 03, a protocol field cut
// short, or a two-octet protocol value whose low octet is even (RFC 1661 §2).
Result<PppFrame> parse_ppp_frame(ByteView frame);

// Writes [FF 03] protocol info. The protocol is compressed only when asked and representable
// (< 0x100); LCP is never compressed (RFC 1661 §6.5: "MUST NOT" for LCP packets) and always
// carries FF 03 (§6.6).
Bytes serialize_ppp_frame(std::uint16_t protocol, ByteView info, bool address_control = true,
                          bool compress_protocol = false);

}  // namespace ipseckit::wire
