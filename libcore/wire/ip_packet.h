// IPv4 (RFC 791) / IPv6 (RFC 8200) headers and the transport 5-tuple the SPD classifies.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |Version|  IHL  |Type of Service|          Total Length         |
//  |         Identification        |Flags|      Fragment Offset    |
//  |  Time to Live |    Protocol   |         Header Checksum       |
//  |                       Source Address                          |
//  |                    Destination Address                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::wire {

enum class IpProto : std::uint8_t { any = 0, icmp = 1, tcp = 6, udp = 17, esp = 50, ah = 51, icmpv6 = 58, raw = 255 };

struct FiveTuple {
  IpAddr src;
  IpAddr dst;
  std::uint8_t protocol = 0;
  std::uint16_t src_port = 0;  // 0 when the protocol has no ports or for non-first fragments
  std::uint16_t dst_port = 0;
  friend bool operator==(const FiveTuple&, const FiveTuple&) = default;
};

struct Ipv4Header {
  std::uint8_t ihl = 5;  // in 32-bit words
  std::uint8_t tos = 0;
  std::uint16_t total_length = 0;
  std::uint16_t id = 0;
  std::uint16_t flags_frag = 0;  // flags (3 bits) + fragment offset (13 bits)
  std::uint8_t ttl = 64;
  std::uint8_t protocol = 0;
  std::uint16_t checksum = 0;
  IpAddr src;
  IpAddr dst;

  bool more_fragments() const { return flags_frag & 0x2000; }
  std::uint16_t frag_offset() const { return flags_frag & 0x1FFF; }
};

// Parses and validates version, IHL, total length (<= buffer) and the header checksum.
Result<Ipv4Header> parse_ipv4_header(ByteView packet);
// Serialises a 20-byte header (options unsupported) with a freshly computed checksum.
Bytes serialize_ipv4_header(const Ipv4Header& h);
// RFC 1071 Internet checksum over data.
std::uint16_t inet_checksum(ByteView data, std::uint32_t initial = 0);

// Extracts the SPD selector from an IPv4 or IPv6 packet. Ports are read for TCP, UDP and
// SCTP first fragments; IPv6 extension headers (hop-by-hop, routing, destination options,
// fragment) are walked.
Result<FiveTuple> extract_five_tuple(ByteView packet);

}  // namespace ipseckit::wire
