// IPv6 fragmentation (fragment_v6.h, RFC 8200 §4.5).
#include "esp/fragment_v6.h"

#include <algorithm>
#include <cstring>

namespace ipseckit::esp {

namespace {

constexpr std::size_t kHdr = 40;     // RFC 8200 §3
constexpr std::size_t kFragHdr = 8;  // the Fragment header

std::size_t u16(ByteView p, std::size_t off) { return static_cast<std::size_t>(p[off] << 8 | p[off + 1]); }

}  // namespace

bool walk_v6_chain(ByteView p, V6Chain& out) {
  if (p.size() < kHdr || (p[0] >> 4) != 6) return false;
  out = V6Chain{};
  const std::size_t plen = u16(p, 4);
  if (plen == 0 || kHdr + plen > p.size()) return false;  // a jumbogram (RFC 2675) is not handled
  out.total = kHdr + plen;
  out.unfrag = kHdr;
  out.nh_off = 6;
  std::uint8_t nh = p[6];
  std::size_t nh_at = 6, off = kHdr;
  for (;;) {
    if (nh == 44) {  // the Unfragmentable Part ends at the Fragment header
      if (off + kFragHdr > out.total) return false;
      out.frag_off = off;
      out.unfrag = off;
      out.nh_off = nh_at;
      return true;
    }
    if (nh != 0 && nh != 43 && nh != 60) return true;
    if (nh == 0 && off != kHdr) return false;  // Hop-by-Hop only right after the header (RFC 8200 4.1)
    if (off + 2 > out.total) return false;
    const std::size_t len = (std::size_t{p[off + 1]} + 1) * 8;
    if (off + len > out.total) return false;
    const std::uint8_t type = nh;
    nh_at = off;
    nh = p[off];
    off += len;
    // Hop-by-Hop and Routing (and so a Destination Options header before Routing) stay in
    // front of every fragment; a Destination Options header after them is fragmentable.
    if (type == 0 || type == 43) {
      out.unfrag = off;
      out.nh_off = nh_at;
    }
  }
}

bool is_ipv6_fragment(ByteView p) {
  V6Chain c;
  return walk_v6_chain(p, c) && c.frag_off != 0;
}

bool plan_ipv6_fragments(ByteView p, std::size_t mtu, std::uint32_t id, FragmentPlanV6& out) {
  V6Chain c;
  if (!walk_v6_chain(p, c) || c.frag_off) return false;
  out = FragmentPlanV6{};
  out.unfrag = c.unfrag;
  out.nh_off = c.nh_off;
  out.data_len = c.total - c.unfrag;
  out.id = id;
  if (c.total <= mtu) {
    out.count = 1;
    return true;
  }
  if (mtu < c.unfrag + kFragHdr + 8) return false;
  out.step = (mtu - c.unfrag - kFragHdr) / 8 * 8;
  out.count = (out.data_len + out.step - 1) / out.step;
  // The offset field holds 13 bits of 8-byte units.
  return (out.count - 1) * out.step / 8 <= 0x1FFF;
}

std::size_t build_ipv6_fragment(ByteView p, const FragmentPlanV6& plan, std::size_t index, std::span<std::uint8_t> out) {
  if (index >= plan.count || p.size() < plan.unfrag + plan.data_len || plan.nh_off >= plan.unfrag) return 0;
  if (plan.count == 1) {
    const std::size_t n = plan.unfrag + plan.data_len;
    if (out.size() < n) return 0;
    std::memcpy(out.data(), p.data(), n);
    return n;
  }
  const std::size_t start = index * plan.step;
  const std::size_t take = std::min(plan.step, plan.data_len - start);
  const std::size_t n = plan.unfrag + kFragHdr + take;
  if (out.size() < n) return 0;
  std::uint8_t* o = out.data();
  std::memcpy(o, p.data(), plan.unfrag);
  o[plan.nh_off] = 44;
  const std::size_t plen = n - kHdr;
  o[4] = static_cast<std::uint8_t>(plen >> 8);
  o[5] = static_cast<std::uint8_t>(plen);
  std::uint8_t* f = o + plan.unfrag;
  const bool more = index + 1 < plan.count;
  const std::size_t fo = start | (more ? 1 : 0);  // start is a multiple of 8: offset << 3 | M
  f[0] = p[plan.nh_off];
  f[1] = 0;
  f[2] = static_cast<std::uint8_t>(fo >> 8);
  f[3] = static_cast<std::uint8_t>(fo);
  f[4] = static_cast<std::uint8_t>(plan.id >> 24);
  f[5] = static_cast<std::uint8_t>(plan.id >> 16);
  f[6] = static_cast<std::uint8_t>(plan.id >> 8);
  f[7] = static_cast<std::uint8_t>(plan.id);
  std::memcpy(f + kFragHdr, p.data() + plan.unfrag + start, take);
  return n;
}

}  // namespace ipseckit::esp
