// Informational exchanges (RFC 2409 5.7, RFC 2408 4.8/3.15): deletes of phase-1 and phase-2
// SAs from either side, INITIAL-CONTACT (RFC 2407 4.6.3.3), and the protected-only rule:
// nothing is acted upon before HASH(1) verifies; plaintext ones are counted and ignored.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;

namespace {

// Both sides up with one phase-2 SA.
void establish(Pair& p) {
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
}

bool is_informational(const Datagram& d) {
  return d.data.size() > 18 && d.data[18] == static_cast<std::uint8_t>(isakmp::ExchangeType::informational);
}

// A plaintext Informational for the SA's cookies, as an attacker who saw them could forge.
Bytes forged_plain(const IkeSa& sa, isakmp::Payload body) {
  isakmp::Header h;
  h.initiator_cookie = sa.cky_i();
  h.responder_cookie = sa.cky_r();
  h.exchange = isakmp::ExchangeType::informational;
  std::vector<isakmp::Payload> ps{std::move(body)};
  auto b = isakmp::encode_message(h, ps);
  REQUIRE(b.ok());
  return *b;
}

}  // namespace

TEST_CASE("the initiator deletes a phase-2 SA: the responder removes it too") {
  Pair p;
  establish(p);
  const auto a_id = p.a.p2_up[0].id;
  REQUIRE(p.a.engine->delete_phase2(a_id, "admin request").ok());
  p.net.run();
  CHECK(p.a.engine->child_sas().empty());
  CHECK(p.b.engine->child_sas().empty());
  REQUIRE(p.b.p2_down.size() == 1);
  CHECK(p.b.p2_down[0].first == p.b.p2_up[0].id);
  CHECK(p.b.p2_down[0].second == "deleted by the peer");
  REQUIRE(p.a.p2_down.size() == 1);
  CHECK(p.a.p2_down[0].second == "admin request");
  // The IKE SAs stay.
  CHECK(p.a.p1_down.empty());
  CHECK(p.b.p1_down.empty());
  CHECK(p.b.logged("deleted: deleted by the peer"));
}

TEST_CASE("the responder deletes a phase-2 SA: the initiator removes it too") {
  Pair p;
  establish(p);
  REQUIRE(p.b.engine->delete_phase2(p.b.p2_up[0].id).ok());
  p.net.run();
  CHECK(p.a.engine->child_sas().empty());
  CHECK(p.b.engine->child_sas().empty());
  REQUIRE(p.a.p2_down.size() == 1);
  CHECK(p.a.p2_down[0].second == "deleted by the peer");
}

TEST_CASE("deleting an IKE SA from either side removes it and its phase-2 SAs on both") {
  for (const bool from_initiator : {true, false}) {
    CAPTURE(from_initiator);
    Pair p;
    establish(p);
    Host& x = from_initiator ? p.a : p.b;
    Host& y = from_initiator ? p.b : p.a;
    REQUIRE(x.engine->delete_phase1(x.p1_up[0].id, "admin request").ok());
    p.net.run();
    CHECK(x.engine->ike_sas().empty());
    CHECK(y.engine->ike_sas().empty());
    CHECK(x.engine->child_sas().empty());
    CHECK(y.engine->child_sas().empty());
    REQUIRE(y.p1_down.size() == 1);
    CHECK(y.p1_down[0] == "deleted by the peer");
    CHECK(y.p2_down.size() == 1);
    CHECK(x.p1_down.size() == 1);
  }
}

TEST_CASE("unknown ids are refused by the API") {
  Pair p;
  p.start();
  CHECK(!p.a.engine->delete_phase1(42).ok());
  CHECK(!p.a.engine->delete_phase2(42).ok());
}

TEST_CASE("a Delete whose HASH does not verify is dropped and nothing is deleted") {
  Pair p;
  establish(p);
  // Hold b's Informational back, tamper with it, deliver.
  std::optional<Datagram> held;
  p.net.filter = [&](Datagram& d) {
    if (is_informational(d) && !held) {
      held = d;
      return false;
    }
    return true;
  };
  REQUIRE(p.a.engine->delete_phase2(p.a.p2_up[0].id).ok());
  p.net.run();
  REQUIRE(held);
  CHECK(p.b.engine->child_sas().size() == 1);
  Bytes bad = held->data;
  bad[28 + 2] ^= 0x01;  // inside the first ciphertext block: the HASH payload
  p.net.filter = nullptr;
  p.net.send(held->from, held->to, bad);
  p.net.run();
  CHECK(p.b.engine->child_sas().size() == 1);
  CHECK(p.b.p2_down.empty());
  CHECK(p.b.engine->stats().bad_hash == 1);
  CHECK_MESSAGE(p.b.logged("dropped"), p.b.log_text());
  // The genuine one is acted upon; a replay of it is counted and ignored.
  p.net.send(held->from, held->to, held->data);
  p.net.run();
  CHECK(p.b.engine->child_sas().empty());
  CHECK(p.b.p2_down.size() == 1);
  p.net.send(held->from, held->to, held->data);
  p.net.run();
  CHECK(p.b.p2_down.size() == 1);
  CHECK(p.b.engine->stats().replays + p.b.engine->stats().duplicates >= 1);
}

TEST_CASE("plaintext Delete and INITIAL-CONTACT are counted, logged and ignored") {
  Pair p;
  establish(p);
  const IkeSa& sa = *p.b.engine->ike_sas().front();
  isakmp::DeletePayload d;
  d.protocol = isakmp::ProtocolId::isakmp;
  d.spi_size = 16;
  Bytes spi(sa.cky_i().begin(), sa.cky_i().end());
  spi.insert(spi.end(), sa.cky_r().begin(), sa.cky_r().end());
  d.spis.push_back(spi);
  p.net.send(p.a.addr, p.b.addr, forged_plain(sa, isakmp::make_payload(std::move(d))));
  isakmp::NotifyPayload n;
  n.type = isakmp::NotifyType::initial_contact;
  n.spi = spi;
  p.net.send(p.a.addr, p.b.addr, forged_plain(sa, isakmp::make_payload(std::move(n))));
  p.net.run();
  CHECK(p.b.engine->stats().unauthenticated == 2);
  CHECK(p.b.engine->ike_sas().size() == 1);
  CHECK(p.b.engine->child_sas().size() == 1);
  CHECK(p.b.p1_down.empty());
  CHECK_MESSAGE(p.b.logged("unauthenticated Informational from 198.51.100.1:500 (DELETE) logged and ignored"),
                p.b.log_text());
}

TEST_CASE("INITIAL-CONTACT from a restarted peer removes the old SAs with it") {
  Pair p;
  establish(p);
  const auto old_child = p.a.p2_up[0].id;
  // b restarts (which takes a moment): a fresh engine that knows nothing, and it initiates to a.
  p.net.clock.advance(Millis(1000));
  p.b.start();
  auto r = p.b.engine->initiate(p.b.addr, p.a.addr, *p.b.policy.qm);
  REQUIRE(r.ok());
  p.net.run();
  CHECK_MESSAGE(p.a.logged("INITIAL-CONTACT from 198.51.100.2: removing 1 old IKE SA(s) and 1 phase-2 SA(s)"),
                p.a.log_text());
  REQUIRE(p.a.p1_down.size() == 1);
  CHECK(p.a.p1_down[0] == "the peer sent INITIAL-CONTACT (it restarted)");
  REQUIRE(!p.a.p2_down.empty());
  CHECK(p.a.p2_down[0].first == old_child);
  // What remains is the new pair of SAs.
  CHECK(p.a.engine->ike_sas().size() == 1);
  CHECK(p.a.engine->child_sas().size() == 1);
  CHECK(p.a.engine->child_sas().begin()->first != old_child);
  CHECK(p.b.engine->child_sas().size() == 1);
}

TEST_CASE("no INITIAL-CONTACT when an SA with the peer already exists") {
  Pair p;
  establish(p);
  // A second Main Mode while the first IKE SA exists must not tear the first one down.
  REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  p.net.run();
  CHECK(p.a.p1_up.size() == 2);
  CHECK(p.b.p1_up.size() == 2);
  CHECK(p.a.p1_down.empty());
  CHECK(p.b.p1_down.empty());
  CHECK(p.b.engine->child_sas().size() == 1);
}

TEST_CASE("INITIAL-CONTACT does not remove Main Modes the peer runs in parallel") {
  // strongSwan starting several connections at once: each Main Mode carries INITIAL-CONTACT
  // (the peer holds no established SA yet). The first to finish must not kill the others.
  Pair p;
  p.start();
  REQUIRE(p.b.engine->initiate_phase1(p.b.addr, p.a.addr).ok());
  REQUIRE(p.b.engine->initiate_phase1(p.b.addr, p.a.addr).ok());
  REQUIRE(p.b.engine->initiate_phase1(p.b.addr, p.a.addr).ok());
  p.net.run();
  CHECK_MESSAGE(p.a.p1_up.size() == 3, p.a.log_text());
  CHECK_MESSAGE(p.b.p1_up.size() == 3, p.b.log_text());
  CHECK(p.a.p1_down.empty());
  CHECK(p.b.p1_down.empty());
}
