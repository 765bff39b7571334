#include <doctest/doctest.h>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "wire/ip_address.h"
#include "wire/ip_packet.h"

using namespace ipseckit;
using namespace ipseckit::wire;

TEST_CASE("IPv4 parsing is strict") {
  CHECK(IpAddr::parse("192.0.2.1")->str() == "192.0.2.1");
  CHECK_FALSE(IpAddr::parse("192.0.2"));
  CHECK_FALSE(IpAddr::parse("192.0.2.256"));
  CHECK_FALSE(IpAddr::parse("192.0.2.1.5"));
  CHECK_FALSE(IpAddr::parse("192.0.2.0001"));
  CHECK_FALSE(IpAddr::parse(""));
  CHECK(IpAddr::parse("2001:db8::1")->str() == "2001:db8::1");
}

TEST_CASE("prefixes: masks, lengths, containment") {
  auto p = IpPrefix::parse("192.0.2.77/255.255.255.0");
  REQUIRE(p);
  CHECK(p->str() == "192.0.2.0/24");
  CHECK(p->contains(*IpAddr::parse("192.0.2.200")));
  CHECK_FALSE(p->contains(*IpAddr::parse("192.0.3.1")));
  CHECK_FALSE(IpPrefix::parse("192.0.2.0/255.0.255.0"));  // non-contiguous
  CHECK(IpPrefix::parse("2001:db8::/32")->contains(*IpAddr::parse("2001:db8:1::5")));
  CHECK(mask_str(24) == "255.255.255.0");
  CHECK(mask_to_len(0) == 0);
  CHECK(mask_to_len(0xFFFFFFFF) == 32);
  CHECK_FALSE(mask_to_len(0x00FFFFFF));
}

TEST_CASE("five-tuple extraction from IPv4 UDP and IPv6 TCP") {
  Ipv4Header h;
  h.total_length = 28;
  h.protocol = 17;
  h.src = *IpAddr::parse("198.51.100.1");
  h.dst = *IpAddr::parse("203.0.113.9");
  Bytes pkt = serialize_ipv4_header(h);
  const Bytes udp{0x06, 0xa5, 0x06, 0xa5, 0x00, 0x08, 0x00, 0x00};
  pkt.insert(pkt.end(), udp.begin(), udp.end());
  auto t = extract_five_tuple(pkt);
  REQUIRE(t.ok());
  CHECK(t->src_port == 1701);
  CHECK(t->dst_port == 1701);
  CHECK(t->protocol == 17);
  pkt[10] ^= 1;  // checksum broken
  CHECK_FALSE(extract_five_tuple(pkt).ok());

  Bytes v6(40 + 20, 0);
  v6[0] = 0x60;
  v6[4] = 0;
  v6[5] = 20;
  v6[6] = 6;
  v6[8 + 15] = 1;
  v6[24 + 15] = 2;
  v6[40] = 0x01;
  v6[41] = 0xbb;
  v6[42] = 0x00;
  v6[43] = 0x50;
  auto t6 = extract_five_tuple(v6);
  REQUIRE(t6.ok());
  CHECK(t6->src.str() == "::1");
  CHECK(t6->src_port == 443);
  CHECK(t6->dst_port == 80);
  CHECK_FALSE(extract_five_tuple(ByteView(v6).first(30)).ok());
}

TEST_CASE("RFC 2202 HMAC-SHA1 test case 2 and RFC 4231 test case 2") {
  const std::string key = "Jefe", data = "what do ya want for nothing?";
  ByteView k(reinterpret_cast<const std::uint8_t*>(key.data()), key.size());
  ByteView d(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  CHECK(to_hex(crypto::Hmac::compute(crypto::HashAlg::sha1, k, d)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(to_hex(crypto::Hmac::compute(crypto::HashAlg::sha256, k, d)) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(crypto::Hmac::compute(crypto::HashAlg::md5, k, d)) == "750c783e6ab0b503eaa86e310a5db738");
}

TEST_CASE("GUIDs look like Windows registry GUIDs and differ") {
  auto a = crypto::random_guid(), b = crypto::random_guid();
  CHECK(a.size() == 38);
  CHECK(a.front() == '{');
  CHECK(a[15] == '4');
  CHECK(a != b);
}

// inet_checksum adds 32-bit native words: it must equal RFC 1071's 16-bit big-endian sum for
// every length (odd tails), alignment and initial value.
TEST_CASE("inet_checksum matches the 16-bit reference sum") {
  auto reference = [](ByteView d, std::uint32_t sum) {
    std::size_t i = 0;
    for (; i + 1 < d.size(); i += 2) sum += static_cast<std::uint32_t>((d[i] << 8) | d[i + 1]);
    if (i < d.size()) sum += static_cast<std::uint32_t>(d[i] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
  };
  std::vector<std::uint8_t> buf(300);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<std::uint8_t>(0xFF - i * 7);
  for (std::size_t off = 0; off < 4; ++off)
    for (std::size_t len = 0; len + off <= buf.size(); len += (len < 40 ? 1 : 37))
      for (std::uint32_t init : {0u, 1u, 0xFFFFu, 0x1FFFEu, 0x3FFFCu}) {
        INFO(off << " " << len << " " << init);
        const ByteView d(buf.data() + off, len);
        CHECK(inet_checksum(d, init) == reference(d, init));
      }
  std::vector<std::uint8_t> ones(64, 0xFF);
  CHECK(inet_checksum(ones) == reference(ones, 0));
  CHECK(inet_checksum({}) == 0xFFFF);
}
