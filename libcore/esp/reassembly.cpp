// IPv4 and IPv6 reassembly before the SPD lookup (reassembly.h; RFC 791 §3.2 "reassembly",
// RFC 8200 §4.5, RFC 4301 §7).
#include "esp/reassembly.h"

#include <algorithm>
#include <cstring>

#include "wire/ip_packet.h"

namespace ipseckit::esp {

namespace {

constexpr std::size_t kMaxHeader = Reassembler::kMaxHeader;
constexpr std::size_t kMaxData = 65535;  // bytes after the header

std::uint16_t u16(ByteView p, std::size_t off) {
  return static_cast<std::uint16_t>(p[off] << 8 | p[off + 1]);
}

}  // namespace

// One fragment, parsed: where it belongs and what it carries.
struct Reassembler::Frag {
  bool v6 = false;
  const std::uint8_t* src = nullptr;
  const std::uint8_t* dst = nullptr;
  std::uint32_t id = 0;
  std::uint8_t proto = 0;
  std::size_t header = 0;  // bytes kept in front of the data (the offset-0 fragment's)
  std::size_t nh_off = 0;
  std::uint8_t inner_nh = 0;
  std::size_t off = 0, n = 0, len = 0, limit = 0;  // limit: off + n may not pass it
  const std::uint8_t* data = nullptr;
  bool more = false;
};

bool is_ipv4_fragment(ByteView p) {
  return p.size() >= 20 && (p[0] >> 4) == 4 && (u16(p, 6) & 0x3fff) != 0;
}

bool is_fragment(ByteView p) {
  return is_ipv4_fragment(p) || (p.size() >= 40 && (p[0] >> 4) == 6 && is_ipv6_fragment(p));
}

std::size_t Reassembler::pending() const {
  return static_cast<std::size_t>(std::count_if(m_slots.begin(), m_slots.end(), [](const Slot& s) { return s.used; }));
}

void Reassembler::drop(Slot& s) {
  if (s.used && s.have) ++m_c.dropped;
  s.used = false;
}

// The slot of the fragment's datagram (RFC 791: source, destination, protocol and ID; RFC 8200:
// source, destination and Identification), a free one, or the oldest one; expired slots are
// freed on the way.
Reassembler::Slot* Reassembler::find(const Frag& f, std::uint64_t now_ms) {
  const std::size_t alen = f.v6 ? 16 : 4;
  Slot* free_slot = nullptr;
  Slot* oldest = nullptr;
  for (auto& s : m_slots) {
    if (s.used && now_ms - s.since_ms >= kTimeoutMs) drop(s);
    if (!s.used) {
      if (!free_slot) free_slot = &s;
      continue;
    }
    if (s.v6 == f.v6 && s.id == f.id && s.proto == f.proto && !std::memcmp(s.src, f.src, alen) &&
        !std::memcmp(s.dst, f.dst, alen))
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
  s->v6 = f.v6;
  s->id = f.id;
  s->proto = f.proto;
  std::memcpy(s->src, f.src, alen);
  std::memcpy(s->dst, f.dst, alen);
  s->since_ms = now_ms;
  s->total = s->have = s->header = s->largest = 0;
  std::fill(s->blocks.begin(), s->blocks.end(), 0);
  return s;
}

namespace {

enum class Parse { no, bad, ok };

// RFC 791 §3.1: total length, IHL, MF, fragment offset.
template <class F>
Parse parse_v4(ByteView p, F& f) {
  if (!is_ipv4_fragment(p)) return Parse::no;
  f.header = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  f.len = u16(p, 2);
  if (f.header < 20 || f.len < f.header || f.len > p.size()) return Parse::bad;
  f.src = &p[12];
  f.dst = &p[16];
  f.id = u16(p, 4);
  f.proto = p[9];
  f.more = (u16(p, 6) & 0x2000) != 0;
  f.off = static_cast<std::size_t>(u16(p, 6) & 0x1fff) * 8;
  f.n = f.len - f.header;
  f.data = p.data() + f.header;
  f.limit = 65535 - 20;
  return Parse::ok;
}

// RFC 8200 §4.5: the Fragment header after the Unfragmentable Part.
template <class F>
Parse parse_v6(ByteView p, F& f) {
  if (p.size() < 40 || (p[0] >> 4) != 6) return Parse::no;
  V6Chain c;
  if (!walk_v6_chain(p, c) || !c.frag_off) return Parse::no;  // malformed: the caller's to count
  if (c.frag_off > kMaxHeader) return Parse::bad;
  f.v6 = true;
  f.src = &p[8];
  f.dst = &p[24];
  f.header = c.frag_off;
  f.nh_off = c.nh_off;
  f.inner_nh = p[c.frag_off];
  const std::uint16_t fo = u16(p, c.frag_off + 2);
  f.off = fo & 0xfff8;
  f.more = (fo & 1) != 0;
  f.id = static_cast<std::uint32_t>(p[c.frag_off + 4] << 24 | p[c.frag_off + 5] << 16 | p[c.frag_off + 6] << 8 |
                                    p[c.frag_off + 7]);
  f.len = c.total;
  f.n = c.total - c.frag_off - 8;
  f.data = p.data() + c.frag_off + 8;
  f.limit = 65535 - (c.frag_off - 40);  // the reassembled Payload Length stays within 16 bits
  return Parse::ok;
}

}  // namespace

std::size_t Reassembler::add(ByteView p, std::uint64_t now_ms, std::span<std::uint8_t> out,
                             std::size_t* max_fragment) {
  Frag f;
  Parse r = parse_v4(p, f);
  if (r == Parse::no) r = parse_v6(p, f);
  if (r == Parse::no) return 0;
  ++m_c.fragments;
  // Every fragment but the last carries a multiple of 8 bytes (RFC 791, RFC 8200 §4.5); none
  // may end past 64 KiB.
  if (r == Parse::bad || (f.more && (f.n == 0 || f.n % 8)) || f.off + f.n > f.limit) {
    ++m_c.dropped;
    return 0;
  }
  if (f.v6 && f.off == 0 && !f.more) {  // RFC 6946: an atomic fragment, on its own
    const std::size_t whole = f.header + f.n;
    if (whole > out.size()) {
      ++m_c.dropped;
      return 0;
    }
    std::memcpy(out.data(), p.data(), f.header);
    std::memcpy(out.data() + f.header, f.data, f.n);
    out[f.nh_off] = f.inner_nh;
    out[4] = static_cast<std::uint8_t>((whole - 40) >> 8);
    out[5] = static_cast<std::uint8_t>(whole - 40);
    if (max_fragment) *max_fragment = f.len;
    ++m_c.reassembled;
    return whole;
  }
  Slot& s = *find(f, now_ms);
  if (!f.more && s.total) {  // a second last fragment
    drop(s);
    ++m_c.dropped;
    return 0;
  }
  // Overlap: any 8-byte block already received drops the datagram (RFC 5722).
  const std::size_t first = f.off / 8, last = (f.off + f.n + 7) / 8;
  for (std::size_t b = first; b < last; ++b) {
    if (s.blocks[b / 64] >> (b % 64) & 1) {
      drop(s);
      ++m_c.dropped;
      return 0;
    }
  }
  for (std::size_t b = first; b < last; ++b) s.blocks[b / 64] |= std::uint64_t{1} << (b % 64);
  std::memcpy(s.data.data() + kMaxHeader + f.off, f.data, f.n);
  s.have += f.n;
  s.largest = std::max(s.largest, f.len);
  if (!f.more) s.total = f.off + f.n;
  if (f.off == 0) {  // the first fragment's header is the datagram's (RFC 791; RFC 8200 §4.5)
    s.header = f.header;
    s.nh_off = f.nh_off;
    s.inner_nh = f.inner_nh;
    std::memcpy(s.data.data() + kMaxHeader - f.header, p.data(), f.header);
  }
  if (!s.total || !s.header || s.have != s.total) return 0;
  if (s.total > (s.v6 ? 65535 - (s.header - 40) : kMaxData - 20)) {  // past 64 KiB once put together
    drop(s);
    ++m_c.dropped;
    return 0;
  }
  const std::size_t whole = complete(s, out);
  if (whole && max_fragment) *max_fragment = s.largest;
  return whole;
}

// The whole datagram into out, its header patched; the slot is freed.
std::size_t Reassembler::complete(Slot& s, std::span<std::uint8_t> out) {
  const std::size_t whole = s.header + s.total;
  if (whole > out.size()) {
    drop(s);
    ++m_c.dropped;
    return 0;
  }
  std::memcpy(out.data(), s.data.data() + kMaxHeader - s.header, whole);
  if (s.v6) {
    out[s.nh_off] = s.inner_nh;
    out[4] = static_cast<std::uint8_t>((whole - 40) >> 8);
    out[5] = static_cast<std::uint8_t>(whole - 40);
  } else {
    out[2] = static_cast<std::uint8_t>(whole >> 8);
    out[3] = static_cast<std::uint8_t>(whole);
    out[6] &= 0x40;  // keep DF (the stack never sets it on fragments), clear MF and the offset
    out[7] = 0;
    out[10] = out[11] = 0;
    const auto sum = wire::inet_checksum(ByteView(out.data(), s.header));
    out[10] = static_cast<std::uint8_t>(sum >> 8);
    out[11] = static_cast<std::uint8_t>(sum);
  }
  s.used = false;
  ++m_c.reassembled;
  return whole;
}

}  // namespace ipseckit::esp
