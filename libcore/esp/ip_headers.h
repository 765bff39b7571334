// IP-header chores of the ESP/AH data path, done in place on packet memory: inspecting an IPv4
// or IPv6 packet (where its upper layer starts, which byte names it), writing a tunnel's outer
// header, patching lengths and checksums after headers were added or removed, and the
// DSCP/ECN rules of RFC 4301 §5.1.2 and RFC 6040.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::esp {

inline constexpr std::size_t kMaxKeptHeaders = 256;  // IPv4 with options, IPv6 with extensions

struct IpInfo {
  bool v6 = false;
  std::size_t header_len = 0;        // bytes in front of the upper layer (IPv6: incl. extensions)
  std::size_t next_header_off = 0;   // the byte naming the upper layer (IPv4: 9)
  std::uint8_t proto = 0;            // that upper-layer protocol
  std::size_t total_len = 0;         // the packet's own length (the buffer may be longer)
  bool fragment = false;             // not a whole packet (IPv4 MF/offset, IPv6 fragment header)
  bool df = false;                   // IPv4 Don't Fragment
  std::uint8_t tos = 0;              // IPv4 TOS / IPv6 Traffic Class (DSCP + ECN)
  wire::IpAddr src, dst;
};

// The data path's form: no error text and nothing allocated (IPv4 and extension-free IPv6 are
// decoded in place after one length check; IPv6 extension chains are walked by wire/ipv6).
// received: as inspect_received(), else as inspect_to_protect().
bool inspect_packet(ByteView packet, bool received, IpInfo& out);

// For a packet to protect: IPv6 extension headers that must precede ESP/AH stay in front
// (RFC 4303 §3.1.1). Fails on anything that is not a well-formed IPv4/IPv6 packet.
Result<IpInfo> inspect_to_protect(ByteView packet);
// For a received packet: the header chain is walked to the first non-extension header.
Result<IpInfo> inspect_received(ByteView packet);

struct OuterHeader {
  wire::IpAddr src, dst;
  std::uint8_t proto = 0;
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;
  bool df = false;
  std::uint16_t id = 0;
};
// Writes a 20-byte IPv4 or 40-byte IPv6 header (per src's family) for a packet of total_len
// bytes into out; returns the header length or 0 when out is short or the length too large.
std::size_t write_outer_header(std::span<std::uint8_t> out, const OuterHeader& h, std::size_t total_len);

// After the upper layer changed: rewrites the byte at next_header_off, the IPv4 total length
// and header checksum, or the IPv6 payload length. `packet` is the whole packet.
void patch_ip_header(std::span<std::uint8_t> packet, const IpInfo& info, std::uint8_t proto);

// RFC 6040 §4.2 (normal mode) decapsulation: an outer CE mark is copied onto an ECN-capable
// inner packet (inner Not-ECT stays, the RFC's "drop" case is left to the caller's AQM).
void propagate_ecn(std::span<std::uint8_t> inner, std::uint8_t outer_tos);

}  // namespace ipseckit::esp
