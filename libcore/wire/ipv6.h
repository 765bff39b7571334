// IPv6 header (RFC 8200 §3) and the extension-header walk IPsec needs (RFC 4303 §3.1.1,
// RFC 4302 §3.1.1): where ESP/AH go in transport mode, and where they are on receipt.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Version| Traffic Class |           Flow Label                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Payload Length        |  Next Header  |   Hop Limit   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Source Address (128 bits)                  |
//  |                 Destination Address (128 bits)                |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::wire {

inline constexpr std::size_t kIpv6HeaderSize = 40;

enum class Ipv6Ext : std::uint8_t { hop_by_hop = 0, routing = 43, fragment = 44, dest_opts = 60 };

struct Ipv6Header {
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;  // 20 bits
  std::uint16_t payload_length = 0;
  std::uint8_t next_header = 0;
  std::uint8_t hop_limit = 64;
  IpAddr src;
  IpAddr dst;
};

// Version must be 6 and the payload length must fit the buffer (jumbograms, payload length
// 0 with a hop-by-hop jumbo option, are refused).
Result<Ipv6Header> parse_ipv6_header(ByteView packet);
// Writes the 40-byte header into out[0..40); false when out is shorter.
bool write_ipv6_header(std::span<std::uint8_t> out, const Ipv6Header& h);

// The extension headers that precede ESP or AH in transport mode: hop-by-hop, routing,
// fragment, and destination options that come before a routing header (RFC 4303 §3.1.1).
struct Ipv6Split {
  std::size_t header_length = 0;       // 40 + the extension headers that stay in front
  std::size_t next_header_offset = 0;  // offset of the Next Header byte to rewrite
  std::uint8_t next_header = 0;        // the protocol that follows those headers
  bool fragment = false;               // a Fragment header was passed (not first or MF set)
};
Result<Ipv6Split> ipv6_split_for_ipsec(ByteView packet);

// Walks every extension header up to the upper-layer protocol (AH and ESP count as upper
// layers here); same result shape, used on receipt to find AH/ESP/UDP.
Result<Ipv6Split> ipv6_find_upper_layer(ByteView packet);

}  // namespace ipseckit::wire
