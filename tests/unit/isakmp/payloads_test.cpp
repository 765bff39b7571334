#include <doctest/doctest.h>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_id.h"
#include "wire/isakmp_payloads.h"

using namespace ipseckit;
using namespace ipseckit::wire;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;

namespace {
template <class T, class W>
Bytes written(const T& v, W write) {
  ByteWriter w;
  write(w, v);
  return w.take();
}
}  // namespace

TEST_CASE("ID payload: every address form, names, DN; byte-exact") {
  struct Case {
    const char* hex;
    const char* str;
  };
  const Case cases[] = {
      {"01000000c6336401", "ID_IPV4_ADDR 198.51.100.1"},
      {"011106a5c6336401", "ID_IPV4_ADDR 198.51.100.1 udp/1701"},
      {"04000000c0000200ffffff00", "ID_IPV4_ADDR_SUBNET 192.0.2.0/24"},
      {"04060000c0000280ffffff80", "ID_IPV4_ADDR_SUBNET 192.0.2.128/25 tcp"},
      {"07000000c0000201c00002fe", "ID_IPV4_ADDR_RANGE 192.0.2.1-192.0.2.254"},
      {"0500000020010db8000000000000000000000001", "ID_IPV6_ADDR 2001:db8::1"},
      {"0600000020010db8000000000000000000000000ffffffffffffffff0000000000000000", "ID_IPV6_ADDR_SUBNET 2001:db8::/64"},
      {"02000000" "67772e6578616d706c65", "ID_FQDN gw.example"},
      {"03000000" "616c69636540782e6578616d706c65", "ID_USER_FQDN alice@x.example"},
      {"09000000" "3011310f300d06035504030c0667772d636133", "ID_DER_ASN1_DN (19 bytes)"},
      {"0b000000" "6b6579", "ID_KEY_ID (3 bytes)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.hex);
    const Bytes b = hex_bytes(c.hex);
    auto id = parse_id(b);
    REQUIRE_MESSAGE(id.ok(), id.error().message);
    CHECK(id->str() == c.str);
    CHECK(written(*id, write_id) == b);
  }
  auto s = parse_id(hex_bytes("04060000c0000280ffffff80"));
  CHECK(s->as_subnet()->str() == "192.0.2.128/25");
  CHECK(s->protocol == 6);
  CHECK(IdPayload::subnet(*IpPrefix::parse("192.0.2.0/24")).data == hex_bytes("c0000200ffffff00"));
  CHECK(IdPayload::address(*IpAddr::parse("198.51.100.1"), 17, 1701) == *parse_id(hex_bytes("011106a5c6336401")));
  CHECK(IdPayload::range(*IpAddr::parse("192.0.2.1"), *IpAddr::parse("192.0.2.254")).as_range()->second.str() == "192.0.2.254");
  CHECK(*IdPayload::fqdn("gw.example").as_text() == "gw.example");
  CHECK(IdPayload::user_fqdn("a@b").type == IdType::user_fqdn);
  CHECK(IdPayload::der_dn(hex_bytes("3000")).str() == "ID_DER_ASN1_DN (2 bytes)");
  // Host bits in a subnet ID are cleared by as_subnet() but kept on the wire.
  auto h = parse_id(hex_bytes("04000000c0000201ffffff00"));
  CHECK(h->as_subnet()->str() == "192.0.2.0/24");
  CHECK(written(*h, write_id) == hex_bytes("04000000c0000201ffffff00"));
}

TEST_CASE("ID payload: wrong sizes and masks are INVALID-ID-INFORMATION") {
  CHECK(parse_id(hex_bytes("01000000c63364")).error().proto == 18);
  CHECK(parse_id(hex_bytes("01000000c633640101")).error().proto == 18);
  CHECK(parse_id(hex_bytes("04000000c0000200ff00ff00")).error().proto == 18);
  CHECK(parse_id(hex_bytes("0600000020010db8")).error().proto == 18);
  CHECK(parse_id(hex_bytes("010000")).error().proto == 16);
  CHECK(parse_id(hex_bytes("02000000"))->str() == "ID_FQDN ");
  CHECK(parse_id(hex_bytes("0200000001ff"))->str() == "ID_FQDN ??");
}

TEST_CASE("KE, HASH, SIG, NONCE, VID, NAT-D, CERT, CR") {
  CHECK(parse_ke(hex_bytes("01"))->data == hex_bytes("01"));
  CHECK(parse_ke({}).error().proto == 16);
  CHECK(parse_hash({}).error().proto == 16);
  CHECK(parse_sig({}).error().proto == 16);
  CHECK(parse_nat_d({}).error().proto == 16);
  CHECK(parse_vendor_id({}).ok());
  CHECK(parse_nonce(Bytes(7)).error().proto == 16);
  CHECK(parse_nonce(Bytes(8)).ok());
  CHECK(parse_nonce(Bytes(256)).ok());
  CHECK(parse_nonce(Bytes(257)).error().proto == 16);
  auto c = parse_cert(hex_bytes("04308201"));
  REQUIRE(c.ok());
  CHECK(c->encoding == CertEncoding::x509_signature);
  CHECK(written(*c, write_cert) == hex_bytes("04308201"));
  CHECK(parse_cert(hex_bytes("04")).error().proto == 16);
  auto cr = parse_cr(hex_bytes("04"));
  REQUIRE(cr.ok());
  CHECK(cr->authority.empty());
  CHECK(written(*cr, write_cr) == hex_bytes("04"));
  CHECK(parse_cr({}).error().proto == 16);
}

TEST_CASE("N payload: INITIAL-CONTACT, DPD R-U-THERE with sequence, RESPONDER-LIFETIME") {
  // RFC 3706 5: R-U-THERE, ISAKMP SPI = the cookie pair, data = 32-bit sequence number.
  const Bytes dpd = hex_bytes("00000001" "01" "10" "8d28" "0011223344556677" "8899aabbccddeeff" "0000002a");
  auto n = parse_notify(dpd);
  REQUIRE(n.ok());
  CHECK(n->type == NotifyType::dpd_r_u_there);
  CHECK(n->protocol == ProtocolId::isakmp);
  CHECK(n->spi.size() == 16);
  CHECK(n->data == hex_bytes("0000002a"));
  ByteWriter w;
  REQUIRE(write_notify(w, *n).ok());
  CHECK(w.data() == dpd);
  auto ic = parse_notify(hex_bytes("0000000101106002" "00112233445566778899aabbccddeeff"));
  CHECK(ic->type == NotifyType::initial_contact);
  CHECK(parse_notify(hex_bytes("000000010310")).error().proto == 16);
  CHECK(parse_notify(hex_bytes("0000000103046000aabbcc")).error().proto == 16);
  NotifyPayload big;
  big.spi = Bytes(256);
  ByteWriter w2;
  CHECK_FALSE(write_notify(w2, big).ok());
}

TEST_CASE("D payload: SPI lists are exact") {
  const Bytes d = hex_bytes("00000001" "03" "04" "0002" "11223344" "55667788");
  auto del = parse_delete(d);
  REQUIRE(del.ok());
  CHECK(del->protocol == ProtocolId::esp);
  CHECK(del->spis.size() == 2);
  ByteWriter w;
  REQUIRE(write_delete(w, *del).ok());
  CHECK(w.data() == d);
  CHECK(parse_delete(hex_bytes("00000001030400021122334455667788ff")).error().proto == 16);
  CHECK(parse_delete(hex_bytes("000000010304000211223344")).error().proto == 16);
  CHECK(parse_delete(hex_bytes("0000000103000005")).error().proto == 16);  // SPI size 0
  CHECK(parse_delete(hex_bytes("00000001030400")).error().proto == 16);
  DeletePayload bad = *del;
  bad.spis[1].pop_back();
  ByteWriter w2;
  CHECK_FALSE(write_delete(w2, bad).ok());
}

TEST_CASE("NAT-OA: IPv4 and IPv6, RFC 3947 5.2") {
  const Bytes v4 = hex_bytes("01000000c0000201");
  auto oa = parse_nat_oa(v4);
  REQUIRE(oa.ok());
  CHECK(oa->address.str() == "192.0.2.1");
  CHECK(written(*oa, write_nat_oa) == v4);
  const Bytes v6 = hex_bytes("0500000020010db8000000000000000000000001");
  CHECK(written(*parse_nat_oa(v6), write_nat_oa) == v6);
  CHECK(parse_nat_oa(hex_bytes("05000000c0000201")).error().proto == 16);
  CHECK(parse_nat_oa(hex_bytes("02000000c0000201")).error().proto == 16);
  CHECK(parse_nat_oa(hex_bytes("010000")).error().proto == 16);
}
