// Path-MTU helpers for the tunnel: the ICMP error that tells an inner sender its packet does
// not fit once encapsulated, and TCP MSS clamping so TCP never sends such packets.
//
// ICMPv4 Destination Unreachable, Fragmentation Needed (RFC 792, RFC 1191 §4):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Type = 3    |   Code = 4    |           Checksum            |
//   |           unused = 0          |         Next-Hop MTU          |
//   |      Internet Header + leading bytes of the original datagram |
// ICMPv6 Packet Too Big (RFC 4443 §3.2): Type 2, Code 0, a 32-bit MTU, then as much of the
// original packet as fits in the minimum IPv6 MTU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::esp {

// Builds the whole IP packet (IPv4 + ICMPv4 type 3 code 4, or IPv6 + ICMPv6 type 2) from `from`
// to the offending packet's source, quoting it (IPv4: up to 548 bytes, so the error stays within
// 576 bytes as RFC 1812 §4.3.2.3 asks; IPv6: up to 1280 bytes in all, RFC 4443 §2.4(c)).
// Returns the length written into out (at least 1280 bytes are always enough). Refuses (code
// "malformed") to answer an ICMP error, a non-first fragment, or a broadcast/multicast/
// unspecified source (RFC 1812 §4.3.2.7, RFC 4443 §2.4(e)).
Result<std::size_t> build_icmp_too_big(ByteView packet, std::uint32_t mtu, const wire::IpAddr& from,
                                       std::span<std::uint8_t> out);

// RFC 6691 / RFC 879: if packet is an IPv4/IPv6 TCP segment with SYN whose MSS option exceeds
// mss, lowers it and updates the TCP checksum incrementally (RFC 1624). True when changed.
bool clamp_tcp_mss(std::span<std::uint8_t> packet, std::uint16_t mss);

}  // namespace ipseckit::esp
