// Lifetimes (RFC 2407 4.5 SA Life Type/Duration): seconds and kilobytes for phase 2, seconds
// for phase 1; the initiator rekeys at the soft expiry (EngineConfig::rekey_fraction), both
// sides delete at the hard expiry. Driven by the injected clock.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;
using policy::Cipher;
using policy::DhGroup;
using policy::Integrity;

namespace {
policy::QmOffer short_esp(std::uint32_t seconds, std::uint32_t kbytes) {
  auto o = esp(Cipher::aes128, Integrity::sha1);
  o.lifetime_seconds = seconds;
  o.lifetime_kbytes = kbytes;
  return o;
}
}  // namespace

TEST_CASE("phase-2 lifetime in seconds: rekey before expiry, delete at expiry") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0}, {short_esp(120, 0)});
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].life_seconds == 120);
  CHECK(p.b.p2_up[0].life_seconds == 120);
  const auto old_a = p.a.p2_up[0].id, old_b = p.b.p2_up[0].id;
  p.net.elapse(Millis(100000), Millis(1000));
  CHECK(p.a.p2_up.size() == 1);  // not yet
  p.net.elapse(Millis(10000), Millis(1000));  // 110 s > 0.9 * 120
  CHECK(p.a.p2_up.size() == 2);
  CHECK(p.b.p2_up.size() == 2);
  CHECK(p.a.logged("lifetime nearly over: rekeying"));
  CHECK(p.a.p2_down.empty());
  p.net.elapse(Millis(11000), Millis(1000));  // 121 s: the old SAs are gone on both sides
  REQUIRE(p.a.p2_down.size() == 1);
  CHECK(p.a.p2_down[0].first == old_a);
  CHECK(p.a.p2_down[0].second == "its lifetime expired");
  REQUIRE(p.b.p2_down.size() == 1);
  CHECK(p.b.p2_down[0].first == old_b);
  CHECK(p.a.engine->child_sas().size() == 1);
  CHECK(p.b.engine->child_sas().size() == 1);
  CHECK(p.a.engine->child_sas().count(p.a.p2_up[1].id) == 1);
}

TEST_CASE("phase-2 lifetime in kilobytes: note_traffic rekeys, then deletes") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0}, {short_esp(0, 100)});
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].life_kilobytes == 100);
  CHECK(p.b.p2_up[0].life_kilobytes == 100);
  const auto id = p.a.p2_up[0].id;
  p.a.engine->note_traffic(id, 50 * 1024);
  p.net.run();
  CHECK(p.a.p2_up.size() == 1);
  p.a.engine->note_traffic(id, 95 * 1024);
  p.net.run();
  CHECK(p.a.p2_up.size() == 2);  // rekeyed
  CHECK(p.b.p2_up.size() == 2);
  p.a.engine->note_traffic(id, 100 * 1024);
  p.net.run();
  REQUIRE(p.a.p2_down.size() == 1);
  CHECK(p.a.p2_down[0].first == id);
  CHECK(p.a.p2_down[0].second == "its lifetime expired");
  REQUIRE(p.b.p2_down.size() == 1);  // told by our Delete
  CHECK(p.b.p2_down[0].second == "deleted by the peer");
  CHECK(p.a.engine->child_sas().size() == 1);
}

TEST_CASE("phase-1 lifetime: a new Main Mode before expiry, the old IKE SA deleted at expiry, phase 2 kept") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 300, 0});
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  CHECK(p.a.p1_up[0].life_seconds == 300);
  p.net.elapse(Millis(275000), Millis(5000));
  CHECK(p.a.p1_up.size() == 2);
  CHECK(p.b.p1_up.size() == 2);
  CHECK(p.a.logged("rekeying (a new Main Mode)"));
  p.net.elapse(Millis(30000), Millis(5000));
  REQUIRE(!p.a.p1_down.empty());
  CHECK(p.a.p1_down[0] == "its lifetime expired");
  CHECK(!p.b.p1_down.empty());
  CHECK(p.a.engine->ike_sas().size() == 1);
  CHECK(p.b.engine->ike_sas().size() == 1);
  // The phase-2 SA survives (it moved to the new IKE SA) and can be deleted through it.
  REQUIRE(p.a.engine->child_sas().size() == 1);
  CHECK(p.a.p2_down.empty());
  REQUIRE(p.a.engine->delete_phase2(p.a.p2_up[0].id).ok());
  p.net.run();
  CHECK(p.b.engine->child_sas().empty());
}

TEST_CASE("a responder with a shorter lifetime says so (RESPONDER-LIFETIME); the initiator adopts it") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0}, {short_esp(3600, 0)});
  p.b.policy.qm->offers = {short_esp(600, 50000)};
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(p.b.p2_up[0].life_seconds == 600);
  CHECK(p.a.p2_up[0].life_seconds == 600);
  CHECK(p.b.p2_up[0].life_kilobytes == 50000);
  CHECK(p.a.p2_up[0].life_kilobytes == 50000);
  CHECK_MESSAGE(p.a.logged("the responder shortened the lifetime to 600 s, 50000 KB (RESPONDER-LIFETIME)"), p.a.log_text());
  // The initiator rekeys before the responder's expiry.
  p.net.elapse(Millis(545000), Millis(5000));
  CHECK(p.a.p2_up.size() == 2);
  CHECK(p.a.p2_down.empty());
}
