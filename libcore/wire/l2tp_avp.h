// L2TP Attribute Value Pairs on the wire (RFC 2661 §4.1) and AVP hiding (§4.3).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |M|H| rsvd  |      Length       |           Vendor ID           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Attribute Type        |        Attribute Value...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//                     [until Length is reached]...                |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length (10 bits) counts the whole AVP, so it is 6..1023.
//
// Hidden AVP Subformat (§4.3), XORed with an MD5 keystream before it becomes the value:
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   Length of Original Value    |   Original Attribute Value ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//     ...                         |             Padding ...
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   b1 = MD5(Attribute Type (2 octets, network order) | shared secret | Random Vector)
//   c1 = p1 xor b1;  bi = MD5(shared secret | c(i-1));  ci = pi xor bi
// (16-octet blocks; a short last block uses the leading octets of its b.)
// wire stays free of crypto: the MD5 is passed in by the caller (l2tp::md5_for_avp_hiding).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/l2tp_types.h"

namespace ipseckit::wire {

inline constexpr std::uint16_t kAvpFlagM = 0x8000;
inline constexpr std::uint16_t kAvpFlagH = 0x4000;
inline constexpr std::uint16_t kAvpReservedMask = 0x3C00;
inline constexpr std::uint16_t kAvpLengthMask = 0x03FF;
inline constexpr std::size_t kAvpHeaderSize = 6;
inline constexpr std::size_t kAvpMaxValue = kAvpLengthMask - kAvpHeaderSize;  // 1017

struct Avp {
  bool mandatory = false;      // M
  bool hidden = false;         // H: value is the hidden subformat, still obscured
  std::uint8_t reserved = 0;   // the four rsvd bits as received (§4.1: non-zero = unrecognized)
  std::uint16_t vendor = 0;    // 0 = IETF
  std::uint16_t type = 0;
  Bytes value;

  bool is(AvpType t) const { return vendor == 0 && type == static_cast<std::uint16_t>(t); }
  friend bool operator==(const Avp&, const Avp&) = default;
};

// Splits a control message payload into AVPs (structure only). Refused (code
// "l2tp.malformed", proto l2tp_proto(2, 2)): an AVP header cut short, Length < 6 or past the
// end of the message.
Result<std::vector<Avp>> parse_avps(ByteView payload);

// Writes AVPs in order. Fails (code "l2tp.length") when a value does not fit the 10-bit Length.
Result<Bytes> serialize_avps(const std::vector<Avp>& avps);

// The MD5 used by AVP hiding, over the concatenation of the parts.
using AvpMd5 = std::array<std::uint8_t, 16> (*)(std::initializer_list<ByteView> parts);

// Builds the hidden value of `value` for attribute `type` (§4.3). `padding` is appended to the
// subformat as given (the caller draws it from its RNG; RFC 2661 leaves the amount free).
// Fails (code "l2tp.hidden") for an empty secret or Random Vector, or when the result does not
// fit an AVP.
Result<Bytes> hide_avp_value(std::uint16_t type, ByteView value, ByteView secret, ByteView random_vector,
                             ByteView padding, AvpMd5 md5);

// Reverses hide_avp_value. Fails (code "l2tp.hidden", proto l2tp_proto(2, 6)) for an empty
// secret or vector, a hidden value shorter than 2 octets, or an original length longer than
// what was hidden (usually a wrong shared secret). The 2-octet length is an output of the
// keystream, so it is never trusted to bound a read (it is checked against the data first).
Result<Bytes> unhide_avp_value(std::uint16_t type, ByteView hidden, ByteView secret, ByteView random_vector,
                               AvpMd5 md5);

}  // namespace ipseckit::wire
