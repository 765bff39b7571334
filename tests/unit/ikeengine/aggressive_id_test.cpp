// Aggressive Mode with FQDN and USER_FQDN identities (RFC 2407 4.6.2.1, RFC 2409 5.4): the
// responder picks the rule, and with it the pre-shared key, by the initiator's IDii (the rule's
// "peer_id"); a peer claiming another identity is refused before any state or DH; each side
// checks the other's ID; and a clear message 3 (as RFC 2409 5.4 draws it) is accepted.
#include <doctest/doctest.h>

#include "../spd/spd_test_util.h"
#include "ike/spd_policy_view.h"
#include "policy/spd_json.h"
#include "policy/ike_id.h"
#include "unit/ikeengine/harness.h"

using namespace iketest;

namespace {

isakmp::IdPayload id(const char* text) { return *policy::parse_ike_id(text); }

// a = road warrior "road1.example.com", b = gateway "gw.example.com"; both allow AM.
void fqdn_pair(Pair& p, const char* a_claims = "fqdn:road1.example.com") {
  p.a.policy.mm->aggressive_initiator = true;
  p.b.policy.mm->aggressive_responder = true;
  p.a.policy.mm->local_id = id(a_claims);
  p.a.policy.mm->peer_id = id("fqdn:gw.example.com");
  p.b.policy.mm->local_id = id("fqdn:gw.example.com");
  p.b.policy.mm->peer_id = id("fqdn:road1.example.com");
}

// Main Mode, a initiating as a_local_id to b, whose rule names b_peer_id; runs until quiet.
void run_mm_ids(Pair& p, const char* a_local_id, const char* b_peer_id) {
  p.a.policy.mm->local_id = id(a_local_id);
  p.b.policy.mm->peer_id = id(b_peer_id);
  p.start();
  p.initiate();
  p.net.run();
}

bool clear_am3_seen(const Pair& p) {
  for (const auto& d : p.net.sent) {
    if (d.from.addr != p.a.addr.addr) continue;
    ByteView v = d.data;
    if (d.from.port == kNatTPort) v = v.subspan(4);
    auto h = isakmp::parse_header(v);
    if (h && h->exchange == isakmp::ExchangeType::aggressive && h->next_payload == isakmp::PayloadType::hash &&
        !h->encrypted())
      return true;
  }
  return false;
}

}  // namespace

TEST_CASE("ike ids: text forms parse, print back and match case-insensitively") {
  CHECK(policy::ike_id_text(id("fqdn:gw.example.com")) == "fqdn:gw.example.com");
  CHECK(policy::ike_id_text(id("user_fqdn:alice@example.com")) == "user_fqdn:alice@example.com");
  CHECK(policy::ike_id_text(id("2001:db8::1")) == "2001:db8::1");
  CHECK(id("198.51.100.2").type == isakmp::IdType::ipv4_addr);
  CHECK(policy::ike_id_matches(id("fqdn:GW.example.com"), isakmp::IdPayload::fqdn("gw.EXAMPLE.com")));
  CHECK_FALSE(policy::ike_id_matches(id("fqdn:gw.example.com"), isakmp::IdPayload::user_fqdn("gw.example.com")));
  CHECK_FALSE(policy::ike_id_matches(id("fqdn:gw.example.com"), isakmp::IdPayload::fqdn("gw.example.co")));
  for (const char* bad : {"gw.example.com", "fqdn:", "fqdn:a b", "user_fqdn:alice", "user_fqdn:@x.org", "dn:CN=x"})
    CHECK_MESSAGE(!policy::parse_ike_id(bad), bad);
  CHECK(policy::parse_ike_id("user_fqdn:alice").error().message.find("'user_fqdn:alice'") != std::string::npos);
}

TEST_CASE("Aggressive Mode + Quick Mode with FQDN identities on both sides") {
  Pair p;
  fqdn_pair(p);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE_MESSAGE(p.b.p1_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  REQUIRE(p.a.p1_up.size() == 1);
  CHECK(p.b.p1_up[0].peer_id == "ID_FQDN road1.example.com");
  CHECK(p.a.p1_up[0].peer_id == "ID_FQDN gw.example.com");
  CHECK(p.a.p1_up[0].local_id == "ID_FQDN road1.example.com");
  CHECK(p.b.logged("is initiating Aggressive Mode as ID_FQDN road1.example.com"));
  CHECK(p.b.p2_up.size() == 1);
  CHECK(p.a.p2_up.size() == 1);
}

TEST_CASE("Aggressive Mode with a USER_FQDN initiator") {
  Pair p;
  fqdn_pair(p, "user_fqdn:alice@example.com");
  p.b.policy.mm->peer_id = id("user_fqdn:alice@example.com");
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE_MESSAGE(p.b.p1_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  CHECK(p.b.p1_up[0].peer_id == "ID_USER_FQDN alice@example.com");
  CHECK(p.a.p2_up.size() == 1);
}

TEST_CASE("a peer claiming another FQDN is refused on message 1, with no state") {
  Pair p;
  fqdn_pair(p, "fqdn:intruder.example.com");
  p.start();
  p.initiate();
  p.net.run();
  CHECK_MESSAGE(p.b.logged("started Aggressive Mode as ID_FQDN intruder.example.com; no rule covering it names that "
                           "identity (rule 'gw' expects ID_FQDN road1.example.com)"),
                p.b.log_text());
  CHECK(p.b.engine->stats().aggressive_refused == 1);
  CHECK(p.b.engine->ike_sas().empty());
  p.net.elapse(Millis(120000));
  CHECK(p.a.p1_up.empty());
  CHECK(p.b.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("INVALID-ID-INFORMATION"), p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
}

TEST_CASE("the initiator refuses a responder whose authenticated ID is not the rule's peer_id") {
  Pair p;
  fqdn_pair(p);
  p.b.policy.mm->local_id = id("fqdn:other-gw.example.com");
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("the peer authenticated as ID_FQDN other-gw.example.com, but rule 'gw' names its peer "
                           "ID_FQDN gw.example.com"),
                p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
}

TEST_CASE("Main Mode checks the peer's ID against the rule's peer_id after HASH_I") {
  Pair p;
  run_mm_ids(p, "fqdn:road2.example.com", "fqdn:road1.example.com");
  CHECK(p.b.p1_up.empty());
  CHECK_MESSAGE(p.b.logged("Main Mode message 5: the peer authenticated as ID_FQDN road2.example.com"), p.b.log_text());
  // The right ID completes.
  Pair q;
  run_mm_ids(q, "fqdn:road1.example.com", "fqdn:ROAD1.example.com");
  REQUIRE_MESSAGE(q.b.p1_up.size() == 1, q.b.log_text());
  CHECK(q.b.p1_up[0].peer_id == "ID_FQDN road1.example.com");
}

TEST_CASE("a clear Aggressive Mode message 3 (RFC 2409 5.4: HDR, HASH_I) is accepted; Quick Mode follows") {
  Pair p;
  fqdn_pair(p);
  p.a.cfg.aggressive_encrypt_message3 = false;
  p.start();
  p.initiate();
  p.net.run();
  CHECK(clear_am3_seen(p));
  CHECK_MESSAGE(p.b.logged("processed Aggressive Mode message 3 (clear)"), p.b.log_text());
  REQUIRE_MESSAGE(p.b.p1_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  // The IV chain (RFC 2409 Appendix B) agrees on both sides without an encrypted phase-1 message.
  REQUIRE_MESSAGE(p.b.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  CHECK(p.a.p2_up[0].protos[0].enc_out == p.b.p2_up[0].protos[0].enc_in);
  // A clear message 3 with a wrong HASH_I fails like an encrypted one.
  Pair w;
  fqdn_pair(w);
  w.a.cfg.aggressive_encrypt_message3 = false;
  w.net.filter = [&](Datagram& d) {
    auto h = isakmp::parse_header(d.data);
    if (h && h->exchange == isakmp::ExchangeType::aggressive && h->next_payload == isakmp::PayloadType::hash)
      d.data[isakmp::kHeaderSize + 4] ^= 1;  // the first byte of HASH_I
    return true;
  };
  w.start();
  w.initiate();
  w.net.run();
  CHECK(w.b.p1_up.empty());
  CHECK_MESSAGE(w.b.logged("HASH_I from the initiator (ID_FQDN road1.example.com) does not verify"), w.b.log_text());
}

TEST_CASE("SpdPolicyView: the Aggressive Mode responder picks the rule (and PSK) naming the peer's ID") {
  spdtest::SetBuilder b;
  b.list("any", {spdtest::filt(policy::Address::me(), policy::Address::any())});
  b.action("esp", policy::ActionType::negotiate);
  auto& r1 = b.rule("p", "road1", "any", "esp");
  r1.peer_id = "fqdn:road1.example.com";
  r1.local_id = "fqdn:gw.example.com";
  r1.aggressive_mode = true;
  r1.auth[0].psk_ref = "secret/psk/road1";
  auto& r2 = b.rule("p", "road2", "any", "esp");
  r2.peer_id = "user_fqdn:bob@example.com";
  r2.aggressive_mode = true;
  r2.auth[0].psk_ref = "secret/psk/road2";
  REQUIRE(policy::validate(b.set).ok());
  // Through spd/current's JSON form, as ikeview reads it.
  auto spd = policy::compiled_spd_from_json(policy::to_json(spdtest::compile(b.set, "p", {ip("198.51.100.2")})));
  REQUIRE(spd.ok());
  SpdPolicyView v(std::move(*spd));
  const auto me = ip("198.51.100.2"), peer = ip("203.0.113.9");
  auto a = v.main_mode_for_id(me, peer, isakmp::IdPayload::fqdn("road1.example.com"));
  REQUIRE(a.has_value());
  CHECK(a->rule == "road1");
  CHECK(a->auth[0].psk_ref == "secret/psk/road1");
  REQUIRE(a->local_id.has_value());
  CHECK(a->local_id->str() == "ID_FQDN gw.example.com");
  auto c = v.main_mode_for_id(me, peer, isakmp::IdPayload::user_fqdn("bob@example.com"));
  REQUIRE(c.has_value());
  CHECK(c->rule == "road2");
  CHECK(c->auth[0].psk_ref == "secret/psk/road2");
  CHECK_FALSE(v.main_mode_for_id(me, peer, isakmp::IdPayload::fqdn("road3.example.com")).has_value());
  CHECK_FALSE(v.main_mode_for_id(me, peer, isakmp::IdPayload::address(peer)).has_value());
  // Main Mode knows no ID before the keys: the first rule, checked after message 5.
  CHECK(v.main_mode(me, peer)->rule == "road1");
  // An invalid ID is refused when the policy is written.
  b.set.policies[0].rules[0].peer_id = "road1.example.com";
  auto st = policy::validate(b.set);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("rule 'road1' peer_id: 'road1.example.com' is not an identity") != std::string::npos);
}
