// AH+ESP bundles (Windows `AH[SHA]+ESP[3DES,SHA]`) negotiated between two engines: Quick Mode
// message 1 carries one proposal number with an AH and an ESP proposal, each with its own SPI
// (RFC 2408 4.2, RFC 2409 9 example), the responder answers both under that number, and the
// KEYMAT of each protocol and SPI differs (RFC 2409 5.5). A responder whose rule has no AH
// refuses the bundle and says why.
#include <doctest/doctest.h>

#include "ike/capture_decoder.h"
#include "unit/ikeengine/harness.h"

using namespace iketest;
using policy::Cipher;
using policy::DhGroup;
using policy::Integrity;

namespace {

policy::QmOffer bundle(Cipher c, Integrity esp_i, Integrity ah_i) {
  policy::QmOffer o = esp(c, esp_i);
  o.ah = ah_i;
  return o;
}

// The SA payloads of the Quick Mode messages, decrypted with the initiator's Ka as Wireshark
// would (ikeview keys --format wireshark-ike).
std::vector<DescribeJson> quick_mode_sas(const Pair& p) {
  CaptureDecoder dec;
  const auto& ka = p.a.p1_up.at(0).encryption_key;
  dec.add_key(p.a.p1_up.at(0).cky_i, Bytes(ka.data(), ka.data() + ka.size()));
  std::vector<DescribeJson> out;
  for (const auto& d : p.net.sent) {
    auto m = dec.decode(d.data, CaptureDecoder::Clock::now());
    REQUIRE(m.ok());
    if (!m->contains("payloads")) continue;
    if ((*m)["message_id"] == 0 || (*m)["message_id"] == "00000000") continue;
    for (const auto& pl : (*m)["payloads"])
      if (pl.value("type", "") == "SA") out.push_back(pl);
  }
  return out;
}

}  // namespace

TEST_CASE("AH+ESP bundle: one proposal number, two protocols, an SPI pair and keys for each") {
  for (const bool tunnel : {false, true}) {
    CAPTURE(tunnel);
    Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp2048, 28800, 0},
           {bundle(Cipher::des3, Integrity::sha1, Integrity::sha1)}, tunnel);
    p.start();
    p.initiate();
    p.net.run();
    REQUIRE_MESSAGE(p.a.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
    REQUIRE_MESSAGE(p.b.p2_up.size() == 1, p.b.log_text());
    CHECK(p.b.logged("chose AH SHA-1 + ESP 3DES/SHA-1"));

    // On the wire (RFC 2408 4.2): QM1 and QM2 each hold proposal #1 for AH and #1 for ESP.
    const auto sas = quick_mode_sas(p);
    REQUIRE(sas.size() == 2);
    for (const auto& sa : sas) {
      const auto& ps = sa["proposals"];
      REQUIRE(ps.size() == 2);
      CHECK(ps[0]["number"] == 1);
      CHECK(ps[1]["number"] == 1);
      CHECK(ps[0]["protocol"] == "PROTO_IPSEC_AH");
      CHECK(ps[1]["protocol"] == "PROTO_IPSEC_ESP");
      CHECK(ps[0]["spi"] != ps[1]["spi"]);
      CHECK(ps[0]["transforms"].size() == 1);
      CHECK(ps[1]["transforms"].size() == 1);
    }

    for (const auto* h : {&p.a, &p.b}) {
      const auto& c = h->p2_up[0];
      CHECK(c.tunnel == tunnel);
      REQUIRE(c.protos.size() == 2);
      CHECK(c.protos[0].protocol == isakmp::ProtocolId::ah);
      CHECK(c.protos[1].protocol == isakmp::ProtocolId::esp);
      CHECK(c.protos[0].transform == isakmp::raw(isakmp::AhTransformId::sha));
      CHECK(c.protos[1].transform == isakmp::raw(isakmp::EspTransformId::des3));
      // Four distinct SPIs per side: AH and ESP each have their own pair.
      CHECK(c.protos[0].spi_in != c.protos[1].spi_in);
      CHECK(c.protos[0].spi_out != c.protos[1].spi_out);
      // AH: an integrity key only (RFC 2409 5.5 KEYMAT sized for HMAC-SHA-1).
      CHECK(c.protos[0].enc_in.size() == 0);
      CHECK(c.protos[0].integ_in.size() == 20);
      CHECK(c.protos[1].enc_in.size() == 24);
      CHECK(c.protos[1].integ_in.size() == 20);
      // KEYMAT = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b): different per protocol and SPI.
      CHECK_FALSE(c.protos[0].integ_in == c.protos[1].integ_in);
      CHECK_FALSE(c.protos[0].integ_out == c.protos[1].integ_out);
      CHECK_FALSE(c.protos[0].integ_in == c.protos[0].integ_out);
    }
    // The two sides agree protocol by protocol.
    for (std::size_t k = 0; k < 2; ++k) {
      const auto& i = p.a.p2_up[0].protos[k];
      const auto& r = p.b.p2_up[0].protos[k];
      CHECK(i.spi_out == r.spi_in);
      CHECK(i.spi_in == r.spi_out);
      CHECK(i.integ_out == r.integ_in);
      CHECK(i.integ_in == r.integ_out);
      CHECK(i.enc_out == r.enc_in);
      CHECK(i.enc_in == r.enc_out);
    }
  }
}

TEST_CASE("AH+ESP bundle: the responder picks the bundle among single-protocol offers") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0},
         {esp(Cipher::aes128, Integrity::sha1), bundle(Cipher::aes128, Integrity::sha1, Integrity::sha256)}, false);
  p.b.policy.qm->offers = {bundle(Cipher::aes128, Integrity::sha1, Integrity::sha256)};
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE_MESSAGE(p.a.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  const auto& c = p.a.p2_up[0];
  REQUIRE(c.protos.size() == 2);
  CHECK(c.protos[0].protocol == isakmp::ProtocolId::ah);
  CHECK(c.protos[0].integ_out.size() == 32);
  CHECK(c.protos[1].protocol == isakmp::ProtocolId::esp);
  // QM1 offered #1 ESP alone and #2 AH + ESP; the answer is #2's two proposals.
  const auto sas = quick_mode_sas(p);
  REQUIRE(sas.size() == 2);
  REQUIRE(sas[0]["proposals"].size() == 3);
  CHECK(sas[0]["proposals"][0]["number"] == 1);
  CHECK(sas[0]["proposals"][1]["number"] == 2);
  CHECK(sas[0]["proposals"][2]["number"] == 2);
  // The ESP SPI is the same in both offers: one inbound ESP SA whichever is chosen.
  CHECK(sas[0]["proposals"][0]["spi"] == sas[0]["proposals"][2]["spi"]);
  REQUIRE(sas[1]["proposals"].size() == 2);
  CHECK(sas[1]["proposals"][0]["number"] == 2);
  CHECK(sas[1]["proposals"][1]["number"] == 2);
}

TEST_CASE("AH+ESP bundle: a responder whose rule has no AH refuses with the reason") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0},
         {bundle(Cipher::des3, Integrity::sha1, Integrity::sha1)}, false);
  p.b.policy.qm->offers = {esp(Cipher::des3, Integrity::sha1)};
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p2_up.empty());
  CHECK(p.b.p2_up.empty());
  INFO(p.b.log_text());
  CHECK(p.b.logged("peer offered AH SHA-1, ESP 3DES/SHA-1;"));
  CHECK(p.b.logged("(skipped: proposal #1 is AH+ESP, no offer of ours is)"));
  CHECK(p.b.logged("rule 'gw' allows only ESP 3DES/SHA-1"));
  // The initiator hears NO-PROPOSAL-CHOSEN.
  INFO(p.a.log_text());
  CHECK(p.a.logged("NO-PROPOSAL-CHOSEN"));
}
