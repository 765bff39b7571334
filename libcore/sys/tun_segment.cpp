// virtio_net_hdr, Internet checksums and TCP segmentation of TUN super-packets (tun_offload.h).
#include <bit>
#include <cstring>

#include "base/byte_order.h"
#include "sys/tun_offload.h"

namespace ipseckit::sys::offload {

std::optional<VnetHdr> parse_vnet_hdr(ByteView f) {
  if (f.size() < kVnetHdrLen) return std::nullopt;
  VnetHdr h;
  h.flags = f[0];
  h.gso_type = f[1];
  h.hdr_len = load_le16(&f[2]);
  h.gso_size = load_le16(&f[4]);
  h.csum_start = load_le16(&f[6]);
  h.csum_offset = load_le16(&f[8]);
  return h;
}

void write_vnet_hdr(std::span<std::uint8_t, kVnetHdrLen> o, const VnetHdr& h) {
  o[0] = h.flags;
  o[1] = h.gso_type;
  store_le16(&o[2], h.hdr_len);
  store_le16(&o[4], h.gso_size);
  store_le16(&o[6], h.csum_start);
  store_le16(&o[8], h.csum_offset);
}

// RFC 1071 §2 (B), (C): the one's complement sum does not depend on byte order, and 32-bit
// words summed into 64 bits fold to the sum of their 16-bit halves. So the data is summed as
// native 32-bit words (a loop the compiler vectorizes: about 8x the byte-assembling loop) and
// the folded 16-bit result is swapped into big-endian order once. It is added to `sum`:
// congruent mod 2^16 - 1, which is all folding needs.
std::uint64_t csum_partial(ByteView d, std::uint64_t sum) {
  const std::uint8_t* p = d.data();
  std::size_t n = d.size();
  std::uint64_t acc = 0;
  for (; n >= 4; p += 4, n -= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
  }
  std::uint32_t tail = 0;
  std::memcpy(&tail, p, n);  // the last 0-3 bytes, zero-padded (an odd byte pads with a zero)
  acc += tail;
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  auto v = static_cast<std::uint16_t>(acc);
  if constexpr (std::endian::native == std::endian::little) v = static_cast<std::uint16_t>((v >> 8) | (v << 8));
  return sum + v;
}

std::uint16_t csum_fold(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::uint64_t pseudo_header_sum(ByteView ip, std::uint8_t proto, std::size_t l4_len) {
  std::uint64_t s = proto + static_cast<std::uint64_t>(l4_len);
  if (!ip.empty() && (ip[0] >> 4) == 6 && ip.size() >= 40) return csum_partial(ip.subspan(8, 32), s);  // RFC 8200 §8.1
  if (ip.size() >= 20) return csum_partial(ip.subspan(12, 8), s);                                       // RFC 9293 §3.1
  return s;
}

std::optional<Segmenter> Segmenter::parse(ByteView frame) {
  auto h = parse_vnet_hdr(frame);
  if (!h) return std::nullopt;
  Segmenter s;
  s.m_h = *h;
  s.m_pkt = frame.subspan(kVnetHdrLen);
  const ByteView p = s.m_pkt;
  if (p.empty()) return std::nullopt;
  const unsigned ver = p[0] >> 4;
  std::uint8_t proto = 0;
  if (ver == 4) {
    if (p.size() < 20 || (p[0] & 0xF) < 5) return std::nullopt;
    s.m_l4 = std::size_t{p[0] & 0xFu} * 4;
    if (load_be16(&p[2]) != p.size() || s.m_l4 > p.size()) return std::nullopt;
    proto = p[9];
  } else if (ver == 6) {
    s.m_v6 = true;
    if (p.size() < 40 || load_be16(&p[4]) + 40u != p.size()) return std::nullopt;
    s.m_l4 = 40;
    proto = p[6];
  } else {
    return std::nullopt;
  }
  if (h->flags & kNeedsCsum) {
    if (h->csum_start > p.size() || h->csum_offset + 2u > p.size() - h->csum_start) return std::nullopt;
    if (h->csum_start < (s.m_v6 ? 40u : 20u)) return std::nullopt;
  }
  const std::uint8_t gt = h->gso_type & static_cast<std::uint8_t>(~kGsoEcn);
  if (gt == kGsoNone) return s;
  // TSO (virtio 1.x §5.1.6.2): TCP, no IPv4 fragments or options beyond the header, no IPv6
  // extension headers, the checksum left to us at the TCP checksum field.
  if (gt != (s.m_v6 ? kGsoTcpV6 : kGsoTcpV4) || proto != kTcp || h->gso_size == 0) return std::nullopt;
  if (!s.m_v6 && (load_be16(&p[6]) & 0x3FFF) != 0) return std::nullopt;
  if (!(h->flags & kNeedsCsum) || h->csum_start != s.m_l4 || h->csum_offset != 16) return std::nullopt;
  if (s.m_l4 + 20 > p.size()) return std::nullopt;
  const std::size_t thl = static_cast<std::size_t>(p[s.m_l4 + 12] >> 4) * 4;
  if (thl < 20 || s.m_l4 + thl > p.size()) return std::nullopt;
  s.m_hdr_len = s.m_l4 + thl;
  s.m_payload = p.size() - s.m_hdr_len;
  s.m_mss = h->gso_size;
  if (s.m_payload == 0) return s;  // nothing to split: one packet, checksum completed
  s.m_gso = true;
  s.m_count = (s.m_payload + s.m_mss - 1) / s.m_mss;
  if (s.m_mss > s.m_payload) s.m_mss = s.m_payload;
  return s;
}

std::size_t Segmenter::write(std::size_t i, std::span<std::uint8_t> out) const {
  if (!m_gso) {
    const std::size_t n = m_pkt.size();
    if (i != 0 || out.size() < n) return 0;
    std::memcpy(out.data(), m_pkt.data(), n);
    if (m_h.flags & kNeedsCsum) {
      // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; sum from csum_start on.
      std::uint8_t* field = out.data() + m_h.csum_start + m_h.csum_offset;
      std::uint16_t c = static_cast<std::uint16_t>(~csum_fold(csum_partial(ByteView(out).subspan(m_h.csum_start, n - m_h.csum_start))));
      if (c == 0 && m_h.csum_offset == 6 && m_h.csum_start == m_l4 && m_pkt[m_v6 ? 6 : 9] == kUdp) c = 0xFFFF;  // RFC 768
      store_be16(field, c);
    }
    return n;
  }
  if (i >= m_count) return 0;
  const std::size_t off = i * m_mss;
  const std::size_t len = off + m_mss <= m_payload ? m_mss : m_payload - off;
  const std::size_t n = m_hdr_len + len;
  if (out.size() < n) return 0;
  std::uint8_t* o = out.data();
  std::memcpy(o, m_pkt.data(), m_hdr_len);
  std::memcpy(o + m_hdr_len, m_pkt.data() + m_hdr_len + off, len);
  if (m_v6) {
    store_be16(o + 4, static_cast<std::uint16_t>(n - 40));
  } else {
    store_be16(o + 2, static_cast<std::uint16_t>(n));
    store_be16(o + 4, static_cast<std::uint16_t>(load_be16(o + 4) + i));  // RFC 6864 §4.1: IDs as the kernel's TSO does
    store_be16(o + 10, 0);
    store_be16(o + 10, static_cast<std::uint16_t>(~csum_fold(csum_partial(ByteView(o, m_l4)))));
  }
  std::uint8_t* t = o + m_l4;
  store_be32(t + 4, load_be32(t + 4) + static_cast<std::uint32_t>(off));
  if (i + 1 != m_count) t[13] = static_cast<std::uint8_t>(t[13] & ~(kFin | kPsh));
  if (i != 0) t[13] = static_cast<std::uint8_t>(t[13] & ~kCwr);
  store_be16(t + 16, 0);
  const std::size_t l4len = n - m_l4;
  const std::uint64_t sum = csum_partial(ByteView(t, l4len), pseudo_header_sum(ByteView(o, m_l4), kTcp, l4len));
  store_be16(t + 16, static_cast<std::uint16_t>(~csum_fold(sum)));
  return n;
}

}  // namespace ipseckit::sys::offload
