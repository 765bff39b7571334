// AH (RFC 4302) end to end: the ICV covers the immutable IP fields and the payload; TTL/hop
// limit, TOS/traffic class, flow label, flags and fragment offset may change in transit
// (§3.3.3.1); anything else is detected. Includes the Windows AH[SHA]+ESP[3DES,SHA] bundle.
#include <doctest/doctest.h>

#include "support.h"
#include "wire/ah.h"
#include "wire/ip_packet.h"

using namespace esptest;
using policy::Cipher;
using policy::Integrity;

namespace {

Bytes protect(Pair& p, const Bytes& inner) {
  Buf buf;
  auto pkt = buf.load(inner);
  REQUIRE(p.out->protect(pkt).status == esp::TxStatus::ok);
  return Bytes(pkt.view().begin(), pkt.view().end());
}

esp::RxStatus receive(Pair& p, const Bytes& w, Bytes* out = nullptr) {
  Buf buf;
  auto pkt = buf.load(w, 0);
  const auto s = p.in->unprotect(pkt);
  if (out) out->assign(pkt.view().begin(), pkt.view().end());
  return s;
}

void fix_ipv4_checksum(Bytes& w) {
  w[10] = w[11] = 0;
  const std::uint16_t c = ipseckit::wire::inet_checksum(ByteView(w).first(std::size_t{w[0] & 0xFu} * 4));
  w[10] = static_cast<std::uint8_t>(c >> 8);
  w[11] = static_cast<std::uint8_t>(c);
}

}  // namespace

TEST_CASE("AH over IPv4: mutable fields may change, immutable ones may not") {
  for (Integrity alg : {Integrity::sha1, Integrity::md5, Integrity::sha256, Integrity::sha512, Integrity::aes_gmac128}) {
    for (esp::Mode mode : {esp::Mode::transport, esp::Mode::tunnel}) {
      CAPTURE(static_cast<int>(alg));
      CAPTURE(static_cast<int>(mode));
      const bool tunnel = mode == esp::Mode::tunnel;
      esp::SaConfig c = make_config(mode, {}, alg, tunnel ? "192.0.2.1" : "10.1.0.5", tunnel ? "198.51.100.2" : "10.2.0.7");
      auto p = make_pair(c, mirrored(c));
      const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 77, true);
      Bytes w = protect(*p, inner);
      CHECK(w[9] == 51);
      // A router decrements TTL, re-marks DSCP/ECN, clears DF, and fixes the checksum.
      Bytes routed = w;
      routed[8] = static_cast<std::uint8_t>(routed[8] - 5);
      routed[1] = 0x2E;
      routed[6] &= static_cast<std::uint8_t>(~0x40);
      fix_ipv4_checksum(routed);
      Bytes got;
      CHECK(receive(*p, routed, &got) == esp::RxStatus::ok);
      if (tunnel) {
        CHECK(got == inner);
      } else {
        CHECK(got.size() == inner.size());
        CHECK(std::equal(got.begin() + 20, got.end(), inner.begin() + 20));  // payload intact
        CHECK(got[9] == 17);
        CHECK(ipseckit::wire::parse_ipv4_header(got).ok());
      }
      // Immutable: the source address, the ID, the payload, the AH SPI's neighbour fields.
      for (std::size_t at : {std::size_t{4}, std::size_t{13}, std::size_t{20 + 2}, w.size() - 1}) {
        Bytes t = protect(*p, inner);
        t[at] ^= 0x10;
        fix_ipv4_checksum(t);
        CHECK(receive(*p, t) == esp::RxStatus::auth_failed);
      }
      CHECK(p->in->counters().auth_failed == 4);
      CHECK(p->in->counters().ok == 1);
    }
  }
}

TEST_CASE("AH over IPv6: hop limit, traffic class and flow label are mutable") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, {}, Integrity::sha256, "2001:db8::1", "2001:db8::2");
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv6_udp("fd00::5", "fd00::7", 100);
  Bytes w = protect(*p, inner);
  CHECK(w[6] == 51);
  auto ah = ipseckit::wire::parse_ah_header(ByteView(w).subspan(40));
  REQUIRE(ah.ok());
  CHECK(ah->length == 32);  // 12 + 16, a multiple of 8 over IPv6 (RFC 4302 §3.3.3.2.1)
  Bytes routed = w;
  routed[7] = 3;                   // hop limit
  routed[0] = 0x6F;                // traffic class high nibble
  routed[1] = 0xF5;
  routed[2] = 0x12;                // flow label
  routed[3] = 0x34;
  Bytes got;
  CHECK(receive(*p, routed, &got) == esp::RxStatus::ok);
  CHECK(got == inner);
  Bytes t = protect(*p, inner);
  t[39] ^= 1;  // destination address
  CHECK(receive(*p, t) == esp::RxStatus::auth_failed);
}

TEST_CASE("Windows AH[SHA]+ESP[3DES,SHA] bundle: AH outside ESP, two SPIs, two windows") {
  esp::SaConfig c = make_config(esp::Mode::transport, policy::EspTransform{Cipher::des3, Integrity::sha1},
                                Integrity::sha1, "10.1.0.5", "10.2.0.7");
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 300);
  const Bytes w = protect(*p, inner);
  // IP | AH (next header 50) | ESP
  CHECK(w[9] == 51);
  auto ah = ipseckit::wire::parse_ah_header(ByteView(w).subspan(20));
  REQUIRE(ah.ok());
  CHECK(ah->next_header == 50);
  CHECK(ah->spi == c.ah->spi);
  CHECK(ah->seq == 1);
  const std::size_t esp_at = 20 + ah->length;
  CHECK(((std::uint32_t{w[esp_at]} << 24) | (std::uint32_t{w[esp_at + 1]} << 16) | (std::uint32_t{w[esp_at + 2]} << 8) |
         w[esp_at + 3]) == c.esp->spi);
  Bytes got;
  CHECK(receive(*p, w, &got) == esp::RxStatus::ok);
  CHECK(got == inner);
  CHECK(p->in->ah_window().top() == 1);
  CHECK(p->in->esp_window().top() == 1);
  CHECK(receive(*p, w) == esp::RxStatus::replayed);
  // An ESP SPI that is not the bundle's, under a valid AH: counted as bad SPI.
  esp::SaConfig other = clone(c);
  other.esp->spi = c.esp->spi + 1;
  auto q = make_pair(other, mirrored(c));
  CHECK(receive(*q, protect(*q, inner)) == esp::RxStatus::bad_spi);
  CHECK(q->in->counters().bad_spi == 1);
  // AH-only receiver configuration refuses ESP-only traffic as malformed.
  esp::SaConfig esp_only = make_config(esp::Mode::transport, policy::EspTransform{Cipher::des3, Integrity::sha1}, {},
                                       "10.1.0.5", "10.2.0.7");
  esp_only.esp->spi = c.esp->spi;
  auto r = make_pair(esp_only, mirrored(c));
  CHECK(receive(*r, protect(*r, inner)) == esp::RxStatus::malformed);
}
