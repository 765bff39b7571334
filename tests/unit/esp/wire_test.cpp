// Codecs of ESP (RFC 4303 §2), AH (RFC 4302 §2), UDP and RFC 3948 encapsulation, IPv6:
// parse + serialize + byte-exact round trips, and the errors each refuses.
#include <doctest/doctest.h>

#include "support.h"
#include "wire/ah.h"
#include "wire/esp.h"
#include "wire/ip_packet.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

using namespace esptest;
using namespace ipseckit::wire;

TEST_CASE("ESP header: round trip, SPI 0 and truncation refused") {
  Bytes b(8);
  REQUIRE(write_esp_header(b, EspHeader{0x01020304, 0xA0B0C0D0}));
  CHECK(to_hex(b) == "01020304a0b0c0d0");
  auto h = parse_esp_header(b);
  REQUIRE(h.ok());
  CHECK(*h == EspHeader{0x01020304, 0xA0B0C0D0});
  CHECK_FALSE(parse_esp_header(hex("00000000 00000001")).ok());
  auto t = parse_esp_header(hex("0102030405"));
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("ESP header") != std::string::npos);
  CHECK_FALSE(write_esp_header(std::span<std::uint8_t>(b).first(7), EspHeader{1, 1}));
}

TEST_CASE("ESP padding and trailer (RFC 4303 §2.4)") {
  CHECK(esp_pad_length(0, 16) == 14);
  CHECK(esp_pad_length(14, 16) == 0);
  CHECK(esp_pad_length(64, 16) == 14);  // RFC 3602 case 5
  CHECK(esp_pad_length(84, 16) == 10);  // RFC 3602 case 7
  CHECK(esp_pad_length(5, 1) == 1);     // 4-byte alignment even for stream ciphers
  CHECK(esp_pad_length(62, 4) == 0);
  Bytes t(16);
  REQUIRE(write_esp_trailer(t, 14, 1));
  CHECK(to_hex(t) == "0102030405060708090a0b0c0d0e0e01");
  CHECK_FALSE(write_esp_trailer(std::span<std::uint8_t>(t).first(15), 14, 1));
  Bytes plain = hex("aabbcc");
  plain.insert(plain.end(), t.begin(), t.end());
  auto p = parse_esp_trailer(plain);
  REQUIRE(p.ok());
  CHECK(p->payload_length == 3);
  CHECK(p->pad_length == 14);
  CHECK(p->next_header == 1);
  Bytes bad = plain;
  bad[5] ^= 0xFF;  // a padding byte
  CHECK_FALSE(parse_esp_trailer(bad).ok());
  CHECK(parse_esp_trailer(bad, false).ok());
  CHECK_FALSE(parse_esp_trailer(hex("0204")).ok());  // pad length 2 with nothing before
  CHECK_FALSE(parse_esp_trailer(hex("04")).ok());
  CHECK(parse_esp_trailer(hex("0004")).ok());
}

TEST_CASE("AH header: lengths per family, round trip, refusals (RFC 4302 §2, §3.3.3.2.1)") {
  CHECK(ah_header_length(12, false) == 24);
  CHECK(ah_header_length(12, true) == 24);
  CHECK(ah_header_length(16, true) == 32);
  CHECK(ah_header_length(24, false) == 36);
  CHECK(ah_header_length(24, true) == 40);
  CHECK(ah_header_length(32, true) == 48);
  Bytes b(24);
  REQUIRE(write_ah_header(b, 50, 24, 0x11223344, 7));
  CHECK(to_hex(b) == "3204000011223344000000070000000000000000" "00000000");
  auto h = parse_ah_header(b);
  REQUIRE(h.ok());
  CHECK(h->next_header == 50);
  CHECK(h->payload_len == 4);
  CHECK(h->spi == 0x11223344);
  CHECK(h->seq == 7);
  CHECK(h->length == 24);
  CHECK(h->icv.size() == 12);
  CHECK_FALSE(parse_ah_header(ByteView(b).first(23)).ok());
  Bytes small = b;
  small[1] = 0;  // 8 bytes: shorter than the fixed part
  CHECK_FALSE(parse_ah_header(small).ok());
  Bytes zero = b;
  zero[4] = zero[5] = zero[6] = zero[7] = 0;
  CHECK_FALSE(parse_ah_header(zero).ok());
  CHECK_FALSE(write_ah_header(b, 50, 22, 1, 1));
}

TEST_CASE("AH mutable fields: IPv4 header and options (RFC 4302 §3.3.3.1.1, App. A1)") {
  // IHL 7: Router Alert (immutable, kept) + Record Route stub (mutable, zeroed) + EOL.
  Bytes h = hex("47ab00281234600040ffffffc0a80001c0a80002" "94040000" "07030401");
  h[10] = 0xAA;
  REQUIRE(ah_zero_mutable_ipv4(h).ok());
  CHECK(to_hex(h) == "4700002812340000" "00ff0000c0a80001c0a80002" "94040000" "00000001");
  Bytes bad_opt = hex("46000024123400004001ffffc0a80001c0a80002" "07090000");
  CHECK_FALSE(ah_zero_mutable_ipv4(bad_opt).ok());
  Bytes wrong_len = hex("46000024123400004001ffffc0a80001c0a80002");
  CHECK_FALSE(ah_zero_mutable_ipv4(wrong_len).ok());
}

TEST_CASE("AH mutable fields: IPv6 header, hop-by-hop options, routing refused (§3.3.3.1.2)") {
  Bytes p = ipv6_udp("2001:db8::1", "2001:db8::2", 4, 0xB8);
  p[1] |= 0x0F;  // flow label bits
  Bytes h(p.begin(), p.begin() + 40);
  REQUIRE(ah_zero_mutable_ipv6(h).ok());
  CHECK(h[0] == 0x60);
  CHECK(h[1] == 0);
  CHECK(h[7] == 0);
  CHECK(std::equal(h.begin() + 8, h.end(), p.begin() + 8));
  // hop-by-hop: option 0x3e (change-en-route bit set) zeroed, option 0x05 kept.
  // NH=51 (AH), Hdr Ext Len 1 (16 bytes): options 0x3e, 0x05, then PadN.
  Bytes ext = hex("3301" "3e02aabb" "0502ccdd" "0104" "00000000");
  Bytes v6(p.begin(), p.begin() + 40);
  v6[6] = 0;
  v6.insert(v6.end(), ext.begin(), ext.end());
  REQUIRE(v6.size() == 56);
  REQUIRE(ah_zero_mutable_ipv6(v6).ok());
  CHECK(to_hex(ByteView(v6).subspan(40)) == "3301" "3e020000" "0502ccdd" "0104" "00000000");
  Bytes rt(v6.begin(), v6.begin() + 40);
  rt[6] = 43;
  rt.insert(rt.end(), 8, 0);
  CHECK_FALSE(ah_zero_mutable_ipv6(rt).ok());
}

TEST_CASE("UDP header, checksum, and RFC 1624 incremental update") {
  Bytes d = ipv4_udp("10.0.0.1", "10.0.0.2", 11);
  ByteView u = ByteView(d).subspan(20);
  auto h = parse_udp_header(u);
  REQUIRE(h.ok());
  CHECK(h->length == 19);
  Bytes w(8);
  REQUIRE(write_udp_header(w, *h));
  CHECK(std::equal(w.begin(), w.end(), u.begin()));
  CHECK(transport_checksum(addr("10.0.0.1"), addr("10.0.0.2"), 17, u) == 0);
  CHECK_FALSE(parse_udp_header(hex("000100020007")).ok());
  CHECK_FALSE(parse_udp_header(hex("0001000200070000")).ok());  // length below 8
  CHECK_FALSE(parse_udp_header(hex("0001000200200000")).ok());  // length beyond the data
  // Change the addresses, update incrementally, verify against the new pseudo-header.
  Bytes seg(u.begin(), u.end());
  const std::uint16_t old = static_cast<std::uint16_t>((seg[6] << 8) | seg[7]);
  const std::uint16_t upd = checksum_replace(old, hex("0a0000010a000002"), hex("c0a80101c6336402"));
  seg[6] = static_cast<std::uint8_t>(upd >> 8);
  seg[7] = static_cast<std::uint8_t>(upd);
  CHECK(transport_checksum(addr("192.168.1.1"), addr("198.51.100.2"), 17, seg) == 0);
  Bytes v6 = ipv6_udp("2001:db8::1", "2001:db8::2", 33);
  CHECK(transport_checksum(addr("2001:db8::1"), addr("2001:db8::2"), 17, ByteView(v6).subspan(40)) == 0);
}

TEST_CASE("RFC 3948 classification: ESP, non-ESP marker, keepalive") {
  CHECK(classify_udp_encap(hex("ff")) == UdpEncapKind::keepalive);
  CHECK(classify_udp_encap(hex("00000000aabbccdd")) == UdpEncapKind::ike);
  CHECK(classify_udp_encap(hex("0000000000")) == UdpEncapKind::ike);
  CHECK(classify_udp_encap(hex("0000100000000001")) == UdpEncapKind::esp);
  CHECK(classify_udp_encap(hex("00001000000000")) == UdpEncapKind::invalid);
  CHECK(classify_udp_encap(hex("fe")) == UdpEncapKind::invalid);
  CHECK(classify_udp_encap({}) == UdpEncapKind::invalid);
}

TEST_CASE("IPv6 header round trip and the extension walk for IPsec") {
  Bytes p = ipv6_udp("2001:db8::1", "2001:db8::2", 4, 0x2c);
  auto h = parse_ipv6_header(p);
  REQUIRE(h.ok());
  CHECK(h->traffic_class == 0x2c);
  CHECK(h->payload_length == 12);
  CHECK(h->next_header == 17);
  Bytes w(40);
  REQUIRE(write_ipv6_header(w, *h));
  CHECK(std::equal(w.begin(), w.end(), p.begin()));
  // hop-by-hop (kept in front) then destination options (not before routing: behind ESP).
  Bytes x(p.begin(), p.begin() + 40);
  x[6] = 0;
  Bytes hbh = hex("3c00010400000000"), dst = hex("1100010400000000");
  x.insert(x.end(), hbh.begin(), hbh.end());
  x.insert(x.end(), dst.begin(), dst.end());
  x.insert(x.end(), p.begin() + 40, p.end());
  x[5] = static_cast<std::uint8_t>(x.size() - 40);
  auto s = ipv6_split_for_ipsec(x);
  REQUIRE(s.ok());
  CHECK(s->header_length == 48);
  CHECK(s->next_header_offset == 40);
  CHECK(s->next_header == 60);
  auto u = ipv6_find_upper_layer(x);
  REQUIRE(u.ok());
  CHECK(u->header_length == 56);
  CHECK(u->next_header == 17);
  CHECK_FALSE(parse_ipv6_header(ByteView(p).first(39)).ok());
  Bytes v4 = p;
  v4[0] = 0x40;
  CHECK_FALSE(parse_ipv6_header(v4).ok());
  Bytes trunc = x;
  trunc[5] = 12;  // payload length cuts the extension header
  trunc.resize(52);
  CHECK_FALSE(ipv6_find_upper_layer(trunc).ok());
}
