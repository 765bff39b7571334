// GRO for TUN writes (tun_offload.h): in-order TCP segments of one flow merged into one
// VIRTIO_NET_HDR_GSO_TCPV4/6 frame. The rules follow what the kernel's own TCP GRO accepts
// (same ACK, window, options and flags but PSH; consecutive sequence numbers; all segments but
// the last of the same size), so the merged frame re-segments into the packets that arrived.
#include <cstring>

#include "base/byte_order.h"
#include "sys/tun_offload.h"

namespace ipseckit::sys::offload {

namespace {

constexpr std::uint8_t kNoMerge = 0x01 | 0x02 | 0x04 | 0x20 | 0x40 | 0x80;  // FIN SYN RST URG ECE CWR

// Where the TCP header of a mergeable segment starts (0: not mergeable). IPv4 without options
// or fragmentation, IPv6 without extension headers; valid IP and TCP checksums (the merged
// frame is trusted by the kernel as CHECKSUM_PARTIAL, so a bad segment must not hide in it).
std::size_t mergeable(ByteView p) {
  if (p.size() < 40) return 0;
  std::size_t l4 = 0;
  if ((p[0] >> 4) == 4) {
    if (p[0] != 0x45 || load_be16(&p[2]) != p.size() || p[9] != kTcp || (load_be16(&p[6]) & 0x3FFF) != 0) return 0;
    if (csum_fold(csum_partial(p.first(20))) != 0xFFFF) return 0;
    l4 = 20;
  } else if ((p[0] >> 4) == 6) {
    if (p.size() < 60 || load_be16(&p[4]) + 40u != p.size() || p[6] != kTcp) return 0;
    l4 = 40;
  } else {
    return 0;
  }
  const std::size_t thl = static_cast<std::size_t>(p[l4 + 12] >> 4) * 4;
  if (thl < 20 || l4 + thl >= p.size()) return 0;  // no payload: nothing to merge
  const std::uint8_t fl = p[l4 + 13];
  if (!(fl & kAck) || (fl & kNoMerge)) return 0;
  const std::size_t l4len = p.size() - l4;
  if (csum_fold(csum_partial(p.subspan(l4), pseudo_header_sum(p, kTcp, l4len))) != 0xFFFF) return 0;
  return l4;
}

bool same_flow(const std::uint8_t* a, const std::uint8_t* b, bool v6, std::size_t l4) {
  if (v6) return std::memcmp(a + 8, b + 8, 32) == 0 && std::memcmp(a + l4, b + l4, 4) == 0;
  return std::memcmp(a + 12, b + 12, 8) == 0 && std::memcmp(a + l4, b + l4, 4) == 0;
}

}  // namespace

Coalescer::Coalescer(Sink sink) : m_sink(std::move(sink)), m_slots(kSlots) {
  for (auto& s : m_slots) s.buf.resize(kMaxFrame);
}

Coalescer::Slot* Coalescer::find(ByteView p, std::size_t l4) {
  const bool v6 = (p[0] >> 4) == 6;
  for (auto& s : m_slots)
    if (s.len && s.v6 == v6 && s.l4 == l4 && same_flow(s.buf.data() + kVnetHdrLen, p.data(), v6, l4)) return &s;
  return nullptr;
}

void Coalescer::add(ByteView p) {
  ++m_stats.packets;
  const std::size_t l4 = mergeable(p);
  if (!l4) {
    // Whatever a TCP flow has pending goes first (it may be the data this FIN/RST follows).
    std::size_t tl4 = 0;
    if (p.size() >= 20 && (p[0] >> 4) == 4 && p[9] == kTcp) tl4 = std::size_t{p[0] & 0xFu} * 4;
    if (p.size() >= 40 && (p[0] >> 4) == 6 && p[6] == kTcp) tl4 = 40;
    if (tl4 >= 20 && tl4 + 4 <= p.size())
      if (Slot* s = find(p, tl4)) emit(*s);
    static constexpr std::uint8_t kZero[kVnetHdrLen] = {};
    ++m_stats.frames;
    m_sink(ByteView(kZero, kVnetHdrLen), p);
    return;
  }
  const bool v6 = (p[0] >> 4) == 6;
  const std::uint8_t* t = p.data() + l4;
  const std::size_t thl = static_cast<std::size_t>(t[12] >> 4) * 4;
  const std::size_t pay = p.size() - l4 - thl;
  Slot* s = find(p, l4);
  if (s) {
    const std::uint8_t* q = s->buf.data() + kVnetHdrLen;
    const std::uint8_t* qt = q + l4;
    bool ok = !s->closed && s->thl == thl && pay <= s->mss && load_be32(t + 4) == s->next_seq &&
              s->count < kMaxSegments && s->len + pay <= 65535 - (v6 ? 40 : 0);
    // Headers equal but for lengths, IDs, checksums, sequence numbers and PSH.
    ok = ok && std::memcmp(qt + 8, t + 8, 5) == 0 && (qt[13] & ~kPsh) == (t[13] & ~kPsh) &&
         std::memcmp(qt + 14, t + 14, 2) == 0 && std::memcmp(qt + 18, t + 18, thl - 18) == 0;
    if (v6)
      ok = ok && std::memcmp(q, p.data(), 4) == 0 && q[7] == p[7];
    else
      ok = ok && q[1] == p[1] && std::memcmp(q + 6, p.data() + 6, 4) == 0 && load_be16(&p[4]) == s->next_id;
    if (ok) {
      std::memcpy(s->buf.data() + kVnetHdrLen + s->len, t + thl, pay);
      s->len += pay;
      s->next_seq += static_cast<std::uint32_t>(pay);
      s->next_id = static_cast<std::uint16_t>(s->next_id + 1);
      ++s->count;
      s->closed = pay < s->mss || (t[13] & kPsh);
      s->psh = s->psh || (t[13] & kPsh);
      s->used = ++m_tick;
      ++m_stats.merged;
      return;
    }
    emit(*s);
  } else {
    s = &m_slots[0];
    for (auto& c : m_slots) {
      if (!c.len) {
        s = &c;
        break;
      }
      if (c.used < s->used) s = &c;
    }
    if (s->len) emit(*s);
  }
  std::memcpy(s->buf.data() + kVnetHdrLen, p.data(), p.size());
  s->len = p.size();
  s->l4 = l4;
  s->thl = thl;
  s->v6 = v6;
  s->mss = static_cast<std::uint16_t>(pay);
  s->next_seq = load_be32(t + 4) + static_cast<std::uint32_t>(pay);
  s->next_id = v6 ? 0 : static_cast<std::uint16_t>(load_be16(&p[4]) + 1);
  s->count = 1;
  s->closed = (t[13] & kPsh) != 0;
  s->psh = s->closed;
  s->used = ++m_tick;
}

void Coalescer::emit(Slot& s) {
  std::uint8_t* hdr = s.buf.data();
  std::uint8_t* p = hdr + kVnetHdrLen;
  VnetHdr h;
  if (s.count > 1) {
    // The kernel re-segments (or delivers) it and completes the TCP checksum from csum_start:
    // the field holds the pseudo-header sum (virtio 1.x §5.1.6.2, VIRTIO_NET_HDR_F_NEEDS_CSUM).
    if (s.v6) {
      store_be16(p + 4, static_cast<std::uint16_t>(s.len - 40));
    } else {
      store_be16(p + 2, static_cast<std::uint16_t>(s.len));
      store_be16(p + 4, static_cast<std::uint16_t>(s.next_id - s.count));
      store_be16(p + 10, 0);
      store_be16(p + 10, static_cast<std::uint16_t>(~csum_fold(csum_partial(ByteView(p, 20)))));
    }
    std::uint8_t* t = p + s.l4;
    if (s.psh) t[13] = static_cast<std::uint8_t>(t[13] | kPsh);
    store_be16(t + 16, csum_fold(pseudo_header_sum(ByteView(p, s.l4), kTcp, s.len - s.l4)));
    h.flags = kNeedsCsum;
    h.gso_type = s.v6 ? kGsoTcpV6 : kGsoTcpV4;
    h.hdr_len = static_cast<std::uint16_t>(s.l4 + s.thl);
    h.gso_size = s.mss;
    h.csum_start = static_cast<std::uint16_t>(s.l4);
    h.csum_offset = 16;
  }
  write_vnet_hdr(std::span<std::uint8_t, kVnetHdrLen>(hdr, kVnetHdrLen), h);
  ++m_stats.frames;
  const std::size_t len = s.len;
  s.len = 0;
  m_sink(ByteView(hdr, kVnetHdrLen), ByteView(p, len));
}

void Coalescer::flush() {
  // Oldest first, so a flow spread over two slots (never happens today) would stay in order.
  for (;;) {
    Slot* o = nullptr;
    for (auto& s : m_slots)
      if (s.len && (!o || s.used < o->used)) o = &s;
    if (!o) return;
    emit(*o);
  }
}

}  // namespace ipseckit::sys::offload
