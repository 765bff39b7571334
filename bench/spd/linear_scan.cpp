#include "linear_scan.h"

namespace spdbench {
namespace {

using ipseckit::policy::SpdFilter;
using ipseckit::wire::IpAddr;

std::uint32_t mask32(unsigned len) { return len == 0 ? 0 : len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> len); }

void split(const IpAddr& a, std::uint64_t out[2]) {
  out[0] = out[1] = 0;
  for (int i = 0; i < 16; ++i) out[i / 8] = (out[i / 8] << 8) | a.bytes()[static_cast<std::size_t>(i)];
}

void mask128(unsigned len, std::uint64_t out[2]) {
  out[0] = len == 0 ? 0 : len >= 64 ? ~0ull : ~(~0ull >> len);
  out[1] = len <= 64 ? 0 : len >= 128 ? ~0ull : ~(~0ull >> (len - 64));
}

}  // namespace

LinearScan::LinearScan(std::span<const SpdFilter> filters) {
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const SpdFilter& f = filters[i];
    const auto index = static_cast<std::uint32_t>(i);
    if (f.src.is_v6() != f.dst.is_v6()) continue;
    if (!f.is_v6()) {
      Rec4 r{f.src.prefix.addr.v4_value(), mask32(f.src.prefix.len), f.dst.prefix.addr.v4_value(), mask32(f.dst.prefix.len),
             f.src_port, f.dst_port, f.protocol, index};
      if ((r.src & r.src_mask) != r.src || (r.dst & r.dst_mask) != r.dst) continue;  // never matches
      m_v4.push_back(r);
    } else {
      Rec6 r{};
      split(f.src.prefix.addr, r.src);
      split(f.dst.prefix.addr, r.dst);
      mask128(f.src.prefix.len, r.src_mask);
      mask128(f.dst.prefix.len, r.dst_mask);
      if ((r.src[0] & r.src_mask[0]) != r.src[0] || (r.src[1] & r.src_mask[1]) != r.src[1] ||
          (r.dst[0] & r.dst_mask[0]) != r.dst[0] || (r.dst[1] & r.dst_mask[1]) != r.dst[1])
        continue;
      r.sport = f.src_port;
      r.dport = f.dst_port;
      r.proto = f.protocol;
      r.index = index;
      m_v6.push_back(r);
    }
  }
}

std::uint32_t LinearScan::lookup(const ipseckit::wire::FiveTuple& t) const {
  if (t.src.is_v6() != t.dst.is_v6()) return ipseckit::policy::kSpdNone;
  if (t.src.is_v4()) {
    const std::uint32_t s = t.src.v4_value(), d = t.dst.v4_value();
    for (const Rec4& r : m_v4) {
      if ((s & r.src_mask) == r.src && (d & r.dst_mask) == r.dst && (r.proto == 0 || r.proto == t.protocol) &&
          (r.sport == 0 || r.sport == t.src_port) && (r.dport == 0 || r.dport == t.dst_port))
        return r.index;
    }
    return ipseckit::policy::kSpdNone;
  }
  std::uint64_t s[2], d[2];
  split(t.src, s);
  split(t.dst, d);
  for (const Rec6& r : m_v6) {
    if ((s[0] & r.src_mask[0]) == r.src[0] && (s[1] & r.src_mask[1]) == r.src[1] && (d[0] & r.dst_mask[0]) == r.dst[0] &&
        (d[1] & r.dst_mask[1]) == r.dst[1] && (r.proto == 0 || r.proto == t.protocol) &&
        (r.sport == 0 || r.sport == t.src_port) && (r.dport == 0 || r.dport == t.dst_port))
      return r.index;
  }
  return ipseckit::policy::kSpdNone;
}

}  // namespace spdbench
