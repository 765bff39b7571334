#include <doctest/doctest.h>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_error.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_rules.h"
#include "wire/isakmp_vendor.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;

namespace {

std::vector<PayloadType> types(const Message& m) {
  std::vector<PayloadType> t;
  for (const auto& p : m.payloads) t.push_back(p.type);
  return t;
}

Header header(ExchangeType x, bool encrypted = false) {
  Header h;
  h.initiator_cookie = {1, 1, 1, 1, 1, 1, 1, 1};
  h.exchange = x;
  h.flags = encrypted ? flags::encryption : 0;
  return h;
}

std::vector<Payload> payloads(std::initializer_list<PayloadType> ts) {
  std::vector<Payload> out;
  for (const auto t : ts) out.push_back(Payload{t, 0, UnknownPayload{}});
  return out;
}

}  // namespace

TEST_CASE("real strongSwan messages: decode, validate, re-encode byte for byte") {
  const auto cases = test::read_vec_file(test::ike_vector_path("strongswan-ikev1.vec"));
  REQUIRE(cases.size() >= 4);
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto msgs = c.all("msg");
    REQUIRE(msgs.size() >= 9);
    std::size_t plain = 0;
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      const Bytes d = hex_bytes(msgs[i].substr(2));
      auto m = decode_message(d);
      REQUIRE_MESSAGE(m.ok(), m.error().message);
      if (m->header.encrypted()) {
        auto back = encode_encrypted(m->header, m->header.next_payload, m->ciphertext);
        REQUIRE(back.ok());
        CHECK(*back == d);
        continue;
      }
      auto back = encode_message(m->header, m->payloads);
      REQUIRE(back.ok());
      CHECK(*back == d);
      // MM1..MM4 are the plaintext ones, in order.
      const MessageKind kinds[] = {MessageKind::main_mode_1, MessageKind::main_mode_2, MessageKind::main_mode_3,
                                   MessageKind::main_mode_4};
      REQUIRE(plain < 4);
      CHECK(validate(rules_for(kinds[plain]), m->header, m->payloads).ok());
      ++plain;
    }
    CHECK(plain == 4);
    // MM1: SA + the five vendor IDs strongSwan sends (XAuth, DPD, FRAGMENTATION, NAT-T, draft-02\n).
    auto mm1 = decode_message(hex_bytes(msgs[0].substr(2)));
    REQUIRE(mm1.ok());
    CHECK(types(*mm1).front() == PayloadType::sa);
    std::vector<KnownVendor> vids;
    for (const auto& p : mm1->payloads)
      if (const auto* v = p.as<VendorIdPayload>()) vids.push_back(*identify_vendor(v->data));
    CHECK(vids == std::vector<KnownVendor>{KnownVendor::xauth, KnownVendor::dpd, KnownVendor::fragmentation,
                                           KnownVendor::nat_t_rfc3947, KnownVendor::nat_t_draft_02n});
    // MM3: KE, NONCE, two NAT-D (RFC 3947 numbers, since both sides sent the RFC VID).
    auto mm3 = decode_message(hex_bytes(msgs[2].substr(2)));
    CHECK(types(*mm3) == std::vector<PayloadType>{PayloadType::ke, PayloadType::nonce, PayloadType::nat_d, PayloadType::nat_d});
  }
}

TEST_CASE("encode/decode: typed payloads, NAT-D under both numbers, consistency checks") {
  std::vector<Payload> p{make_payload(KePayload{Bytes(128, 3)}), make_payload(NoncePayload{Bytes(16, 4)}),
                         make_payload(PayloadType::nat_d_draft, NatDPayload{Bytes(20, 5)}),
                         make_payload(NatDPayload{Bytes(20, 6)}),
                         make_payload(PayloadType::attributes, UnknownPayload{hex_bytes("0102")})};
  Header h = header(ExchangeType::main_mode);
  h.message_id = 0;
  auto bytes = encode_message(h, p);
  REQUIRE(bytes.ok());
  auto m = decode_message(*bytes);
  REQUIRE(m.ok());
  CHECK(m->payloads == p);
  CHECK(m->header.length == bytes->size());
  CHECK(m->count(PayloadType::nat_d) == 1);
  CHECK(m->find(PayloadType::nat_d_draft)->as<NatDPayload>()->hash == Bytes(20, 5));
  CHECK(m->find(PayloadType::sig) == nullptr);
  // A body under a type it does not belong to is refused by the writer.
  CHECK_FALSE(encode_message(h, std::vector<Payload>{make_payload(PayloadType::hash, KePayload{{1}})}).ok());
  CHECK_FALSE(encode_body(Payload{PayloadType::none, 0, UnknownPayload{}}).ok());
  // A payload too large for its 16-bit length.
  CHECK_FALSE(encode_message(h, std::vector<Payload>{make_payload(VendorIdPayload{Bytes(65532)})}).ok());
  CHECK(encode_message(h, std::vector<Payload>{make_payload(VendorIdPayload{Bytes(65531)})}).ok());
  // Errors inside a body surface with their notify type.
  Bytes bad = *bytes;
  bad[28 + 4 + 128 + 3] = 7;  // NONCE length 7 -> the nonce is too short and the chain shifts
  CHECK_FALSE(decode_message(bad).ok());
}

TEST_CASE("encrypted messages keep their ciphertext; it must be whole blocks") {
  Header h = header(ExchangeType::quick_mode);
  h.message_id = 0x12345678;
  auto e = encode_encrypted(h, PayloadType::hash, Bytes(32, 9));
  REQUIRE(e.ok());
  auto m = decode_message(*e);
  REQUIRE(m.ok());
  CHECK(m->header.encrypted());
  CHECK(m->header.next_payload == PayloadType::hash);
  CHECK(m->ciphertext == Bytes(32, 9));
  CHECK(m->payloads.empty());
  auto odd = encode_encrypted(h, PayloadType::hash, Bytes(12, 9));
  CHECK(decode_message(*odd).error().proto == 16);
  auto none = encode_encrypted(h, PayloadType::hash, Bytes{});
  CHECK(decode_message(*none).error().proto == 16);
  // Decrypted bodies end in padding: decode_payloads(Trailing::allow).
  auto body = encode_payloads(std::vector<Payload>{make_payload(HashPayload{Bytes(20, 1)})});
  Bytes padded = *body;
  padded.insert(padded.end(), {0, 0, 0, 0, 0, 0, 0, 7});
  CHECK(decode_payloads(PayloadType::hash, padded, Trailing::allow)->size() == 1);
  CHECK_FALSE(decode_payloads(PayloadType::hash, padded, Trailing::reject).ok());
}

TEST_CASE("rules: Main Mode, Quick Mode, Informational, fragments") {
  using P = PayloadType;
  const auto& mm1 = rules_for(MessageKind::main_mode_1);
  CHECK(validate(mm1, header(ExchangeType::main_mode), payloads({P::sa, P::vendor_id, P::vendor_id})).ok());
  CHECK(validate(mm1, header(ExchangeType::main_mode), payloads({P::vendor_id})).error().proto == 16);
  CHECK(validate(mm1, header(ExchangeType::main_mode), payloads({P::sa, P::sa})).error().proto == 1);
  CHECK(validate(mm1, header(ExchangeType::main_mode), payloads({P::sa, P::ke})).error().proto == 1);
  CHECK(validate(mm1, header(ExchangeType::main_mode), payloads({P::sa, static_cast<P>(99)})).error().proto == 1);
  CHECK(validate(mm1, header(ExchangeType::aggressive), payloads({P::sa})).error().proto == 7);
  const auto& mm3 = rules_for(MessageKind::main_mode_3);
  CHECK(validate(mm3, header(ExchangeType::main_mode), payloads({P::ke, P::nonce, P::nat_d_draft, P::nat_d_draft})).ok());
  CHECK(validate(mm3, header(ExchangeType::main_mode), payloads({P::ke})).error().proto == 16);
  const auto& mm5 = rules_for(MessageKind::main_mode_5);
  const Header enc = header(ExchangeType::main_mode, true);
  CHECK(validate(mm5, enc, payloads({P::id, P::hash, P::notify})).ok());
  CHECK(validate(mm5, enc, payloads({P::id, P::cert, P::sig, P::cr})).ok());
  CHECK(validate(mm5, header(ExchangeType::main_mode), payloads({P::id, P::hash})).error().proto == 8);
  CHECK(validate(mm5, enc, payloads({P::id})).error().proto == 16);
  CHECK(validate(mm5, enc, payloads({P::id, P::hash, P::sig})).error().proto == 16);
  CHECK(validate(mm5, enc, payloads({P::hash})).error().proto == 16);
  const auto& qm1 = rules_for(MessageKind::quick_mode_1);
  const Header qe = header(ExchangeType::quick_mode, true);
  CHECK(validate(qm1, qe, payloads({P::hash, P::sa, P::nonce, P::id, P::id})).ok());
  CHECK(validate(qm1, qe, payloads({P::hash, P::sa, P::nonce, P::ke, P::id, P::id, P::nat_oa, P::nat_oa})).ok());
  CHECK(validate(qm1, qe, payloads({P::sa, P::hash, P::nonce})).error().proto == 16);  // HASH not first
  CHECK(validate(qm1, qe, payloads({P::hash, P::sa, P::nonce, P::id})).error().proto == 16);
  CHECK(validate(qm1, qe, payloads({P::hash, P::sa, P::nonce, P::id, P::id, P::id})).error().proto == 1);
  CHECK(validate(qm1, qe, payloads({P::hash, P::sa, P::nonce, P::ke, P::ke})).error().proto == 1);
  CHECK(validate(rules_for(MessageKind::quick_mode_3), qe, payloads({P::hash})).ok());
  CHECK(validate(rules_for(MessageKind::quick_mode_3), qe, payloads({P::hash, P::nonce})).error().proto == 1);
  const auto& info = rules_for(MessageKind::informational);
  const Header ie = header(ExchangeType::informational, true);
  CHECK(validate(info, ie, payloads({P::hash, P::notify})).ok());
  CHECK(validate(info, ie, payloads({P::hash, P::del, P::del})).ok());
  CHECK(validate(info, ie, payloads({P::notify})).error().proto == 16);
  CHECK(validate(info, header(ExchangeType::informational), payloads({P::hash, P::notify})).error().proto == 8);
  const auto& plain = rules_for(MessageKind::informational_plain);
  CHECK(validate(plain, header(ExchangeType::informational), payloads({P::notify})).ok());
  CHECK(validate(plain, header(ExchangeType::informational), payloads({P::hash, P::notify})).error().proto == 1);
  const auto& frag = rules_for(MessageKind::fragment);
  CHECK(validate(frag, header(ExchangeType::main_mode), payloads({P::fragment})).ok());
  CHECK(validate(frag, header(ExchangeType::quick_mode), payloads({P::fragment})).ok());
  CHECK(validate(frag, header(ExchangeType::main_mode), payloads({P::fragment, P::fragment})).error().proto == 1);
  const auto& am2 = rules_for(MessageKind::aggressive_2);
  CHECK(validate(am2, header(ExchangeType::aggressive),
                 payloads({P::sa, P::ke, P::nonce, P::id, P::vendor_id, P::nat_d, P::nat_d, P::hash})).ok());
  // Every kind names itself.
  for (int k = 0; k <= static_cast<int>(MessageKind::fragment); ++k)
    CHECK(rules_for(static_cast<MessageKind>(k)).kind == static_cast<MessageKind>(k));
}
