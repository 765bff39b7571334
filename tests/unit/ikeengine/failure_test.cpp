// Negotiations that must fail, and fail with a reason an admin can act on: wrong PSK, no
// proposal chosen, peers that never answer.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;
using policy::Cipher;
using policy::DhGroup;
using policy::Integrity;

TEST_CASE("wrong pre-shared key: both sides fail and say why") {
  Pair p;
  p.b.policy.mm->auth = {psk("a different secret")};
  p.start();
  p.initiate();
  p.net.run();
  // The responder cannot decrypt message 5: its keys differ.
  CHECK(p.b.p1_up.empty());
  CHECK_MESSAGE(p.b.logged("Main Mode message 5 from 198.51.100.1:500 does not decrypt to valid payloads"), p.b.log_text());
  CHECK(p.b.logged("pre-shared keys of the two sides probably differ"));
  CHECK(p.b.engine->ike_sas().empty());
  // The initiator hears only an unauthenticated notify, which it must not act upon: it
  // retransmits, then gives up and names what it heard.
  CHECK(p.a.engine->stats().unauthenticated == 1);
  p.net.elapse(Millis(120000));
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("no answer to Main Mode message 5 from 198.51.100.2:500 after 5 retransmissions; the peer "
                           "sent an unauthenticated AUTHENTICATION-FAILED"),
                p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
  CHECK(p.a.engine->stats().phase1_failed == 1);
}

TEST_CASE("no proposal chosen in Main Mode: the responder names both sides' suites") {
  Pair p({Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 28800, 0});
  p.b.policy.mm->rule = "gw-out";
  p.b.policy.mm->offers = {{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0}};
  p.start();
  p.initiate();
  p.net.run();
  CHECK_MESSAGE(p.b.logged("peer offered AES-256/SHA-256/group 14; rule 'gw-out' allows only 3DES/SHA-1/group 2"),
                p.b.log_text());
  CHECK(p.b.engine->ike_sas().empty());  // no state kept for a refused first message
  p.net.elapse(Millis(120000));
  CHECK(p.a.logged("the peer sent an unauthenticated NO-PROPOSAL-CHOSEN"));
  CHECK(p.a.engine->ike_sas().empty());
}

TEST_CASE("no proposal chosen in Quick Mode: refused with an authenticated notify") {
  Pair p({Cipher::aes128, Integrity::sha1, DhGroup::modp1024, 28800, 0}, {esp(Cipher::aes256, Integrity::sha256)});
  p.b.policy.qm->rule = "lan";
  p.b.policy.qm->offers = {esp(Cipher::des3, Integrity::md5)};
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.size() == 1);
  CHECK(p.a.p2_up.empty());
  CHECK(p.b.p2_up.empty());
  CHECK_MESSAGE(p.b.logged("peer offered ESP AES-256/SHA-256; rule 'lan' allows only ESP 3DES/MD5"), p.b.log_text());
  // The initiator acts on the notify at once: it was protected by HASH(1).
  CHECK_MESSAGE(p.a.logged("the peer refused it with NO-PROPOSAL-CHOSEN"), p.a.log_text());
  CHECK(p.a.engine->stats().phase2_failed == 1);
  CHECK(p.a.engine->ike_sa(p.a.p1_up[0].id)->quick.empty());
}

TEST_CASE("Quick Mode for traffic no rule covers: INVALID-ID-INFORMATION") {
  Pair p;
  p.b.policy.qm->remote = TrafficSelector{pfx("10.0.0.0/8")};
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.b.logged("no rule negotiates traffic 203.0.113.0/24 === 192.0.2.0/24 with peer 198.51.100.1"));
  CHECK(p.a.logged("the peer refused it with INVALID-ID-INFORMATION"));
}

TEST_CASE("no policy for the peer: Main Mode is refused without state") {
  Pair p;
  p.b.policy.mm.reset();
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.b.engine->ike_sas().empty());
  CHECK(p.b.logged("no rule of the SPD (and no default response) covers this peer"));
  auto r = p.b.engine->initiate(p.b.addr, p.a.addr, *p.b.policy.qm);
  CHECK_FALSE(r.ok());
}

TEST_CASE("retransmission: a lost message is sent again and the peer answers from its cache") {
  Pair p;
  p.start();
  int dropped = 0;
  p.net.filter = [&](Datagram& d) {
    // Lose the responder's message 4 once.
    if (d.from == p.b.addr && d.data.size() > 100 && dropped == 0 && p.b.engine->stats().received == 2) {
      ++dropped;
      return false;
    }
    return true;
  };
  p.initiate();
  p.net.run();
  CHECK(dropped == 1);
  CHECK(p.a.p1_up.empty());
  p.net.elapse(Millis(3000));
  CHECK(p.a.engine->stats().retransmits == 1);
  CHECK(p.b.engine->stats().duplicates == 1);
  CHECK(p.a.p2_up.size() == 1);
  CHECK(p.b.p2_up.size() == 1);
}

TEST_CASE("retransmission backs off exponentially, then gives up") {
  Pair p;
  p.start();
  p.net.filter = [](Datagram&) { return false; };  // the peer is unreachable
  p.initiate();
  p.net.run();
  p.net.elapse(Millis(200000), Millis(250));
  std::vector<double> times;  // seconds between sends
  CHECK(p.net.sent.size() == 6);  // message 1 and five retransmissions
  CHECK_MESSAGE(p.a.logged("no answer to Main Mode message 1 from 198.51.100.2:500 after 5 retransmissions"),
                p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
  CHECK_FALSE(p.a.engine->next_timer().has_value());
}

TEST_CASE("the retransmission gaps double") {
  Pair p;
  p.start();
  std::vector<TimePoint> at;
  p.net.filter = [&](Datagram&) {
    at.push_back(p.net.clock.now());
    return false;
  };
  p.initiate();
  p.net.run();
  p.net.elapse(Millis(200000), Millis(250));
  REQUIRE(at.size() == 6);
  const auto gap = [&](std::size_t i) { return std::chrono::duration_cast<Millis>(at[i + 1] - at[i]).count(); };
  CHECK(gap(0) == 2000);
  CHECK(gap(1) == 4000);
  CHECK(gap(2) == 8000);
  CHECK(gap(3) == 16000);
  CHECK(gap(4) == 30000);  // capped at max_wait
}

TEST_CASE("a responder whose initiator vanishes drops the half-open SA") {
  Pair p;
  p.start();
  p.net.filter = [&](Datagram& d) { return !(d.from == p.a.addr && p.b.engine->stats().received >= 1); };
  p.initiate();
  p.net.run();
  CHECK(p.b.engine->half_open() == 1);
  p.net.elapse(Millis(31000));
  CHECK(p.b.engine->half_open() == 0);
  CHECK(p.b.logged("198.51.100.1:500 did not complete Main Mode within 30 s"));
}

TEST_CASE("a lost message 6: the initiator's retransmitted message 5 is answered from the cache") {
  Pair p;
  p.start();
  bool dropped = false;
  p.net.filter = [&](Datagram& d) {
    // Lose the responder's first encrypted message (message 6) once.
    if (!dropped && d.from == p.b.addr && d.data.size() > 19 && (d.data[19] & 1)) {
      dropped = true;
      return false;
    }
    return true;
  };
  p.initiate();
  p.net.run();
  CHECK(dropped);
  CHECK(p.b.p1_up.size() == 1);
  CHECK(p.a.p1_up.empty());
  p.net.elapse(Millis(3000));
  CHECK(p.b.engine->stats().duplicates == 1);
  CHECK(p.a.p1_up.size() == 1);
  CHECK(p.a.p2_up.size() == 1);
}
