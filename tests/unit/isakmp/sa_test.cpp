#include <doctest/doctest.h>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_error.h"
#include "wire/isakmp_sa.h"
#include "wire/isakmp_transform.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;

namespace {
Bytes encode(const SaPayload& sa) {
  ByteWriter w;
  REQUIRE(write_sa(w, sa).ok());
  return w.take();
}
}  // namespace

TEST_CASE("data attributes: TV, TLV, lifetimes of any length") {
  const Bytes data = hex_bytes("80010005" "000c000400015180" "000c0009010000000000000000" "000c0000");
  auto attrs = parse_attributes(data);
  REQUIRE(attrs.ok());
  REQUIRE(attrs->size() == 4);
  CHECK((*attrs)[0].tv);
  CHECK((*attrs)[0].type == 1);
  CHECK((*attrs)[0].as_number() == 5u);
  CHECK_FALSE((*attrs)[1].tv);
  CHECK((*attrs)[1].as_number() == 86400u);
  CHECK((*attrs)[2].as_number() == UINT64_MAX);  // 9 bytes, 2^64: saturates
  CHECK_FALSE((*attrs)[3].as_number().has_value());
  ByteWriter w;
  REQUIRE(write_attributes(w, *attrs).ok());
  CHECK(w.data() == data);
  // Truncated TV, truncated TLV value.
  CHECK(parse_attributes(hex_bytes("800100")).error().proto == 16);
  CHECK(parse_attributes(hex_bytes("000c000401")).error().proto == 16);
  // number(): TV when it fits, else 4 or 8 bytes.
  CHECK(DataAttribute::number(12, 28800).tv);
  CHECK(DataAttribute::number(12, 86400).value == hex_bytes("00015180"));
  CHECK(DataAttribute::number(12, 0x100000000ull).value == hex_bytes("0000000100000000"));
  // Writers prove the fields fit.
  ByteWriter w2;
  CHECK_FALSE(write_attributes(w2, {DataAttribute::basic(0x8000, 1)}).ok());
  CHECK_FALSE(write_attributes(w2, {DataAttribute::variable(2, Bytes(70000))}).ok());
}

TEST_CASE("SA payload: strongSwan's MM1 SA parses and re-encodes byte for byte") {
  // Shaped like strongSwan's MM1 SA (3DES/SHA-1/MODP-1024, PSK).
  // The lifetime (28800 s) travels as a TV attribute: 800c7080.
  const Bytes b = hex_bytes("00000001000000010000002801010001000000200101000080010005800200028004000280030001800b0001800c7080");
  auto sa = parse_sa(b);
  REQUIRE_MESSAGE(sa.ok(), sa.error().message);
  CHECK(sa->doi == Doi::ipsec);
  REQUIRE(sa->proposals.size() == 1);
  const Proposal& p = sa->proposals[0];
  CHECK(p.protocol == ProtocolId::isakmp);
  CHECK(p.spi.empty());
  REQUIRE(p.transforms.size() == 1);
  auto a = interpret_ike(p.transforms[0]);
  REQUIRE(a.ok());
  CHECK(a->encryption == IkeEncryption::des3_cbc);
  CHECK(a->hash == IkeHash::sha1);
  CHECK(a->group == GroupDescription::modp1024);
  CHECK(a->auth == IkeAuthMethod::psk);
  CHECK(a->life_seconds == 28800u);
  CHECK(describe(*a) == "3DES/SHA-1/group 2");
  CHECK(encode(*sa) == b);
}

TEST_CASE("SA payload: several proposals, SPIs, transforms; builders") {
  SaPayload sa;
  Proposal ah;
  ah.number = 1;
  ah.protocol = ProtocolId::ah;
  ah.spi = hex_bytes("11223344");
  IpsecTransformSpec s;
  s.id = raw(AhTransformId::sha);
  s.auth = AuthAlgorithm::hmac_sha1;
  s.mode = EncapsulationMode::transport;
  s.life_kilobytes = 100000;
  ah.transforms.push_back(make_ipsec_transform(1, s));
  Proposal esp = ah;
  esp.protocol = ProtocolId::esp;
  esp.spi = hex_bytes("55667788");
  s.id = raw(EspTransformId::aes_cbc);
  s.key_length = 256;
  s.pfs_group = GroupDescription::modp2048;
  esp.transforms = {make_ipsec_transform(1, s), make_ipsec_transform(2, s)};
  sa.proposals = {ah, esp};
  const Bytes b = encode(sa);
  auto back = parse_sa(b);
  REQUIRE(back.ok());
  CHECK(*back == sa);
  auto attrs = interpret_ipsec(back->proposals[1].transforms[1]);
  REQUIRE(attrs.ok());
  CHECK(attrs->mode == EncapsulationMode::transport);
  CHECK(attrs->key_length == 256);
  CHECK(attrs->group == GroupDescription::modp2048);
  CHECK(attrs->life_seconds == 3600u);
  CHECK(attrs->life_kilobytes == 100000u);
  CHECK(attrs->auth == AuthAlgorithm::hmac_sha1);
}

TEST_CASE("SA payload: meaning errors carry their notify types") {
  const Bytes good = hex_bytes("000000010000000100000014010100010000000c0101000080010005");
  REQUIRE(parse_sa(good).ok());
  Bytes doi = good;
  doi[3] = 2;
  CHECK(parse_sa(doi).error().proto == 2);  // DOI-NOT-SUPPORTED
  Bytes sit = good;
  sit[7] = 2;
  CHECK(parse_sa(sit).error().proto == 3);  // SITUATION-NOT-SUPPORTED
  Bytes count = good;
  count[15] = 2;  // announces 2 transforms, carries 1
  CHECK(parse_sa(count).error().proto == 15);
  Bytes zero = good;
  zero[15] = 0;
  CHECK(parse_sa(zero).error().proto == 15);
  Bytes next = good;
  next[8] = 3;  // proposal says "transform follows" at SA level
  CHECK_FALSE(parse_sa(next).ok());
  CHECK(parse_sa(hex_bytes("0000000100000001")).error().proto == 15);  // no proposals
  Bytes trunc = good;
  trunc.pop_back();
  CHECK(parse_sa(trunc).error().proto == 16);
  CHECK(parse_sa(hex_bytes("000000")).error().proto == 16);
  // A proposal whose SPI size runs past its end.
  CHECK(parse_sa(hex_bytes("000000010000000100000008010108010000")).error().proto == 16);
}

TEST_CASE("transform attributes: malformed lists are errors, unknown ones are listed") {
  Transform t;
  t.number = 1;
  t.id = 1;
  t.attributes = {DataAttribute::basic(1, 7), DataAttribute::basic(14, 128), DataAttribute::basic(0x4000, 1)};
  auto a = interpret_ike(t);
  REQUIRE(a.ok());
  CHECK(a->unknown == std::vector<std::uint16_t>{0x4000});
  CHECK(a->key_length == 128);
  t.attributes = {DataAttribute::variable(1, {0, 7})};  // basic attribute in TLV form
  CHECK(interpret_ike(t).error().proto == 13);
  t.attributes = {DataAttribute::basic(1, 7), DataAttribute::basic(1, 5)};
  CHECK(interpret_ike(t).error().proto == 15);
  t.attributes = {DataAttribute::number(12, 5)};  // duration without type
  CHECK(interpret_ike(t).error().proto == 15);
  t.attributes = {DataAttribute::basic(11, 1)};  // type without duration
  CHECK(interpret_ike(t).error().proto == 15);
  t.attributes = {DataAttribute::basic(11, 1), DataAttribute::basic(1, 7)};
  CHECK(interpret_ike(t).error().proto == 15);
  t.attributes = {DataAttribute::basic(11, 9), DataAttribute::number(12, 5)};
  CHECK(interpret_ike(t).error().proto == 13);
  t.attributes = {DataAttribute::basic(11, 1), DataAttribute::number(12, 5), DataAttribute::basic(11, 1),
                  DataAttribute::number(12, 6)};
  CHECK(interpret_ike(t).error().proto == 15);
  t.attributes = {DataAttribute::basic(11, 1), DataAttribute::variable(12, {})};
  CHECK_FALSE(interpret_ike(t).ok());
  t.attributes = {DataAttribute::basic(11, 2), DataAttribute::variable(12, hex_bytes("0102030405060708090a"))};
  CHECK(interpret_ike(t)->life_kilobytes == UINT64_MAX);
  t.attributes = {DataAttribute::basic(5, 1)};
  CHECK(interpret_ike(t)->custom_group);
  // Phase 2: ESN and compression are recognised, private attributes listed.
  t.attributes = {DataAttribute::basic(11, 1), DataAttribute::basic(8, 2), DataAttribute::basic(32001, 1)};
  auto q = interpret_ipsec(t);
  REQUIRE(q.ok());
  CHECK(q->esn == 1);
  CHECK(q->compression);
  CHECK(q->unknown == std::vector<std::uint16_t>{32001});
}

#include <filesystem>
#include <fstream>
#include <iterator>

TEST_CASE("the isakmp_sa fuzz seeds are valid SA payloads") {
  const std::filesystem::path dir = std::string(IPSECKIT_SOURCE_DIR) + "/tests/fuzz/corpus/isakmp_sa";
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    CAPTURE(e.path().string());
    std::ifstream in(e.path(), std::ios::binary);
    const Bytes b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto sa = parse_sa(b);
    REQUIRE_MESSAGE(sa.ok(), sa.error().message);
    CHECK(encode(*sa) == b);
    for (const auto& p : sa->proposals)
      for (const auto& t : p.transforms) CHECK((p.protocol == ProtocolId::isakmp ? interpret_ike(t).ok() : interpret_ipsec(t).ok()));
    ++n;
  }
  CHECK(n >= 10);
}
