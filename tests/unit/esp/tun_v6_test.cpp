// IPv6 packets from a TUN before the SPD lookup (esp/tun_v6.h): link-scope addresses are never
// looked up, fragments are set aside for reassembly, malformed packets are told apart; Packet Too Big's MTU
// follows RFC 8200 §5 (never below 1280).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "esp/tun_v6.h"

using namespace ipseckit;

namespace {

using Addr = std::array<std::uint8_t, 16>;
constexpr Addr kA{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
constexpr Addr kB{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// An IPv6 packet src -> dst carrying `payload` bytes of next header nh (RFC 8200 §3).
std::vector<std::uint8_t> v6(const Addr& src, const Addr& dst, std::uint8_t nh, std::size_t payload) {
  std::vector<std::uint8_t> p(40 + payload, 0);
  p[0] = 0x60;
  p[4] = static_cast<std::uint8_t>(payload >> 8);
  p[5] = static_cast<std::uint8_t>(payload);
  p[6] = nh;
  p[7] = 64;
  std::copy(src.begin(), src.end(), p.begin() + 8);
  std::copy(dst.begin(), dst.end(), p.begin() + 24);
  return p;
}

esp::TunV6 classify(const std::vector<std::uint8_t>& p) { return esp::classify_tun_v6(ByteView(p.data(), p.size())); }

}  // namespace

TEST_CASE("global unicast IPv6 goes to the SPD") {
  CHECK(classify(v6(kA, kB, 58, 16)) == esp::TunV6::spd);  // ICMPv6
  CHECK(classify(v6(kA, kB, 6, 20)) == esp::TunV6::spd);   // TCP
}

TEST_CASE("link-local, multicast, unspecified and loopback are link scope") {
  const Addr ll{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 1};
  const Addr ll_hi{0xfe, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};  // still fe80::/10
  const Addr site{0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};   // fec0::/10: not link-local
  const Addr all_routers{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  const Addr solicited{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 2};
  const Addr unspecified{};
  Addr loopback{};
  loopback[15] = 1;
  CHECK(classify(v6(ll, all_routers, 58, 8)) == esp::TunV6::link_scope);  // router solicitation
  CHECK(classify(v6(unspecified, solicited, 58, 24)) == esp::TunV6::link_scope);  // DAD
  CHECK(classify(v6(kA, ll, 58, 8)) == esp::TunV6::link_scope);
  CHECK(classify(v6(ll_hi, kB, 17, 8)) == esp::TunV6::link_scope);
  CHECK(classify(v6(kA, loopback, 17, 8)) == esp::TunV6::link_scope);
  CHECK(classify(v6(site, kB, 17, 8)) == esp::TunV6::spd);
  CHECK(esp::v6_link_scope(all_routers.data()));
  CHECK_FALSE(esp::v6_link_scope(kA.data()));
}

TEST_CASE("IPv6 fragments go to reassembly, first and later ones alike (RFC 8200 §4.5)") {
  for (const std::uint16_t off_flags : {std::uint16_t{0x0001}, std::uint16_t{0x00b8}, std::uint16_t{0x00b9}}) {
    auto p = v6(kA, kB, 44, 8 + 16);
    p[40] = 17;  // next header inside: UDP
    p[42] = static_cast<std::uint8_t>(off_flags >> 8);
    p[43] = static_cast<std::uint8_t>(off_flags);
    p[44] = 0x12;  // identification
    CAPTURE(off_flags);
    CHECK(classify(p) == esp::TunV6::fragment);
  }
}

TEST_CASE("malformed IPv6 from the TUN") {
  auto p = v6(kA, kB, 17, 8);
  CHECK(classify(std::vector<std::uint8_t>(p.begin(), p.begin() + 39)) == esp::TunV6::malformed);
  p[5] = 200;  // payload length beyond the packet
  CHECK(classify(p) == esp::TunV6::malformed);
  auto q = v6(kA, kB, 17, 8);
  q[0] = 0x40;  // IPv4 version nibble
  CHECK(classify(q) == esp::TunV6::malformed);
  auto r = v6(kA, kB, 0, 4);  // a hop-by-hop header cut short
  CHECK(classify(r) == esp::TunV6::malformed);
  CHECK(esp::name(esp::TunV6::fragment) == "fragment");
}

TEST_CASE("Packet Too Big MTU: what fits, never below 1280 (RFC 4301 §8.2, RFC 8200 §5)") {
  CHECK(esp::v6_too_big_mtu(1500, 1446) == 1446);
  CHECK(esp::v6_too_big_mtu(1446, 1446) == 0);  // fits
  CHECK(esp::v6_too_big_mtu(1300, 1279) == 0);  // room below the minimum MTU: sent, outer fragmented
  CHECK(esp::v6_too_big_mtu(1281, 1280) == 1280);
}
