// Whole Main Mode + Quick Mode negotiations between two engines, for the suites strongSwan
// interop covers, with and without PFS, tunnel and transport mode.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;
using policy::Cipher;
using policy::DhGroup;
using policy::Integrity;

namespace {

void check_keys_agree(const Phase2Info& i, const Phase2Info& r) {
  REQUIRE(i.protos.size() == r.protos.size());
  for (std::size_t k = 0; k < i.protos.size(); ++k) {
    const auto& a = i.protos[k];
    const auto& b = r.protos[k];
    CHECK(a.spi_out == b.spi_in);
    CHECK(a.spi_in == b.spi_out);
    CHECK(a.enc_out == b.enc_in);
    CHECK(a.integ_out == b.integ_in);
    CHECK(a.enc_in == b.enc_out);
    CHECK(a.integ_in == b.integ_out);
    CHECK_FALSE(a.enc_in == a.enc_out);
  }
}

void negotiate(Pair& p) {
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE_MESSAGE(p.a.p1_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  REQUIRE(p.b.p1_up.size() == 1);
  REQUIRE_MESSAGE(p.a.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  REQUIRE_MESSAGE(p.b.p2_up.size() == 1, p.b.log_text());
  CHECK(p.a.p1_up[0].encryption_key == p.b.p1_up[0].encryption_key);
  CHECK(p.a.p1_up[0].cky_i == p.b.p1_up[0].cky_i);
  CHECK(p.a.p1_up[0].initiator);
  CHECK_FALSE(p.b.p1_up[0].initiator);
  check_keys_agree(p.a.p2_up[0], p.b.p2_up[0]);
}

}  // namespace

TEST_CASE("Main Mode + Quick Mode with a pre-shared key, every interop suite") {
  const Cipher ciphers[] = {Cipher::aes128, Cipher::aes256, Cipher::des3};
  const Integrity hashes[] = {Integrity::sha1, Integrity::sha256};
  const DhGroup groups[] = {DhGroup::modp1024, DhGroup::modp2048, DhGroup::ecp256};
  for (const auto c : ciphers)
    for (const auto h : hashes)
      for (const auto g : groups) {
        CAPTURE(static_cast<int>(c));
        CAPTURE(static_cast<int>(h));
        CAPTURE(static_cast<int>(g));
        Pair p({c, h, g, 28800, 0}, {esp(c, h)});
        negotiate(p);
        CHECK(p.a.p1_up[0].group == static_cast<isakmp::GroupDescription>(static_cast<std::uint16_t>(g)));
        const auto& child = p.a.p2_up[0];
        CHECK(child.tunnel);
        CHECK(child.protos[0].enc_out.size() == (c == Cipher::des3 ? 24u : c == Cipher::aes128 ? 16u : 32u));
        CHECK(child.protos[0].integ_out.size() == (h == Integrity::sha1 ? 20u : 32u));
      }
}

TEST_CASE("Quick Mode with PFS, in the main-mode group and in its own group") {
  for (const auto g : {DhGroup::none, DhGroup::modp2048, DhGroup::ecp256}) {
    Pair p({Cipher::aes128, Integrity::sha256, DhGroup::modp1024, 28800, 0}, {esp(Cipher::aes256, Integrity::sha1, true, g)});
    negotiate(p);
    const auto want = g == DhGroup::none ? isakmp::GroupDescription::modp1024
                                         : static_cast<isakmp::GroupDescription>(static_cast<std::uint16_t>(g));
    REQUIRE(p.a.p2_up[0].pfs_group.has_value());
    CHECK(*p.a.p2_up[0].pfs_group == want);
    CHECK(*p.b.p2_up[0].pfs_group == want);
    // KE payloads travelled in Quick Mode.
    CHECK(p.a.logged("PFS"));
  }
}

TEST_CASE("transport mode between the two hosts") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp2048, 28800, 0}, {esp(Cipher::aes128, Integrity::sha1)}, false);
  negotiate(p);
  CHECK_FALSE(p.a.p2_up[0].tunnel);
  CHECK(p.a.p2_up[0].mode == isakmp::EncapsulationMode::transport);
  CHECK(p.b.p2_up[0].local_ts == TrafficSelector::host(p.b.addr.addr));
  CHECK(p.b.p2_up[0].remote_ts == TrafficSelector::host(p.a.addr.addr));
}

TEST_CASE("proposals go in the rule's order; the responder takes the first it allows") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0},
         {esp(Cipher::des3, Integrity::md5), esp(Cipher::aes256, Integrity::sha256), esp(Cipher::aes128, Integrity::sha1)});
  p.b.policy.qm->offers = {esp(Cipher::aes128, Integrity::sha1), esp(Cipher::aes256, Integrity::sha256)};
  negotiate(p);
  CHECK(p.a.p2_up[0].protos[0].transform == isakmp::raw(isakmp::EspTransformId::aes_cbc));
  CHECK(p.a.p2_up[0].protos[0].key_length == 256);
}

TEST_CASE("selectors from the rule: ports and protocol travel in the IDs") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0}, {esp(Cipher::aes128, Integrity::sha1)}, false);
  p.a.policy.qm->local = TrafficSelector::host(p.a.addr.addr, 17, 1701);
  p.a.policy.qm->remote = TrafficSelector::host(p.b.addr.addr, 17, 0);
  p.b.policy.qm->local = TrafficSelector::host(p.b.addr.addr, 17, 0);
  p.b.policy.qm->remote = TrafficSelector::host(p.a.addr.addr, 17, 1701);
  negotiate(p);
  CHECK(p.b.p2_up[0].remote_ts.port == 1701);
  CHECK(p.b.p2_up[0].remote_ts.protocol == 17);
  CHECK(p.a.p2_up[0].local_ts.str() == "198.51.100.1/32 udp/1701");
}

TEST_CASE("a second Quick Mode reuses the IKE SA") {
  Pair p;
  negotiate(p);
  auto r = p.a.engine->initiate(p.a.addr, p.b.addr, *p.a.policy.qm);
  REQUIRE(r.ok());
  p.net.run();
  CHECK(p.a.p1_up.size() == 1);
  CHECK(p.a.p2_up.size() == 2);
  CHECK(p.b.p2_up.size() == 2);
  CHECK(p.a.p2_up[1].protos[0].spi_in != p.a.p2_up[0].protos[0].spi_in);
}

TEST_CASE("negotiation events: each step is logged with the SA and what was chosen") {
  Pair p;
  negotiate(p);
  CHECK(p.a.logged("initiating Main Mode to 198.51.100.2:500 (rule 'gw')"));
  CHECK(p.b.logged("198.51.100.1:500 is initiating Main Mode (rule 'gw'); chose AES-128/SHA-1/group 2, pre-shared key"));
  CHECK(p.a.logged("CONNECTING -> ESTABLISHED"));
  CHECK(p.b.logged("QM SA #"));
  // Keys never appear in the event log.
  const auto& k = p.a.p1_up[0].encryption_key;
  CHECK(p.a.log_text().find(to_hex(ByteView(k.data(), k.size()))) == std::string::npos);
}

TEST_CASE("initiate_on: a Quick Mode on the named IKE SA, also while another one to the peer exists") {
  Pair p;
  p.a.cfg.send_initial_contact = false;  // two IKE SAs with one peer on purpose
  p.start();
  auto first = p.a.engine->initiate_phase1(p.a.addr, p.b.addr);
  auto second = p.a.engine->initiate_phase1(p.a.addr, p.b.addr);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  // The second one is still in Main Mode: its Quick Mode waits for it.
  REQUIRE(p.a.engine->initiate_on(*second, *p.a.policy.qm).ok());
  p.net.run();
  REQUIRE_MESSAGE(p.a.p1_up.size() == 2, p.a.log_text());
  REQUIRE_MESSAGE(p.a.p2_up.size() == 1, p.a.log_text());
  CHECK(p.a.p2_up[0].phase1_id == *second);
  // The first one is established: its Quick Mode starts at once.
  REQUIRE(p.a.engine->initiate_on(*first, *p.a.policy.qm).ok());
  p.net.run();
  REQUIRE_MESSAGE(p.a.p2_up.size() == 2, p.a.log_text());
  CHECK(p.a.p2_up[1].phase1_id == *first);
  CHECK_FALSE(p.a.engine->initiate_on(9999, *p.a.policy.qm).ok());
}
