// Authentication Header framing (RFC 4302 §2) and the mutable IP fields that are zeroed for
// the ICV computation (§3.3.3.1). Crypto lives in libcore/esp.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Header   |  Payload Len  |          RESERVED             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 Security Parameters Index (SPI)               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Sequence Number Field                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  +                Integrity Check Value-ICV (variable)           |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// §2.2: Payload Len is the AH length in 32-bit words minus 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire {

inline constexpr std::size_t kAhFixedSize = 12;  // up to and including the Sequence Number

struct AhHeader {
  std::uint8_t next_header = 0;
  std::uint8_t payload_len = 0;
  std::uint32_t spi = 0;
  std::uint32_t seq = 0;
  std::size_t length = 0;  // (payload_len + 2) * 4
  ByteView icv;            // the ICV field (including any ICV padding, §3.3.3.2.1)
};

// Parses AH at the start of `data`; the whole header must be there. SPI 0 is refused (§2.4).
Result<AhHeader> parse_ah_header(ByteView data);
// §3.3.3.2.1: the AH length for an ICV of icv_len bytes, padded to 32 bits (IPv4) or 64 bits
// (IPv6).
std::size_t ah_header_length(std::size_t icv_len, bool ipv6);
// Writes an AH header of `length` bytes with a zero ICV field into out[0..length).
bool write_ah_header(std::span<std::uint8_t> out, std::uint8_t next_header, std::size_t length,
                     std::uint32_t spi, std::uint32_t seq);

// §3.3.3.1.1: zeroes, in a copy of an IPv4 header (IHL * 4 bytes, options included), the
// fields that change in transit: TOS (DSCP/ECN), flags, fragment offset, TTL, checksum, and
// every option that Appendix A1 does not list as immutable (the whole option is zeroed).
Status ah_zero_mutable_ipv4(std::span<std::uint8_t> header);
// §3.3.3.1.2: zeroes, in a copy of an IPv6 header and the extension headers before AH,
// traffic class, flow label and hop limit, and the data of hop-by-hop / destination options
// whose "may change en route" bit is set. Routing and fragment headers are refused (their
// predictable-value rules are not implemented; packets are reassembled before AH).
Status ah_zero_mutable_ipv6(std::span<std::uint8_t> headers);

}  // namespace ipseckit::wire
