#include "wire/ip_packet.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace ipseckit::wire {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

bool has_ports(std::uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

}  // namespace

// RFC 1071 §4.1, 32 bits at a time: the one's complement sum does not depend on byte order
// (§2(B)), so native-order words are added and the folded result is swapped back once.
std::uint16_t inet_checksum(ByteView data, std::uint32_t sum) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  std::uint64_t acc = 0;
  for (; n >= 4; p += 4, n -= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
  }
  std::uint8_t tail[4] = {0, 0, 0, 0};  // the last 0-3 bytes; an odd byte pads with a zero
  if (n) std::memcpy(tail, p, n);
  std::uint32_t w;
  std::memcpy(&w, tail, 4);
  acc += w;
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  auto v = static_cast<std::uint32_t>(acc);
  if constexpr (std::endian::native == std::endian::little) v = ((v >> 8) | (v << 8)) & 0xFFFF;
  std::uint64_t total = std::uint64_t{sum} + v;
  while (total >> 16) total = (total & 0xFFFF) + (total >> 16);
  return static_cast<std::uint16_t>(~total);
}

Result<Ipv4Header> parse_ipv4_header(ByteView packet) {
  ByteReader r(packet, "IPv4 header");
  Ipv4Header h;
  std::uint8_t vihl = r.u8();
  if (!r.ok()) return malformed(r.failure());
  if ((vihl >> 4) != 4) return malformed(fmt::format("IPv4 header: version {} is not 4", vihl >> 4));
  h.ihl = vihl & 0xF;
  if (h.ihl < 5) return malformed(fmt::format("IPv4 header: IHL {} below 5", h.ihl));
  std::size_t hlen = std::size_t{h.ihl} * 4;
  if (packet.size() < hlen) return malformed(fmt::format("IPv4 header: {} bytes, IHL says {}", packet.size(), hlen));
  h.tos = r.u8();
  h.total_length = r.u16be();
  h.id = r.u16be();
  h.flags_frag = r.u16be();
  h.ttl = r.u8();
  h.protocol = r.u8();
  h.checksum = r.u16be();
  h.src = IpAddr::v4(r.u32be());
  h.dst = IpAddr::v4(r.u32be());
  if (h.total_length < hlen || h.total_length > packet.size())
    return malformed(fmt::format("IPv4 header: total length {} outside {}..{}", h.total_length, hlen, packet.size()));
  if (inet_checksum(packet.first(hlen)) != 0) return malformed("IPv4 header: bad checksum");
  return h;
}

Bytes serialize_ipv4_header(const Ipv4Header& h) {
  ByteWriter w;
  w.u8(0x45);
  w.u8(h.tos);
  w.u16be(h.total_length);
  w.u16be(h.id);
  w.u16be(h.flags_frag);
  w.u8(h.ttl);
  w.u8(h.protocol);
  w.u16be(0);
  w.u32be(h.src.v4_value());
  w.u32be(h.dst.v4_value());
  w.patch_u16be(10, inet_checksum(w.data()));
  return w.take();
}

Result<FiveTuple> extract_five_tuple(ByteView packet) {
  if (packet.empty()) return malformed("IP packet: empty");
  FiveTuple t;
  ByteReader r(packet, "IP packet");
  bool first_fragment = true;
  if ((packet[0] >> 4) == 4) {
    auto h = parse_ipv4_header(packet);
    if (!h) return h.error();
    t.src = h->src;
    t.dst = h->dst;
    t.protocol = h->protocol;
    first_fragment = h->frag_offset() == 0;
    r.skip(std::size_t{h->ihl} * 4);
  } else if ((packet[0] >> 4) == 6) {
    r.skip(6);
    std::uint8_t next = r.u8();
    r.skip(1);
    std::array<std::uint8_t, 16> a{};
    auto s = r.bytes(16);
    if (s.size() == 16) std::copy(s.begin(), s.end(), a.begin());
    t.src = IpAddr::v6(a);
    auto d = r.bytes(16);
    if (d.size() == 16) std::copy(d.begin(), d.end(), a.begin());
    t.dst = IpAddr::v6(a);
    if (!r.ok()) return malformed(r.failure());
    // Walk extension headers (RFC 8200 §4), bounded by the packet.
    for (int hops = 0; hops < 16; ++hops) {
      if (next == 0 || next == 43 || next == 60) {
        next = r.u8();
        std::size_t len = (std::size_t{r.u8()} + 1) * 8;
        r.skip(len - 2);
      } else if (next == 44) {
        next = r.u8();
        r.skip(1);
        std::uint16_t off = r.u16be();
        r.skip(4);
        if ((off >> 3) != 0) first_fragment = false;
      } else {
        break;
      }
      if (!r.ok()) return malformed(r.failure());
    }
    t.protocol = next;
  } else {
    return malformed(fmt::format("IP packet: version {}", packet[0] >> 4));
  }
  if (has_ports(t.protocol) && first_fragment && r.remaining() >= 4) {
    t.src_port = r.u16be();
    t.dst_port = r.u16be();
  }
  return t;
}

}  // namespace ipseckit::wire
