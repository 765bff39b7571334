#include "wire/udp.h"

#include <fmt/format.h>

#include "wire/esp.h"

namespace ipseckit::wire {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

std::uint32_t sum16(ByteView data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  return sum;
}

std::uint32_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

}  // namespace

Result<UdpHeader> parse_udp_header(ByteView datagram) {
  ByteReader r(datagram, "UDP header");
  UdpHeader h;
  h.src_port = r.u16be();
  h.dst_port = r.u16be();
  h.length = r.u16be();
  h.checksum = r.u16be();
  if (!r.ok()) return malformed(r.failure());
  if (h.length < kUdpHeaderSize || h.length > datagram.size())
    return malformed(fmt::format("UDP header: length {} outside 8..{}", h.length, datagram.size()));
  return h;
}

bool write_udp_header(std::span<std::uint8_t> out, const UdpHeader& h) {
  if (out.size() < kUdpHeaderSize) return false;
  const std::uint16_t f[4] = {h.src_port, h.dst_port, h.length, h.checksum};
  for (std::size_t i = 0; i < 4; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(f[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(f[i]);
  }
  return true;
}

std::uint16_t transport_checksum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto, ByteView segment) {
  const std::size_t alen = src.is_v6() ? 16 : 4;
  std::uint32_t sum = sum16(ByteView(src.bytes().data(), alen), 0);
  sum = sum16(ByteView(dst.bytes().data(), alen), sum);
  // RFC 768 / RFC 8200 §8.1: zero, protocol, and the upper-layer length (32 bits for IPv6).
  sum += proto;
  sum += static_cast<std::uint32_t>(segment.size() & 0xFFFF) + static_cast<std::uint32_t>(segment.size() >> 16);
  sum = sum16(segment, sum);
  return static_cast<std::uint16_t>(~fold(sum));
}

void set_udp_checksum(std::span<std::uint8_t> datagram, const IpAddr& src, const IpAddr& dst) {
  if (datagram.size() < kUdpHeaderSize) return;
  datagram[6] = datagram[7] = 0;
  std::uint16_t c = transport_checksum(src, dst, 17, datagram);
  if (c == 0) c = 0xFFFF;  // RFC 768: a computed zero is transmitted as all ones
  datagram[6] = static_cast<std::uint8_t>(c >> 8);
  datagram[7] = static_cast<std::uint8_t>(c);
}

std::uint16_t checksum_replace(std::uint16_t checksum, ByteView from, ByteView to) {
  // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), summed 16 bits at a time.
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  for (std::size_t i = 0; i + 1 < from.size(); i += 2)
    sum += static_cast<std::uint16_t>(~((from[i] << 8) | from[i + 1]));
  sum = sum16(to, sum);
  return static_cast<std::uint16_t>(~fold(sum));
}

UdpEncapKind classify_udp_encap(ByteView data) {
  // RFC 3948 §2.3: "A NAT-keepalive packet ... is a UDP packet with a single-octet payload
  // whose value is 0xFF".
  if (data.size() == 1 && data[0] == kNatKeepalive) return UdpEncapKind::keepalive;
  if (data.size() < kNonEspMarkerSize) return UdpEncapKind::invalid;
  const bool marker = (data[0] | data[1] | data[2] | data[3]) == 0;
  // §2.2: the non-ESP marker precedes IKE; an ESP packet starts with its non-zero SPI and is at
  // least an ESP header long.
  if (marker) return UdpEncapKind::ike;
  return data.size() >= kEspHeaderSize ? UdpEncapKind::esp : UdpEncapKind::invalid;
}

}  // namespace ipseckit::wire
