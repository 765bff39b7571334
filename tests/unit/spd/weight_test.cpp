// Weights against hand-computed Windows values (XP/2003 spd AssignTxFilterWeight & co.).
#include <doctest/doctest.h>

#include "policy/spd_weight.h"
#include "spd_test_util.h"

using namespace spdtest;

namespace {

// The Windows loop, literally: walk the 32 mask bits from the least significant one and add
// the 1-based position of each set bit.
std::uint32_t windows_mask_weight(std::uint32_t mask) {
  std::uint32_t w = 0;
  for (std::uint32_t i = 0; i < 32; ++i) {
    if (mask & 1) w += i + 1;
    mask >>= 1;
  }
  return w;
}

SpdAddr a4(const char* cidr) { return SpdAddr::of(pfx(cidr)); }

}  // namespace

TEST_CASE("mask weight equals the Windows bit-position sum for every IPv4 length") {
  for (unsigned len = 0; len <= 32; ++len) CHECK(mask_weight(len, false) == windows_mask_weight(wire::len_to_mask(len)));
  CHECK(mask_weight(32, false) == 528);
  CHECK(mask_weight(24, false) == 492);
  CHECK(mask_weight(16, false) == 392);
  CHECK(mask_weight(8, false) == 228);
  CHECK(mask_weight(0, false) == 0);
}

TEST_CASE("IPv6 mask weight: the same sum over 128 bits") {
  CHECK(mask_weight(0, true) == 0);
  CHECK(mask_weight(128, true) == 8256);  // 1 + ... + 128
  CHECK(mask_weight(64, true) == 6176);   // 65 + ... + 128
  CHECK(mask_weight(32, true) == 3600);   // 97 + ... + 128
  for (unsigned len = 1; len <= 128; ++len) CHECK(mask_weight(len, true) > mask_weight(len - 1, true));
  // The largest weight still fits below bit 31.
  const auto me6 = SpdAddr::symbolic_me(true);
  CHECK(qm_filter_weight(me6, me6, 6, 1, 1, SpdAddr::of(pfx("2001:db8::1/128"))) == (16512u << 16 | 0x3107u));
}

TEST_CASE("me -> any mirrored: 0x02100000, and the mirror any -> me gets the tie breaker") {
  const auto me = SpdAddr::symbolic_me(false), any = SpdAddr::any(false);
  CHECK(qm_filter_weight(me, any, 0, 0, 0, std::nullopt) == 0x02100000u);  // 528 << 16
  CHECK(qm_filter_weight(any, me, 0, 0, 0, std::nullopt) == 0x02100001u);
  CHECK(qm_filter_weight(any, any, 0, 0, 0, std::nullopt) == 0x00000001u);
  // The built-in "All ICMP Traffic" filter: protocol 1.
  CHECK(qm_filter_weight(me, any, 1, 0, 0, std::nullopt) == 0x02100100u);
}

TEST_CASE("subnet to subnet") {
  // /24 -> /16: (492 + 392) << 16 = 884 << 16; destination lighter -> no tie breaker.
  CHECK(qm_filter_weight(a4("192.0.2.0/24"), a4("10.1.0.0/16"), 0, 0, 0, std::nullopt) == 0x03740000u);
  CHECK(qm_filter_weight(a4("10.1.0.0/16"), a4("192.0.2.0/24"), 0, 0, 0, std::nullopt) == 0x03740001u);
  // /8 -> /8 = 456 << 16, equal masks -> tie breaker.
  CHECK(qm_filter_weight(a4("10.0.0.0/8"), a4("11.0.0.0/8"), 0, 0, 0, std::nullopt) == 0x01C80001u);
}

TEST_CASE("protocol and ports") {
  const auto me = SpdAddr::symbolic_me(false);
  // me -> 192.0.2.10 TCP/80: 1056 << 16 | tie | protocol | destination port.
  CHECK(qm_filter_weight(me, a4("192.0.2.10/32"), 6, 0, 80, std::nullopt) == 0x04200105u);
  // The L2TP client filter me:1701 -> any UDP and its mirror.
  CHECK(qm_filter_weight(me, SpdAddr::any(false), 17, 1701, 0, std::nullopt) == 0x02100102u);
  CHECK(qm_filter_weight(SpdAddr::any(false), me, 17, 0, 1701, std::nullopt) == 0x02100105u);
}

TEST_CASE("tunnel filters") {
  const auto src = a4("10.1.0.0/16"), dst = a4("10.2.0.0/16");
  // (392 + 392) << 16 | tie | tunnel | specific tunnel endpoint.
  CHECK(qm_filter_weight(src, dst, 0, 0, 0, a4("203.0.113.2/32")) == 0x03103001u);
  CHECK(qm_filter_weight(src, dst, 0, 0, 0, SpdAddr::any(false)) == 0x03101001u);
  CHECK(qm_filter_weight(src, dst, 0, 0, 0, SpdAddr::symbolic_me(false)) == 0x03103001u);
}

TEST_CASE("main-mode filters: mask weight and tie breaker only") {
  const auto me = SpdAddr::symbolic_me(false);
  CHECK(mm_filter_weight(me, a4("203.0.113.2/32")) == 0x04200001u);
  CHECK(mm_filter_weight(me, SpdAddr::any(false)) == 0x02100000u);
  CHECK(mm_filter_weight(a4("2001:db8::/32"), a4("2001:db8:1::/48")) == ((3600u + 5016u) << 16 | 1u));
}

TEST_CASE("compiled filters carry the Windows weights") {
  SetBuilder b;
  b.list("web", {filt(Address::me(), sub("192.0.2.10/32"), 6, 0, 80, true)}).action("sec", ActionType::negotiate);
  b.rule("P", "r", "web", "sec");
  auto spd = compile(b.set, "P", {ip("198.51.100.7")});
  REQUIRE(spd.filters.size() == 2);
  CHECK(spd.filters[0].weight == 0x04200105u);
  CHECK(spd.filters[1].weight == 0x04200103u);  // mirror: source port 80 specific, tie breaker kept
  REQUIRE(spd.specific.size() == 2);
  for (const auto& f : spd.specific) CHECK(f.weight == qm_filter_weight(f));
}
