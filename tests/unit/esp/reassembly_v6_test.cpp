// IPv6 fragmentation and reassembly (esp/fragment_v6.h, esp/reassembly.h; RFC 8200 §4.5,
// RFC 5722, RFC 6946): fragments built by the source-node fragmenter give back the original
// packet byte for byte in any order (with a Hop-by-Hop header kept in front of every fragment),
// fragments of IPv4 and IPv6 datagrams interleave, overlaps drop the datagram, an atomic
// fragment comes out alone, a Payload Length past 65,535 is refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "esp/fragment_v6.h"
#include "esp/reassembly.h"
#include "reassembly_orders.h"
#include "support.h"

using namespace esptest;

namespace {

std::vector<Bytes> fragments_v6(const Bytes& pkt, std::size_t mtu, std::uint32_t id = 0x1234) {
  esp::FragmentPlanV6 plan;
  REQUIRE(esp::plan_ipv6_fragments(pkt, mtu, id, plan));
  std::vector<Bytes> out;
  std::vector<std::uint8_t> scratch(mtu);
  for (std::size_t i = 0; i < plan.count; ++i) {
    const auto n = esp::build_ipv6_fragment(pkt, plan, i, scratch);
    REQUIRE(n != 0);
    REQUIRE(n <= mtu);
    out.emplace_back(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

// pkt with an 8-byte Hop-by-Hop header (PadN) inserted after the IPv6 header.
Bytes with_hop_by_hop(Bytes pkt) {
  const std::uint8_t nh = pkt[6];
  const Bytes hbh{nh, 0, 1, 4, 0, 0, 0, 0};
  pkt.insert(pkt.begin() + 40, hbh.begin(), hbh.end());
  pkt[6] = 0;
  const std::size_t plen = pkt.size() - 40;
  pkt[4] = static_cast<std::uint8_t>(plen >> 8), pkt[5] = static_cast<std::uint8_t>(plen);
  return pkt;
}

std::size_t add_all(esp::Reassembler& r, const std::vector<Bytes>& frags, std::vector<std::uint8_t>& out) {
  std::size_t n = 0;
  for (const auto& f : frags) n = r.add(f, 10, out);
  return n;
}

}  // namespace

TEST_CASE("IPv6 fragments: planned, built, reassembled exactly in any order") {
  for (bool hbh : {false, true}) {
    Bytes pkt = ipv6_udp("2001:db8::1", "2001:db8::2", 3000);
    if (hbh) pkt = with_hop_by_hop(pkt);
    const auto frags = fragments_v6(pkt, 1280);
    REQUIRE(frags.size() == 3);
    const std::size_t unfrag = hbh ? 48 : 40;
    for (const auto& f : frags) {
      CHECK(esp::is_ipv6_fragment(f));
      CHECK(esp::is_fragment(f));
      CHECK(f[unfrag] == 17);                          // the Fragment header names UDP
      CHECK(f[hbh ? 40 : 6] == 44);                    // ... and is named by the last unfragmentable header
      CHECK(f[unfrag + 4] == 0);                       // Identification 0x1234
      CHECK(f[unfrag + 7] == 0x34);
    }
    CHECK_FALSE(esp::is_ipv6_fragment(pkt));
    CHECK_FALSE(esp::is_fragment(pkt));
    for (const std::size_t largest : reassemble_both_orders(frags, pkt)) {
      CHECK(largest <= 1280);
      CHECK(largest >= 1270);
    }
  }
}

TEST_CASE("IPv6 fragmentation: a packet that fits is one piece; misuse is refused") {
  const Bytes pkt = ipv6_udp("2001:db8::1", "2001:db8::2", 100);
  esp::FragmentPlanV6 plan;
  REQUIRE(esp::plan_ipv6_fragments(pkt, 1280, 1, plan));
  CHECK(plan.count == 1);
  std::vector<std::uint8_t> out(1280);
  CHECK(esp::build_ipv6_fragment(pkt, plan, 0, out) == pkt.size());
  CHECK(esp::build_ipv6_fragment(pkt, plan, 1, out) == 0);
  const Bytes big = ipv6_udp("2001:db8::1", "2001:db8::2", 2000);
  CHECK_FALSE(esp::plan_ipv6_fragments(big, 50, 1, plan));  // no room for 8 data bytes
  const auto frags = fragments_v6(big, 1280);
  CHECK_FALSE(esp::plan_ipv6_fragments(frags[0], 600, 1, plan));  // already a fragment
  CHECK_FALSE(esp::plan_ipv6_fragments(ipv4_udp("192.0.2.1", "192.0.2.2", 2000), 1280, 1, plan));
}

TEST_CASE("IPv4 and IPv6 fragments interleave; IDs and addresses keep datagrams apart") {
  const Bytes v6a = ipv6_udp("2001:db8::1", "2001:db8::2", 2500);
  const Bytes v6b = ipv6_udp("2001:db8::3", "2001:db8::2", 2600);
  const Bytes v4 = ipv4_udp("192.0.2.1", "192.0.2.2", 3000, false);
  const auto fa = fragments_v6(v6a, 1280, 7), fb = fragments_v6(v6b, 1280, 7);
  std::vector<Bytes> f4;
  std::vector<std::uint8_t> scratch(65536);
  REQUIRE(esp::send_fragmented(ByteView(v4), 1280, std::span<std::uint8_t>(scratch), [&](ByteView f) {
    f4.emplace_back(f.begin(), f.end());
    return true;
  }));
  REQUIRE(fa.size() == 3);
  REQUIRE(fb.size() == 3);
  REQUIRE(f4.size() == 3);
  esp::Reassembler r;
  std::vector<std::uint8_t> out(65535);
  for (std::size_t i = 0; i + 1 < 3; ++i) {
    CHECK(r.add(fa[i], 1, out) == 0);
    CHECK(r.add(fb[i], 1, out) == 0);
    CHECK(r.add(f4[i], 1, out) == 0);
  }
  CHECK(r.pending() == 3);
  REQUIRE(r.add(fb[2], 2, out) == v6b.size());
  CHECK(std::equal(v6b.begin(), v6b.end(), out.begin()));
  REQUIRE(r.add(f4[2], 2, out) == v4.size());
  CHECK(std::equal(v4.begin(), v4.end(), out.begin()));
  REQUIRE(r.add(fa[2], 2, out) == v6a.size());
  CHECK(std::equal(v6a.begin(), v6a.end(), out.begin()));
}

TEST_CASE("IPv6 reassembly: overlap and timeout drop, an atomic fragment passes alone") {
  const Bytes pkt = ipv6_udp("2001:db8::1", "2001:db8::2", 3000);
  const auto frags = fragments_v6(pkt, 1280);
  std::vector<std::uint8_t> out(65535);
  {
    esp::Reassembler r;
    CHECK(r.add(frags[0], 0, out) == 0);
    CHECK(r.add(frags[0], 0, out) == 0);  // a duplicate overlaps: dropped (RFC 5722)
    CHECK(r.add(frags[1], 0, out) == 0);
    CHECK(r.add(frags[2], 0, out) == 0);
    CHECK(r.counters().dropped >= 1);
    CHECK(r.counters().reassembled == 0);
  }
  {
    esp::Reassembler r;
    CHECK(r.add(frags[0], 0, out) == 0);
    CHECK(r.add(frags[1], 0, out) == 0);
    CHECK(r.add(frags[2], esp::Reassembler::kTimeoutMs, out) == 0);
    CHECK(r.counters().reassembled == 0);
  }
  {
    // An atomic fragment with the same ID as a datagram in progress does not disturb it.
    const Bytes small = ipv6_udp("2001:db8::1", "2001:db8::2", 100);
    Bytes atomic(small.begin(), small.begin() + 40);
    const Bytes fh{17, 0, 0, 0, 0, 0, 0x12, 0x34};
    atomic.insert(atomic.end(), fh.begin(), fh.end());
    atomic.insert(atomic.end(), small.begin() + 40, small.end());
    atomic[6] = 44;
    const std::size_t plen = atomic.size() - 40;
    atomic[4] = static_cast<std::uint8_t>(plen >> 8), atomic[5] = static_cast<std::uint8_t>(plen);
    esp::Reassembler r;
    CHECK(r.add(frags[0], 0, out) == 0);
    REQUIRE(r.add(atomic, 0, out) == small.size());
    CHECK(std::equal(small.begin(), small.end(), out.begin()));
    CHECK(r.add(frags[1], 0, out) == 0);
    CHECK(add_all(r, {frags[2]}, out) == pkt.size());
  }
}

TEST_CASE("IPv6 reassembly: malformed fragments are counted and refused") {
  const Bytes pkt = ipv6_udp("2001:db8::1", "2001:db8::2", 3000);
  auto frags = fragments_v6(pkt, 1280);
  std::vector<std::uint8_t> out(65535);
  esp::Reassembler r;
  Bytes odd = frags[0];  // M set but 7 data bytes
  odd.resize(odd.size() - (odd.size() - 48) + 7);
  odd[4] = 0, odd[5] = static_cast<std::uint8_t>(odd.size() - 40);
  CHECK(r.add(odd, 0, out) == 0);
  Bytes far = frags[2];  // a last fragment ending past 64 KiB
  far[42] = 0xff, far[43] = 0xf8;
  CHECK(r.add(far, 0, out) == 0);
  CHECK(r.counters().dropped == 2);
  Bytes truncated = frags[1];  // Payload Length beyond the bytes: not a fragment to take
  truncated.resize(100);
  CHECK(r.add(truncated, 0, out) == 0);
  CHECK(r.counters().fragments == 2);
}
