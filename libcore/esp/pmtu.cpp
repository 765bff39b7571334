#include "esp/pmtu.h"

#include <algorithm>
#include <cstring>

#include "esp/ip_headers.h"
#include "wire/ip_packet.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace ipseckit::esp {
namespace {

Error refuse(std::string msg) { return Error::make("malformed", std::move(msg)); }

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

bool icmp_error(std::uint8_t proto, ByteView l4, bool v6) {
  if (proto != (v6 ? 58 : 1) || l4.empty()) return false;
  // ICMPv4 errors: 3, 4, 5, 11, 12; ICMPv6 errors: types below 128.
  return v6 ? l4[0] < 128 : (l4[0] == 3 || l4[0] == 4 || l4[0] == 5 || l4[0] == 11 || l4[0] == 12);
}

bool bad_source(const wire::IpAddr& a) {
  if (a.is_unspecified()) return true;
  if (a.is_v6()) return a.bytes()[0] == 0xFF;
  const std::uint32_t v = a.v4_value();
  return (v >> 28) == 0xE || v == 0xFFFFFFFFu;
}

}  // namespace

Result<std::size_t> build_icmp_too_big(ByteView packet, std::uint32_t mtu, const wire::IpAddr& from,
                                       std::span<std::uint8_t> out) {
  auto info = inspect_received(packet);
  if (!info) return info.error();
  const ByteView l4 = packet.subspan(info->header_len, info->total_len - info->header_len);
  if (icmp_error(info->proto, l4, info->v6)) return refuse("ICMP: no error about an ICMP error");
  if (bad_source(info->src)) return refuse("ICMP: the packet's source cannot be answered");
  if (from.is_v6() != info->v6) return refuse("ICMP: the reporting address is of the other family");
  const ByteView whole = packet.first(info->total_len);
  if (!info->v6) {
    auto h = wire::parse_ipv4_header(packet);
    if (h && h->frag_offset() != 0) return refuse("ICMP: no error about a non-first fragment");
    const std::size_t quote = std::min<std::size_t>(whole.size(), 548);
    const std::size_t len = 20 + 8 + quote;
    if (out.size() < len) return refuse("ICMP: output buffer too small");
    OuterHeader oh;
    oh.src = from;
    oh.dst = info->src;
    oh.proto = 1;
    oh.ttl = 64;
    write_outer_header(out, oh, len);
    std::uint8_t* icmp = out.data() + 20;
    icmp[0] = 3;  // Destination Unreachable
    icmp[1] = 4;  // Fragmentation needed and DF set
    put16(icmp + 2, 0);
    put16(icmp + 4, 0);
    put16(icmp + 6, static_cast<std::uint16_t>(std::min<std::uint32_t>(mtu, 0xFFFF)));  // RFC 1191 §4
    std::memcpy(icmp + 8, whole.data(), quote);
    put16(icmp + 2, wire::inet_checksum(ByteView(icmp, 8 + quote)));
    return len;
  }
  if (info->fragment) return refuse("ICMP: no error about a non-first fragment");
  const std::size_t quote = std::min<std::size_t>(whole.size(), 1280 - 40 - 8);
  const std::size_t len = 40 + 8 + quote;
  if (out.size() < len) return refuse("ICMP: output buffer too small");
  OuterHeader oh;
  oh.src = from;
  oh.dst = info->src;
  oh.proto = 58;
  oh.ttl = 64;
  write_outer_header(out, oh, len);
  std::uint8_t* icmp = out.data() + 40;
  icmp[0] = 2;  // Packet Too Big
  icmp[1] = 0;
  put16(icmp + 2, 0);
  const std::uint32_t m = std::max<std::uint32_t>(mtu, 1280);
  for (int i = 0; i < 4; ++i) icmp[4 + i] = static_cast<std::uint8_t>(m >> (24 - 8 * i));
  std::memcpy(icmp + 8, whole.data(), quote);
  put16(icmp + 2, wire::transport_checksum(from, info->src, 58, ByteView(icmp, 8 + quote)));
  return len;
}

bool clamp_tcp_mss(std::span<std::uint8_t> packet, std::uint16_t mss) {
  auto info = inspect_received(packet);
  if (!info || info->proto != 6 || info->fragment || info->total_len > packet.size()) return false;
  std::span<std::uint8_t> tcp = packet.subspan(info->header_len, info->total_len - info->header_len);
  if (tcp.size() < 20 || !(tcp[13] & 0x02)) return false;  // SYN only
  const std::size_t doff = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (doff < 20 || doff > tcp.size()) return false;
  for (std::size_t i = 20; i < doff;) {
    const std::uint8_t kind = tcp[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= doff || tcp[i + 1] < 2 || i + tcp[i + 1] > doff) return false;
    if (kind == 2 && tcp[i + 1] == 4) {
      const std::uint16_t cur = static_cast<std::uint16_t>((tcp[i + 2] << 8) | tcp[i + 3]);
      if (cur <= mss) return false;
      const std::uint8_t before[2] = {tcp[i + 2], tcp[i + 3]};
      put16(&tcp[i + 2], mss);
      // RFC 1624 works on the 16-bit words of the segment: when the MSS value starts at an even
      // offset (i even) it is one word and the update is incremental; otherwise recompute.
      const std::uint16_t old_sum = static_cast<std::uint16_t>((tcp[16] << 8) | tcp[17]);
      std::uint16_t sum;
      if (i % 2 == 0) {
        sum = wire::checksum_replace(old_sum, ByteView(before, 2), ByteView(&tcp[i + 2], 2));
      } else {
        tcp[16] = tcp[17] = 0;
        sum = wire::transport_checksum(info->src, info->dst, 6, tcp);
      }
      put16(&tcp[16], sum);
      return true;
    }
    i += tcp[i + 1];
  }
  return false;
}

}  // namespace ipseckit::esp
