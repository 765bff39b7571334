#include "wire/ipv6.h"

#include <fmt/format.h>

#include <array>

namespace ipseckit::wire {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

constexpr int kMaxExtensionHeaders = 16;

bool is_ext(std::uint8_t nh) {
  return nh == static_cast<std::uint8_t>(Ipv6Ext::hop_by_hop) || nh == static_cast<std::uint8_t>(Ipv6Ext::routing) ||
         nh == static_cast<std::uint8_t>(Ipv6Ext::fragment) || nh == static_cast<std::uint8_t>(Ipv6Ext::dest_opts);
}

// Walks extension headers; `stop(nh, following)` decides whether to stop before header nh
// (following = the Next Header value inside nh, or 255 when nh is not an extension).
template <class Stop>
Result<Ipv6Split> walk(ByteView packet, Stop&& stop) {
  auto h = parse_ipv6_header(packet);
  if (!h) return h.error();
  ByteView pkt = packet.first(kIpv6HeaderSize + h->payload_length);
  Ipv6Split s;
  s.header_length = kIpv6HeaderSize;
  s.next_header_offset = 6;
  s.next_header = h->next_header;
  for (int i = 0; i < kMaxExtensionHeaders; ++i) {
    const std::uint8_t nh = s.next_header;
    if (!is_ext(nh)) return s;
    ByteReader r(pkt.subspan(s.header_length), "IPv6 extension");
    const std::uint8_t following = r.u8();
    std::size_t len = 8;
    if (nh == static_cast<std::uint8_t>(Ipv6Ext::fragment)) {
      r.skip(1);
      const std::uint16_t off = r.u16be();
      if ((off & 0xFFF9) != 0) s.fragment = true;  // offset != 0 or M flag
    } else {
      len = (std::size_t{r.u8()} + 1) * 8;
    }
    if (!r.ok() || pkt.size() - s.header_length < len)
      return malformed(fmt::format("IPv6 extension header {} at offset {}: truncated", nh, s.header_length));
    if (stop(nh, following)) return s;
    s.next_header_offset = s.header_length;
    s.header_length += len;
    s.next_header = following;
  }
  return malformed("IPv6 packet: more than 16 extension headers");
}

}  // namespace

Result<Ipv6Header> parse_ipv6_header(ByteView packet) {
  ByteReader r(packet, "IPv6 header");
  const std::uint32_t first = r.u32be();
  Ipv6Header h;
  h.payload_length = r.u16be();
  h.next_header = r.u8();
  h.hop_limit = r.u8();
  ByteView s = r.bytes(16), d = r.bytes(16);
  if (!r.ok()) return malformed(r.failure());
  if ((first >> 28) != 6) return malformed(fmt::format("IPv6 header: version {} is not 6", first >> 28));
  h.traffic_class = static_cast<std::uint8_t>(first >> 20);
  h.flow_label = first & 0xFFFFF;
  std::array<std::uint8_t, 16> a{};
  std::copy(s.begin(), s.end(), a.begin());
  h.src = IpAddr::v6(a);
  std::copy(d.begin(), d.end(), a.begin());
  h.dst = IpAddr::v6(a);
  if (h.payload_length == 0 && h.next_header == 0) return malformed("IPv6 header: jumbograms are not supported");
  if (h.payload_length > r.remaining())
    return malformed(fmt::format("IPv6 header: payload length {} but {} bytes follow", h.payload_length, r.remaining()));
  return h;
}

bool write_ipv6_header(std::span<std::uint8_t> out, const Ipv6Header& h) {
  if (out.size() < kIpv6HeaderSize || !h.src.is_v6() || !h.dst.is_v6()) return false;
  const std::uint32_t first = (6u << 28) | (std::uint32_t{h.traffic_class} << 20) | (h.flow_label & 0xFFFFF);
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(first >> (24 - 8 * i));
  out[4] = static_cast<std::uint8_t>(h.payload_length >> 8);
  out[5] = static_cast<std::uint8_t>(h.payload_length);
  out[6] = h.next_header;
  out[7] = h.hop_limit;
  std::copy(h.src.bytes().begin(), h.src.bytes().end(), out.begin() + 8);
  std::copy(h.dst.bytes().begin(), h.dst.bytes().end(), out.begin() + 24);
  return true;
}

Result<Ipv6Split> ipv6_split_for_ipsec(ByteView packet) {
  // RFC 4303 §3.1.1: ESP comes after hop-by-hop, routing and fragmentation headers; the
  // destination options header may be before or after it (we keep one that precedes a
  // routing header in front, as it is processed by intermediate destinations).
  return walk(packet, [](std::uint8_t nh, std::uint8_t following) {
    if (nh == static_cast<std::uint8_t>(Ipv6Ext::dest_opts))
      return following != static_cast<std::uint8_t>(Ipv6Ext::routing);
    return false;
  });
}

Result<Ipv6Split> ipv6_find_upper_layer(ByteView packet) {
  return walk(packet, [](std::uint8_t, std::uint8_t) { return false; });
}

}  // namespace ipseckit::wire
