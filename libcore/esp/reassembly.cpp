// IPv4 reassembly before the SPD lookup (reassembly.h; RFC 791 §3.2 "reassembly", RFC 4301 §7).
#include "esp/reassembly.h"

#include <algorithm>
#include <cstring>

#include "wire/ip_packet.h"

namespace ipseckit::esp {

namespace {

constexpr std::size_t kMaxHeader = 60;
constexpr std::size_t kMaxData = 65535 - 20;

std::uint16_t u16(ByteView p, std::size_t off) {
  return static_cast<std::uint16_t>(p[off] << 8 | p[off + 1]);
}

}  // namespace

bool is_ipv4_fragment(ByteView p) {
  return p.size() >= 20 && (p[0] >> 4) == 4 && (u16(p, 6) & 0x3fff) != 0;
}

std::size_t Reassembler::pending() const {
  return static_cast<std::size_t>(std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.used; }));
}

void Reassembler::drop(Slot& s) {
  if (s.used && s.have) ++m_c.dropped;
  s.used = false;
}

// The slot of the fragment's datagram (RFC 791: source, destination, protocol and ID), a free
// one, or the oldest one; expired slots are freed on the way.
Reassembler::Slot* Reassembler::find(ByteView p, std::uint64_t now_ms) {
  Slot* free_slot = nullptr;
  Slot* oldest = nullptr;
  for (auto& s : m_slots) {
    if (s.used && now_ms - s.since_ms >= kTimeoutMs) drop(s);
    if (!s.used) {
      if (!free_slot) free_slot = &s;
      continue;
    }
    if (s.id == u16(p, 4) && s.proto == p[9] && !std::memcmp(s.src, &p[12], 4) && !std::memcmp(s.dst, &p[16], 4))
      return &s;
    if (!oldest || s.since_ms < oldest->since_ms) oldest = &s;
  }
  Slot* s = free_slot ? free_slot : oldest;
  drop(*s);
  if (s->data.empty()) {
    s->data.resize(kMaxHeader + kMaxData + 8);
    s->blocks.resize((kMaxData + 8) / 8 / 64 + 1);
  }
  s->used = true;
  s->id = u16(p, 4);
  s->proto = p[9];
  std::memcpy(s->src, &p[12], 4);
  std::memcpy(s->dst, &p[16], 4);
  s->since_ms = now_ms;
  s->total = s->have = s->header = 0;
  std::fill(s->blocks.begin(), s->blocks.end(), 0);
  return s;
}

std::size_t Reassembler::add(ByteView p, std::uint64_t now_ms, std::span<std::uint8_t> out,
                             std::size_t* max_fragment) {
  if (!is_ipv4_fragment(p)) return 0;
  const std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  const std::size_t len = u16(p, 2);
  ++m_c.fragments;
  if (ihl < 20 || len < ihl || len > p.size()) {
    ++m_c.dropped;
    return 0;
  }
  const bool more = (u16(p, 6) & 0x2000) != 0;
  const std::size_t off = static_cast<std::size_t>(u16(p, 6) & 0x1fff) * 8;
  const std::size_t n = len - ihl;
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791); none may end past 64 KiB.
  if ((more && (n == 0 || n % 8)) || off + n > kMaxData) {
    ++m_c.dropped;
    return 0;
  }
  Slot& s = *find(p, now_ms);
  if (!more && s.total) {  // a second last fragment
    drop(s);
    ++m_c.dropped;
    return 0;
  }
  // Overlap: any 8-byte block already received drops the datagram.
  const std::size_t first = off / 8, last = (off + n + 7) / 8;
  for (std::size_t b = first; b < last; ++b) {
    if (s.blocks[b / 64] >> (b % 64) & 1) {
      drop(s);
      ++m_c.dropped;
      return 0;
    }
  }
  for (std::size_t b = first; b < last; ++b) s.blocks[b / 64] |= std::uint64_t{1} << (b % 64);
  std::memcpy(s.data.data() + kMaxHeader + off, p.data() + ihl, n);
  s.have += n;
  s.largest = std::max(s.largest, len);
  if (!more) s.total = off + n;
  if (off == 0) {
    s.header = ihl;
    std::memcpy(s.data.data() + kMaxHeader - ihl, p.data(), ihl);
  }
  if (!s.total || !s.header || s.have != s.total || s.header + s.total > out.size()) return 0;
  // Complete: the first fragment's header (RFC 791: its options are the datagram's) in front.
  const std::size_t whole = s.header + s.total;
  std::memcpy(out.data(), s.data.data() + kMaxHeader - s.header, whole);
  out[2] = static_cast<std::uint8_t>(whole >> 8);
  out[3] = static_cast<std::uint8_t>(whole);
  out[6] &= 0x40;  // keep DF (the stack never sets it on fragments), clear MF and the offset
  out[7] = 0;
  out[10] = out[11] = 0;
  const auto sum = wire::inet_checksum(ByteView(out.data(), s.header));
  out[10] = static_cast<std::uint8_t>(sum >> 8);
  out[11] = static_cast<std::uint8_t>(sum);
  s.used = false;
  if (max_fragment) *max_fragment = s.largest;
  ++m_c.reassembled;
  return whole;
}

}  // namespace ipseckit::esp
