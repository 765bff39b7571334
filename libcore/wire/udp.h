// UDP header (RFC 768), its checksum with the IPv4/IPv6 pseudo-header (RFC 768, RFC 8200
// §8.1), RFC 1624 incremental checksum updates, and UDP encapsulation of ESP (RFC 3948).
//
//   0      7 8     15 16    23 24    31
//  +--------+--------+--------+--------+
//  |     Source      |   Destination   |
//  |      Port       |      Port       |
//  +--------+--------+--------+--------+
//  |     Length      |    Checksum     |
//  +--------+--------+--------+--------+
//
// RFC 3948 §2.2/§2.3/§4: on port 4500 a datagram is ESP (first 4 bytes = a non-zero SPI), IKE
// (first 4 bytes = the zero "non-ESP marker"), or a NAT-keepalive (one byte 0xFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::wire {

inline constexpr std::size_t kUdpHeaderSize = 8;
inline constexpr std::uint16_t kNatTPort = 4500;          // RFC 3948 §2
inline constexpr std::size_t kNonEspMarkerSize = 4;       // RFC 3948 §2.2
inline constexpr std::uint8_t kNatKeepalive = 0xFF;       // RFC 3948 §2.3

struct UdpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t length = 0;    // header + data
  std::uint16_t checksum = 0;  // 0 = none (IPv4 only)
  friend bool operator==(const UdpHeader&, const UdpHeader&) = default;
};

// Checks 8 <= length <= datagram size; the data is datagram[8..length).
Result<UdpHeader> parse_udp_header(ByteView datagram);
bool write_udp_header(std::span<std::uint8_t> out, const UdpHeader& h);

// The Internet checksum of a TCP/UDP segment (its checksum field included as it is) with the
// pseudo-header of src/dst/proto/length. Over a segment whose checksum field is 0 this is the
// value to store; over a correct segment it is 0. For UDP a computed 0 is sent as 0xFFFF.
std::uint16_t transport_checksum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto, ByteView segment);
// Fills in the UDP checksum of datagram (header at [0..8)) for src/dst.
void set_udp_checksum(std::span<std::uint8_t> datagram, const IpAddr& src, const IpAddr& dst);

// RFC 1624 eqn. 3: the checksum after bytes `from` (even length) were replaced by `to`.
std::uint16_t checksum_replace(std::uint16_t checksum, ByteView from, ByteView to);

enum class UdpEncapKind : std::uint8_t { esp, ike, keepalive, invalid };
// Classifies the data of a datagram received on the NAT-T port (RFC 3948 §2.2, §2.3, §4).
// invalid: shorter than an ESP header and not a keepalive.
UdpEncapKind classify_udp_encap(ByteView data);

}  // namespace ipseckit::wire
