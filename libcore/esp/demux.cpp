#include "esp/demux.h"

#include <algorithm>

#include "wire/udp.h"

namespace ipseckit::esp {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

std::uint32_t u32(ByteView b, std::size_t off) {
  return (std::uint32_t{b[off]} << 24) | (std::uint32_t{b[off + 1]} << 16) | (std::uint32_t{b[off + 2]} << 8) |
         b[off + 3];
}

}  // namespace

Result<Demuxed> demux_inbound(ByteView packet, std::uint16_t natt_port) {
  auto info = inspect_received(packet);
  if (!info) return info.error();
  Demuxed d;
  d.src = info->src;
  d.dst = info->dst;
  d.offset = info->header_len;
  const ByteView l4 = packet.subspan(info->header_len, info->total_len - info->header_len);
  if (info->proto != 50 && info->proto != 51 && info->proto != 17) return d;
  if (info->fragment) return malformed("IPsec packet: outer fragment (reassemble first)");
  if (info->proto == 50 || info->proto == 51) {
    const std::size_t spi_at = info->proto == 50 ? 0 : 4;  // AH: after next header, length, reserved
    if (l4.size() < spi_at + 8) return malformed(info->proto == 50 ? "ESP packet: truncated" : "AH packet: truncated");
    d.carrier = info->proto == 50 ? Carrier::esp : Carrier::ah;
    d.spi = u32(l4, spi_at);
    return d;
  }
  auto udp = wire::parse_udp_header(l4);
  if (!udp) return udp.error();
  if (udp->dst_port != natt_port) return d;
  const ByteView data = l4.subspan(wire::kUdpHeaderSize, udp->length - wire::kUdpHeaderSize);
  d.offset += wire::kUdpHeaderSize;
  switch (wire::classify_udp_encap(data)) {
    case wire::UdpEncapKind::esp:
      d.carrier = Carrier::esp_in_udp;
      d.spi = u32(data, 0);
      return d;
    case wire::UdpEncapKind::ike: d.carrier = Carrier::ike_in_udp; return d;
    case wire::UdpEncapKind::keepalive: d.carrier = Carrier::nat_keepalive; return d;
    case wire::UdpEncapKind::invalid: break;
  }
  return malformed("UDP-encapsulated packet: too short for ESP");
}

bool fixup_transport_checksum(std::span<std::uint8_t> packet, const IpInfo& info,
                              const std::optional<wire::IpAddr>& orig_src,
                              const std::optional<wire::IpAddr>& orig_dst) {
  if ((info.proto != 6 && info.proto != 17) || info.fragment || packet.size() < info.header_len) return false;
  std::span<std::uint8_t> l4 = packet.subspan(info.header_len);
  const std::size_t at = info.proto == 6 ? 16 : 6;
  if (l4.size() < (info.proto == 6 ? 20u : 8u)) return false;
  const std::uint16_t cur = static_cast<std::uint16_t>((l4[at] << 8) | l4[at + 1]);
  if (info.proto == 17 && cur == 0 && !info.v6) return false;  // no checksum to fix (RFC 768)
  std::uint16_t sum;
  if (orig_src && orig_dst && orig_src->is_v6() == info.v6 && orig_dst->is_v6() == info.v6) {
    const std::size_t alen = info.v6 ? 16 : 4;
    std::uint8_t from[32], to[32];
    std::copy_n(orig_src->bytes().begin(), alen, from);
    std::copy_n(orig_dst->bytes().begin(), alen, from + alen);
    std::copy_n(info.src.bytes().begin(), alen, to);
    std::copy_n(info.dst.bytes().begin(), alen, to + alen);
    sum = wire::checksum_replace(cur, ByteView(from, 2 * alen), ByteView(to, 2 * alen));
  } else {
    l4[at] = l4[at + 1] = 0;
    sum = wire::transport_checksum(info.src, info.dst, info.proto, l4);
  }
  if (info.proto == 17 && sum == 0) sum = 0xFFFF;
  l4[at] = static_cast<std::uint8_t>(sum >> 8);
  l4[at + 1] = static_cast<std::uint8_t>(sum);
  return true;
}

}  // namespace ipseckit::esp
