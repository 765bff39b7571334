#include <doctest/doctest.h>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_error.h"
#include "wire/isakmp_header.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;

namespace {
// strongSwan's MM1 header (from tests/vectors/ike/strongswan-ikev1.vec) with a VID-only body.
Bytes sample() {
  ByteWriter w;
  Header h;
  h.initiator_cookie = {0x4f, 0x61, 0x47, 0x57, 0x29, 0x01, 0x41, 0xb1};
  h.next_payload = PayloadType::vendor_id;
  h.exchange = ExchangeType::main_mode;
  h.length = 28 + 12;
  write_header(w, h);
  w.bytes(hex_bytes("00000c0009002689dfd6b712"));
  return w.take();
}
}  // namespace

TEST_CASE("ISAKMP header: parse and write back byte for byte") {
  const Bytes m = sample();
  auto h = parse_header(m);
  REQUIRE(h.ok());
  CHECK(h->initiator_cookie[0] == 0x4f);
  CHECK(h->responder_cookie == Cookie{});
  CHECK(h->next_payload == PayloadType::vendor_id);
  CHECK(h->major_version == 1);
  CHECK(h->minor_version == 0);
  CHECK(h->exchange == ExchangeType::main_mode);
  CHECK(h->length == 40);
  CHECK_FALSE(h->encrypted());
  ByteWriter w;
  write_header(w, *h);
  CHECK(w.data() == Bytes(m.begin(), m.begin() + 28));
}

TEST_CASE("ISAKMP header: errors carry the notify type") {
  Bytes m = sample();
  CHECK(notify_of(parse_header(ByteView(m).first(27)).error()) == NotifyType::payload_malformed);
  Bytes v2 = m;
  v2[17] = 0x20;  // IKEv2
  auto e = parse_header(v2);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().proto == 5);  // INVALID-MAJOR-VERSION
  Bytes longer = m;
  longer.push_back(0);
  CHECK(parse_header(longer).error().proto == 30);  // UNEQUAL-PAYLOAD-LENGTHS
  Bytes short_len = m;
  short_len[27] = 20;
  CHECK(parse_header(short_len).error().proto == 16);
  CHECK(parse_header(ByteView(m).first(39)).error().proto == 30);
}

TEST_CASE("payload chain walker: lengths first, types later") {
  // VID(4 bytes of data) -> unknown type 99 (empty) -> none
  const Bytes chain = hex_bytes("63000008deadbeef" "00000004");
  auto w = walk_payloads(PayloadType::vendor_id, chain, Trailing::reject);
  REQUIRE(w.ok());
  REQUIRE(w->size() == 2);
  CHECK((*w)[0].type == PayloadType::vendor_id);
  CHECK(to_hex((*w)[0].body) == "deadbeef");
  CHECK((*w)[1].type == static_cast<PayloadType>(99));
  CHECK((*w)[1].body.empty());
  CHECK((*w)[1].offset == 8);
  // Trailing bytes: padding is fine after decryption, malformed otherwise.
  Bytes padded = chain;
  padded.insert(padded.end(), {0, 0, 0, 3});
  CHECK_FALSE(walk_payloads(PayloadType::vendor_id, padded, Trailing::reject).ok());
  CHECK(walk_payloads(PayloadType::vendor_id, padded, Trailing::allow).ok());
  // Length below the generic header, past the end, truncated header.
  CHECK(walk_payloads(PayloadType::vendor_id, hex_bytes("00000003"), Trailing::reject).error().proto == 16);
  CHECK(walk_payloads(PayloadType::vendor_id, hex_bytes("00000009deadbeef"), Trailing::reject).error().proto == 16);
  CHECK(walk_payloads(PayloadType::vendor_id, hex_bytes("000000"), Trailing::reject).error().proto == 16);
  CHECK(walk_payloads(PayloadType::none, {}, Trailing::reject)->empty());
  // More than kMaxPayloads payloads are refused before any of them is interpreted.
  Bytes many;
  for (std::size_t i = 0; i <= kMaxPayloads; ++i) many.insert(many.end(), {13, 0, 0, 4});
  many[many.size() - 4] = 0;
  auto r = walk_payloads(PayloadType::vendor_id, many, Trailing::reject);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("more than 128") != std::string::npos);
  many.resize(many.size() - 8);
  many[many.size() - 4] = 0;
  CHECK(walk_payloads(PayloadType::vendor_id, many, Trailing::reject)->size() == kMaxPayloads - 1);
}
