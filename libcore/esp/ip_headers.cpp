#include "esp/ip_headers.h"

#include <array>
#include <cstring>
#include <string>

#include "wire/ip_packet.h"
#include "wire/ipv6.h"

namespace ipseckit::esp {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

Result<IpInfo> inspect_v4(ByteView packet) {
  auto h = wire::parse_ipv4_header(packet);
  if (!h) return h.error();
  IpInfo i;
  i.header_len = std::size_t{h->ihl} * 4;
  i.next_header_off = 9;
  i.proto = h->protocol;
  i.total_len = h->total_length;
  i.fragment = h->more_fragments() || h->frag_offset() != 0;
  i.df = (h->flags_frag & 0x4000) != 0;
  i.tos = h->tos;
  i.src = h->src;
  i.dst = h->dst;
  return i;
}

template <class Split>
Result<IpInfo> inspect_v6(ByteView packet, Split&& split) {
  auto h = wire::parse_ipv6_header(packet);
  if (!h) return h.error();
  auto s = split(packet);
  if (!s) return s.error();
  IpInfo i;
  i.v6 = true;
  i.header_len = s->header_length;
  i.next_header_off = s->next_header_offset;
  i.proto = s->next_header;
  i.total_len = wire::kIpv6HeaderSize + h->payload_length;
  i.fragment = s->fragment;
  i.tos = h->traffic_class;
  i.src = h->src;
  i.dst = h->dst;
  if (i.header_len > kMaxKeptHeaders) return malformed("IPv6 packet: extension headers longer than 256 bytes");
  return i;
}

bool is_ipv6_ext(std::uint8_t nh) { return nh == 0 || nh == 43 || nh == 44 || nh == 60; }

Result<IpInfo> explain(ByteView packet, bool received) {
  if (packet.empty()) return malformed("IP packet: empty");
  switch (packet[0] >> 4) {
    case 4: return inspect_v4(packet);
    case 6:
      return received ? inspect_v6(packet, wire::ipv6_find_upper_layer)
                      : inspect_v6(packet, wire::ipv6_split_for_ipsec);
    default: return malformed("IP packet: version " + std::to_string(packet[0] >> 4));
  }
}

}  // namespace

bool inspect_packet(ByteView packet, bool received, IpInfo& i) {
  const std::size_t n = packet.size();
  if (n < 20) return false;
  const std::uint8_t* p = packet.data();
  if ((p[0] >> 4) == 4) {
    // RFC 791: version, IHL >= 5, IHL*4 <= total length <= buffer, header checksum.
    const std::size_t hl = std::size_t{p[0] & 0xFu} * 4;
    const std::size_t total = (std::size_t{p[2]} << 8) | p[3];
    if (hl < 20 || hl > n || total < hl || total > n || wire::inet_checksum(ByteView(p, hl)) != 0) return false;
    const std::uint16_t ff = static_cast<std::uint16_t>((p[6] << 8) | p[7]);
    i.v6 = false;
    i.header_len = hl;
    i.next_header_off = 9;
    i.proto = p[9];
    i.total_len = total;
    i.fragment = (ff & 0x3FFF) != 0;
    i.df = (ff & 0x4000) != 0;
    i.tos = p[1];
    i.src = wire::IpAddr::v4((std::uint32_t{p[12]} << 24) | (std::uint32_t{p[13]} << 16) | (std::uint32_t{p[14]} << 8) | p[15]);
    i.dst = wire::IpAddr::v4((std::uint32_t{p[16]} << 24) | (std::uint32_t{p[17]} << 16) | (std::uint32_t{p[18]} << 8) | p[19]);
    return true;
  }
  if ((p[0] >> 4) != 6 || n < wire::kIpv6HeaderSize) return false;
  const std::size_t payload = (std::size_t{p[4]} << 8) | p[5];
  if (payload > n - wire::kIpv6HeaderSize || (payload == 0 && p[6] == 0)) return false;
  if (is_ipv6_ext(p[6])) {  // extension headers: the checked walk
    auto r = received ? inspect_v6(packet, wire::ipv6_find_upper_layer) : inspect_v6(packet, wire::ipv6_split_for_ipsec);
    if (!r) return false;
    i = *r;
    return true;
  }
  std::array<std::uint8_t, 16> a{};
  i.v6 = true;
  i.header_len = wire::kIpv6HeaderSize;
  i.next_header_off = 6;
  i.proto = p[6];
  i.total_len = wire::kIpv6HeaderSize + payload;
  i.fragment = false;
  i.df = false;
  i.tos = static_cast<std::uint8_t>(((p[0] & 0xF) << 4) | (p[1] >> 4));
  std::memcpy(a.data(), p + 8, 16);
  i.src = wire::IpAddr::v6(a);
  std::memcpy(a.data(), p + 24, 16);
  i.dst = wire::IpAddr::v6(a);
  return true;
}

Result<IpInfo> inspect_to_protect(ByteView packet) {
  IpInfo i;
  if (inspect_packet(packet, false, i)) return i;
  return explain(packet, false);
}

Result<IpInfo> inspect_received(ByteView packet) {
  IpInfo i;
  if (inspect_packet(packet, true, i)) return i;
  return explain(packet, true);
}

std::size_t write_outer_header(std::span<std::uint8_t> out, const OuterHeader& h, std::size_t total_len) {
  if (h.src.is_v6()) {
    if (total_len < wire::kIpv6HeaderSize || total_len - wire::kIpv6HeaderSize > 0xFFFF) return 0;
    wire::Ipv6Header v6;
    v6.traffic_class = h.tos;
    v6.payload_length = static_cast<std::uint16_t>(total_len - wire::kIpv6HeaderSize);
    v6.next_header = h.proto;
    v6.hop_limit = h.ttl;
    v6.src = h.src;
    v6.dst = h.dst;
    return wire::write_ipv6_header(out, v6) ? wire::kIpv6HeaderSize : 0;
  }
  if (out.size() < 20 || total_len < 20 || total_len > 0xFFFF) return 0;
  std::uint8_t* p = out.data();
  p[0] = 0x45;
  p[1] = h.tos;
  put16(p + 2, static_cast<std::uint16_t>(total_len));
  put16(p + 4, h.id);
  put16(p + 6, h.df ? 0x4000 : 0);
  p[8] = h.ttl;
  p[9] = h.proto;
  p[10] = p[11] = 0;
  std::memcpy(p + 12, h.src.bytes().data(), 4);
  std::memcpy(p + 16, h.dst.bytes().data(), 4);
  put16(p + 10, wire::inet_checksum(ByteView(p, 20)));
  return 20;
}

void patch_ip_header(std::span<std::uint8_t> packet, const IpInfo& info, std::uint8_t proto) {
  std::uint8_t* p = packet.data();
  p[info.next_header_off] = proto;
  if (info.v6) {
    put16(p + 4, static_cast<std::uint16_t>(packet.size() - wire::kIpv6HeaderSize));
    return;
  }
  put16(p + 2, static_cast<std::uint16_t>(packet.size()));
  p[10] = p[11] = 0;
  put16(p + 10, wire::inet_checksum(ByteView(p, info.header_len)));
}

void propagate_ecn(std::span<std::uint8_t> inner, std::uint8_t outer_tos) {
  if (inner.size() < 20 || (outer_tos & 3) != 3) return;
  std::uint8_t* p = inner.data();
  if ((p[0] >> 4) == 4) {
    const std::size_t ihl = std::size_t{p[0] & 0xFu} * 4;
    if (ihl < 20 || ihl > inner.size()) return;
    if ((p[1] & 3) == 0 || (p[1] & 3) == 3) return;
    p[1] |= 3;
    p[10] = p[11] = 0;
    put16(p + 10, wire::inet_checksum(ByteView(p, ihl)));
  } else if ((p[0] >> 4) == 6) {
    const unsigned ecn = (p[1] >> 4) & 3;
    if (ecn == 0 || ecn == 3) return;
    p[1] |= 0x30;
  }
}

}  // namespace ipseckit::esp
