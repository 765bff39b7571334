// Fuzz target: bytes -> a small filter set + packets; the classifier must return exactly what
// the linear first-match scan returns (abort on mismatch).
//
// Input: byte 0 = filter count (mod 48), byte 1 = flags (bit 0: sort by weight); then each
// filter takes 11 bytes and each packet 10 bytes (see read_filter / read_packet). Addresses
// come from a small pool indexed by the input, with input-chosen low bits, so filters and
// packets collide often.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "policy/spd_classifier.h"
#include "policy/spd_weight.h"

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

class Input {
 public:
  Input(const std::uint8_t* d, std::size_t n) : m_d(d), m_n(n) {}
  bool left(std::size_t k) const { return m_pos + k <= m_n; }
  std::uint8_t u8() { return m_pos < m_n ? m_d[m_pos++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>((u8() << 8) | u8()); }

 private:
  const std::uint8_t* m_d;
  std::size_t m_n;
  std::size_t m_pos = 0;
};

wire::IpAddr address(bool v6, std::uint8_t sel, std::uint8_t low) {
  static const std::uint32_t v4[] = {0x0A000000u, 0x0A010000u, 0xC0000200u, 0xFFFFFF00u, 0x00000000u, 0x80000000u, 0xE0000000u, 0x0A010200u};
  if (!v6) return wire::IpAddr::v4(v4[sel % 8] | low | (sel & 0x80 ? std::uint32_t{low} << 12 : 0u));
  std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  if (sel & 0x40) b[0] = 0xFF;
  b[4] = static_cast<std::uint8_t>(sel % 4);
  b[15] = low;
  if (sel & 0x80) b[8] = low;
  return wire::IpAddr::v6(b);
}

SpdAddr side(Input& in, bool v6) {
  const std::uint8_t sel = in.u8(), low = in.u8(), len = in.u8();
  const unsigned width = v6 ? 128u : 32u;
  const auto l = static_cast<std::uint8_t>(len % (width + 1));
  const wire::IpAddr a = address(v6, sel, low);
  // Bit 6 of len keeps host bits past the length (such a filter never matches).
  return SpdAddr{wire::IpPrefix{(len & 0x40) && !v6 ? a : a.masked(l), l}, false};
}

SpdFilter read_filter(Input& in) {
  // flags: bit 0 IPv6, bit 1 mixed families, bit 2 raw protocol byte, bit 3 source port,
  // bit 4 destination port, bit 5 tunnel filter.
  const std::uint8_t flags = in.u8();
  const bool v6 = flags & 1;
  SpdFilter f;
  f.src = side(in, v6);
  f.dst = side(in, (flags & 2) ? !v6 : v6);
  const std::uint8_t proto = in.u8();
  const std::uint8_t sport = in.u8();
  const std::uint16_t dport = in.u16();
  f.protocol = (flags & 4) ? proto : static_cast<std::uint8_t>(proto % 3 == 0 ? 0 : 6);
  f.src_port = (flags & 8) ? static_cast<std::uint16_t>(sport % 4) : 0;
  f.dst_port = (flags & 16) ? static_cast<std::uint16_t>(dport % 8) : 0;
  if (flags & 32) f.tunnel = SpdAddr::any(v6);
  f.weight = qm_filter_weight(f);
  return f;
}

wire::FiveTuple read_packet(Input& in) {
  const std::uint8_t flags = in.u8();
  const bool v6 = flags & 1;
  wire::FiveTuple t;
  t.src = address(v6, in.u8(), in.u8());
  t.dst = address((flags & 2) ? !v6 : v6, in.u8(), in.u8());
  t.protocol = (flags & 4) ? in.u8() : static_cast<std::uint8_t>(in.u8() % 3 == 0 ? 0 : 6);
  t.src_port = static_cast<std::uint16_t>(in.u16() % 4);
  t.dst_port = static_cast<std::uint16_t>(in.u16() % 8);
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const std::size_t count = in.u8() % 48;
  const bool sorted = in.u8() & 1;
  std::vector<SpdFilter> filters;
  for (std::size_t i = 0; i < count && in.left(11); ++i) filters.push_back(read_filter(in));
  if (sorted)
    std::stable_sort(filters.begin(), filters.end(), [](const SpdFilter& a, const SpdFilter& b) { return a.weight > b.weight; });
  const Classifier c(filters);
  while (in.left(10)) {
    const wire::FiveTuple t = read_packet(in);
    const std::uint32_t want = lookup_linear(filters, t);
    const std::uint32_t got = c.lookup(t);
    if (want != got) {
      std::fprintf(stderr, "spd_lookup: classifier %u, linear %u for %s -> %s proto %u ports %u/%u\n", got, want,
                   t.src.str().c_str(), t.dst.str().c_str(), unsigned{t.protocol}, unsigned{t.src_port},
                   unsigned{t.dst_port});
      std::abort();
    }
  }
  return 0;
}
