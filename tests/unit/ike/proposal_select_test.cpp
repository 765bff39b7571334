#include <doctest/doctest.h>

#include "wire/isakmp_error.h"
#include "ike/proposal_select.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using namespace ipseckit::ike;
namespace pol = ipseckit::policy;

namespace {

pol::MmOffer mm(pol::Cipher c, pol::Integrity h, pol::DhGroup g) {
  pol::MmOffer o;
  o.cipher = c;
  o.hash = h;
  o.group = g;
  return o;
}

SaPayload phase1_sa(std::vector<Transform> ts) {
  SaPayload sa;
  Proposal p;
  p.transforms = std::move(ts);
  sa.proposals.push_back(p);
  return sa;
}

constexpr IkeAuthMethod kPsk[] = {IkeAuthMethod::psk};

}  // namespace

TEST_CASE("main mode: strongSwan's default offer with a DH-group-only transform is skipped, not fatal") {
  IkeTransformSpec aes;
  aes.encryption = IkeEncryption::aes_cbc;
  aes.key_length = 128;
  aes.hash = IkeHash::sha2_256;
  aes.group = GroupDescription::curve25519;
  Transform degenerate;
  degenerate.number = 2;
  degenerate.id = 1;
  degenerate.attributes = {DataAttribute::basic(raw(IkeAttr::group_description), 31)};
  IkeTransformSpec ours = aes;
  ours.group = GroupDescription::modp2048;
  const SaPayload sa = phase1_sa({make_ike_transform(1, aes), degenerate, make_ike_transform(3, ours)});
  const pol::MmOffer offers[] = {mm(pol::Cipher::des3, pol::Integrity::sha1, pol::DhGroup::modp1024),
                                 mm(pol::Cipher::aes128, pol::Integrity::sha256, pol::DhGroup::modp2048)};
  auto sel = select_main_mode(sa, offers, kPsk);
  REQUIRE_MESSAGE(sel.ok(), sel.error().message);
  CHECK(sel->transform == 2);
  CHECK(sel->offer == 1);
  CHECK(sel->attrs.group == GroupDescription::modp2048);
}

TEST_CASE("main mode: the failure says what each side wanted") {
  IkeTransformSpec s;
  s.encryption = IkeEncryption::aes_cbc;
  s.key_length = 256;
  s.hash = IkeHash::sha2_256;
  s.group = GroupDescription::modp2048;
  const pol::MmOffer offers[] = {mm(pol::Cipher::des3, pol::Integrity::sha1, pol::DhGroup::modp1024)};
  auto sel = select_main_mode(phase1_sa({make_ike_transform(1, s)}), offers, kPsk);
  REQUIRE_FALSE(sel.ok());
  CHECK(sel.error().proto == 14);
  CHECK(sel.error().message == "peer offered AES-256/SHA-256/group 14; we allow 3DES/SHA-1/group 2");
  // Same suite, other authentication.
  s.encryption = IkeEncryption::des3_cbc;
  s.key_length.reset();
  s.hash = IkeHash::sha1;
  s.group = GroupDescription::modp1024;
  s.auth = IkeAuthMethod::rsa_sig;
  auto auth = select_main_mode(phase1_sa({make_ike_transform(1, s)}), offers, kPsk);
  REQUIRE_FALSE(auth.ok());
  CHECK(auth.error().message ==
        "peer offered 3DES/SHA-1/group 2; we allow 3DES/SHA-1/group 2; the peer authenticates with RSA signatures, "
        "we allow pre-shared key");
  const IkeAuthMethod both[] = {IkeAuthMethod::psk, IkeAuthMethod::rsa_sig};
  CHECK(select_main_mode(phase1_sa({make_ike_transform(1, s)}), offers, both).ok());
  // Only unusable transforms: the reasons are listed.
  Transform only_group;
  only_group.id = 1;
  only_group.attributes = {DataAttribute::basic(raw(IkeAttr::group_description), 31)};
  auto none = select_main_mode(phase1_sa({only_group}), offers, kPsk);
  CHECK(none.error().message ==
        "peer offered nothing usable; we allow 3DES/SHA-1/group 2 (skipped: transform #1 is incomplete (?/?/group 31))");
}

TEST_CASE("main mode: key lengths, PRF and private attributes, wrong protocol") {
  const pol::MmOffer offers[] = {mm(pol::Cipher::aes128, pol::Integrity::sha1, pol::DhGroup::modp2048)};
  IkeTransformSpec s;
  s.encryption = IkeEncryption::aes_cbc;
  s.key_length = 256;
  s.group = GroupDescription::modp2048;
  CHECK_FALSE(select_main_mode(phase1_sa({make_ike_transform(1, s)}), offers, kPsk).ok());
  s.key_length = 128;
  Transform t = make_ike_transform(1, s);
  CHECK(select_main_mode(phase1_sa({t}), offers, kPsk).ok());
  Transform prf = t;
  prf.attributes.push_back(DataAttribute::basic(raw(IkeAttr::prf), 1));
  auto e = select_main_mode(phase1_sa({prf}), offers, kPsk);
  CHECK(e.error().message.find("asks for a PRF attribute") != std::string::npos);
  Transform priv = t;
  priv.attributes.push_back(DataAttribute::basic(0x7000, 1));
  CHECK(select_main_mode(phase1_sa({priv, t}), offers, kPsk)->transform == 1);
  SaPayload esp = phase1_sa({t});
  esp.proposals[0].protocol = ProtocolId::esp;
  CHECK(select_main_mode(esp, offers, kPsk).error().message.find("proposal #1 is for PROTO_IPSEC_ESP") != std::string::npos);
  // Our offers written as the peer would see them, then selected back.
  for (const auto c : {pol::Cipher::des, pol::Cipher::des3, pol::Cipher::aes192, pol::Cipher::aes256})
    for (const auto h : {pol::Integrity::md5, pol::Integrity::sha1, pol::Integrity::sha384, pol::Integrity::sha512}) {
      const pol::MmOffer o = mm(c, h, pol::DhGroup::ecp384);
      auto spec = ike_spec_for(o, IkeAuthMethod::psk);
      REQUIRE(spec);
      const pol::MmOffer one[] = {o};
      CHECK(select_main_mode(phase1_sa({make_ike_transform(1, *spec)}), one, kPsk).ok());
    }
  CHECK_FALSE(ike_spec_for(mm(pol::Cipher::aes_gcm128, pol::Integrity::sha1, pol::DhGroup::modp2048), IkeAuthMethod::psk));
  CHECK(describe_offer(mm(pol::Cipher::aes256, pol::Integrity::sha384, pol::DhGroup::ecp256)) == "AES-256/SHA-384/group 19");
}

namespace {

pol::QmOffer esp_offer(pol::Cipher c, pol::Integrity i, bool pfs = false, pol::DhGroup g = pol::DhGroup::none) {
  pol::QmOffer o;
  o.esp = pol::EspTransform{c, i};
  o.pfs.enabled = pfs;
  o.pfs.group = g;
  return o;
}

Proposal qm_proposal(std::uint8_t number, ProtocolId proto, std::vector<Transform> ts) {
  Proposal p;
  p.number = number;
  p.protocol = proto;
  p.spi = {0xc0, 0x01, 0x02, 0x03};
  p.transforms = std::move(ts);
  return p;
}

}  // namespace

TEST_CASE("quick mode: ESP with and without PFS, modes, bundles") {
  QmContext tunnel{true, false, GroupDescription::modp1024};
  const pol::QmOffer offers[] = {esp_offer(pol::Cipher::aes128, pol::Integrity::sha1),
                                 esp_offer(pol::Cipher::des3, pol::Integrity::sha1, true)};
  auto specs0 = qm_specs_for(offers[0], tunnel);
  auto specs1 = qm_specs_for(offers[1], tunnel);
  REQUIRE(specs0);
  REQUIRE(specs1);
  CHECK(specs1->esp->pfs_group == GroupDescription::modp1024);
  SaPayload sa;
  sa.proposals = {qm_proposal(1, ProtocolId::esp, {make_ipsec_transform(1, *specs1->esp), make_ipsec_transform(2, *specs0->esp)})};
  auto sel = select_quick_mode(sa, offers, tunnel);
  REQUIRE_MESSAGE(sel.ok(), sel.error().message);
  CHECK(sel->offer == 1);  // the peer's first transform wins, whichever of our offers allows it
  CHECK(sel->esp->transform == 0);
  CHECK(sel->esp->attrs.group == GroupDescription::modp1024);
  CHECK_FALSE(sel->ah);

  // NAT: the same SA offered in plain tunnel mode does not fit a UDP-encapsulated context...
  QmContext nat{true, true, GroupDescription::modp1024};
  auto e = select_quick_mode(sa, offers, nat);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message ==
        "peer offered ESP 3DES/SHA-1, PFS group 2, ESP AES-128/SHA-1; we allow ESP AES-128/SHA-1, ESP 3DES/SHA-1, PFS "
        "(main-mode group); mode tunnel (UDP-encapsulated)");
  // ...but the draft and RFC 3947 code points both do.
  IpsecTransformSpec draft = *specs0->esp;
  draft.mode = EncapsulationMode::udp_tunnel_draft;
  sa.proposals = {qm_proposal(1, ProtocolId::esp, {make_ipsec_transform(1, draft)})};
  CHECK(select_quick_mode(sa, offers, nat).ok());
  CHECK(qm_specs_for(offers[0], nat)->esp->mode == EncapsulationMode::udp_tunnel);

  // AH + ESP bundle: two proposals with one number.
  pol::QmOffer bundle = esp_offer(pol::Cipher::aes256, pol::Integrity::sha256);
  bundle.ah = pol::Integrity::sha1;
  QmContext transport{false, false, GroupDescription::modp2048};
  auto bs = qm_specs_for(bundle, transport);
  REQUIRE(bs);
  CHECK(bs->ah->id == raw(AhTransformId::sha));
  CHECK(bs->esp->key_length == 256);
  sa.proposals = {qm_proposal(1, ProtocolId::ah, {make_ipsec_transform(1, *bs->ah)}),
                  qm_proposal(1, ProtocolId::esp, {make_ipsec_transform(1, *bs->esp)}),
                  qm_proposal(2, ProtocolId::esp, {make_ipsec_transform(1, *bs->esp)})};
  const pol::QmOffer only_esp[] = {esp_offer(pol::Cipher::aes256, pol::Integrity::sha256)};
  const pol::QmOffer only_bundle[] = {bundle};
  auto b1 = select_quick_mode(sa, only_bundle, transport);
  REQUIRE(b1.ok());
  CHECK(b1->proposal_number == 1);
  CHECK(b1->ah->proposal == 0);
  CHECK(b1->esp->proposal == 1);
  auto b2 = select_quick_mode(sa, only_esp, transport);
  REQUIRE(b2.ok());
  CHECK(b2->proposal_number == 2);
  CHECK(b2->esp->proposal == 2);
  CHECK(describe_offer(bundle) == "AH SHA-1 + ESP AES-256/SHA-256");
}

TEST_CASE("quick mode: ESN, unknown attributes, IPComp and bad SPIs are skipped with reasons") {
  QmContext ctx{true, false, GroupDescription::modp1024};
  const pol::QmOffer offers[] = {esp_offer(pol::Cipher::aes_gcm128, pol::Integrity::none, true, pol::DhGroup::ecp256)};
  auto specs = qm_specs_for(offers[0], ctx);
  REQUIRE(specs);
  CHECK(specs->esp->id == raw(EspTransformId::aes_gcm_16));
  CHECK_FALSE(specs->esp->auth);
  CHECK(specs->esp->pfs_group == GroupDescription::ecp256);
  Transform good = make_ipsec_transform(3, *specs->esp);
  Transform esn = good;
  esn.number = 1;
  esn.attributes.push_back(DataAttribute::basic(raw(IpsecAttr::extended_seq_number), 1));
  Transform priv = good;
  priv.number = 2;
  priv.attributes.push_back(DataAttribute::basic(32001, 1));
  SaPayload sa;
  sa.proposals = {qm_proposal(1, ProtocolId::ipcomp, {good}), qm_proposal(2, ProtocolId::esp, {esn, priv, good})};
  auto sel = select_quick_mode(sa, offers, ctx);
  REQUIRE(sel.ok());
  CHECK(sel->proposal_number == 2);
  CHECK(sel->esp->transform == 2);
  sa.proposals[1].transforms.pop_back();
  sa.proposals[1].spi = {1, 2, 3, 4};
  auto e = select_quick_mode(sa, offers, ctx);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("proposal #1 is for PROTO_IPCOMP") != std::string::npos);
  CHECK(e.error().message.find("asks for extended sequence numbers") != std::string::npos);
  CHECK(e.error().message.find("asks for unknown attribute 32001") != std::string::npos);
  sa.proposals = {qm_proposal(1, ProtocolId::esp, {good})};
  sa.proposals[0].spi = {1, 2};
  CHECK(select_quick_mode(sa, offers, ctx).error().message.find("2-byte SPI") != std::string::npos);
  // PFS wanted but not offered, and the other way round.
  IpsecTransformSpec nopfs = *specs->esp;
  nopfs.pfs_group.reset();
  sa.proposals = {qm_proposal(1, ProtocolId::esp, {make_ipsec_transform(1, nopfs)})};
  CHECK_FALSE(select_quick_mode(sa, offers, ctx).ok());
  const pol::QmOffer no_pfs[] = {esp_offer(pol::Cipher::aes_gcm128, pol::Integrity::none)};
  CHECK(select_quick_mode(sa, no_pfs, ctx).ok());
  sa.proposals = {qm_proposal(1, ProtocolId::esp, {good})};
  CHECK_FALSE(select_quick_mode(sa, no_pfs, ctx).ok());
}

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_message.h"

TEST_CASE("real strongSwan proposals select against matching policy offers, and explain a mismatch") {
  using ipseckit::test::hex_bytes;
  struct Want {
    const char* name;
    pol::MmOffer mm;
    pol::QmOffer qm;
    const char* peer;
  };
  pol::QmOffer aes_sha1 = esp_offer(pol::Cipher::aes128, pol::Integrity::sha1);
  pol::QmOffer des3_pfs = esp_offer(pol::Cipher::des3, pol::Integrity::sha1, true, pol::DhGroup::modp1024);
  pol::QmOffer aes256_pfs = esp_offer(pol::Cipher::aes256, pol::Integrity::sha256, true, pol::DhGroup::ecp256);
  pol::QmOffer aes_pfs = esp_offer(pol::Cipher::aes128, pol::Integrity::sha1, true);
  const Want wants[] = {
      {"psk-aes128-sha1-modp2048", mm(pol::Cipher::aes128, pol::Integrity::sha1, pol::DhGroup::modp2048), aes_sha1,
       "AES-128/SHA-1/group 14"},
      {"psk-3des-sha1-modp1024", mm(pol::Cipher::des3, pol::Integrity::sha1, pol::DhGroup::modp1024), des3_pfs,
       "3DES/SHA-1/group 2"},
      {"psk-aes256-sha256-ecp256", mm(pol::Cipher::aes256, pol::Integrity::sha256, pol::DhGroup::ecp256), aes256_pfs,
       "AES-256/SHA-256/group 19"},
      {"psk-aes128-sha1-modp2048-pfs", mm(pol::Cipher::aes128, pol::Integrity::sha1, pol::DhGroup::modp2048), aes_pfs,
       "AES-128/SHA-1/group 14"},
  };
  const auto cases = test::read_vec_file(test::ike_vector_path("strongswan-ikev1.vec"));
  REQUIRE(cases.size() == std::size(wants));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].name);
    REQUIRE(cases[i].name == wants[i].name);
    auto mm1 = decode_message(hex_bytes(cases[i].all("msg")[0].substr(2)));
    REQUIRE(mm1.ok());
    const auto* sa = mm1->find(PayloadType::sa)->as<SaPayload>();
    const pol::MmOffer ok_offers[] = {mm(pol::Cipher::des, pol::Integrity::md5, pol::DhGroup::modp768), wants[i].mm};
    auto sel = select_main_mode(*sa, ok_offers, kPsk);
    REQUIRE_MESSAGE(sel.ok(), sel.error().message);
    CHECK(sel->offer == 1);
    const pol::MmOffer wrong[] = {mm(pol::Cipher::des, pol::Integrity::md5, pol::DhGroup::modp768)};
    auto no = select_main_mode(*sa, wrong, kPsk);
    REQUIRE_FALSE(no.ok());
    CHECK(no.error().message == std::string("peer offered ") + wants[i].peer + "; we allow DES/MD5/group 1");
    // Quick Mode: the same SA as our qm_specs_for() would build it (strongSwan's QM1 is
    // encrypted; its proposal is rebuilt here the way the peer wrote it) selects under NAT.
    QmContext nat{true, true, static_cast<GroupDescription>(static_cast<std::uint16_t>(wants[i].mm.group))};
    auto specs = qm_specs_for(wants[i].qm, nat);
    REQUIRE(specs);
    SaPayload qsa;
    qsa.proposals = {qm_proposal(1, ProtocolId::esp, {make_ipsec_transform(1, *specs->esp)})};
    const pol::QmOffer qm_offers[] = {wants[i].qm};
    CHECK(select_quick_mode(qsa, qm_offers, nat).ok());
  }
}
