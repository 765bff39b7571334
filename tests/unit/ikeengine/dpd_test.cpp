// Dead Peer Detection (RFC 3706): vendor IDs in Main Mode, R-U-THERE / R-U-THERE-ACK with
// sequence numbers in protected Informationals, a dead peer declared after the retries and
// its SAs deleted.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;

namespace {
void establish(Pair& p) {
  for (Host* h : {&p.a, &p.b}) {
    h->cfg.dpd_delay = Millis(30000);
    h->cfg.dpd_retry = Millis(5000);
    h->cfg.dpd_tries = 5;
  }
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p2_up.size() == 1);
  REQUIRE(p.b.p2_up.size() == 1);
}
}  // namespace

TEST_CASE("DPD with a live peer: R-U-THERE is acknowledged and nothing is deleted") {
  Pair p;
  establish(p);
  p.net.elapse(Millis(100000), Millis(1000));
  CHECK(p.a.logged("sent Informational (R-U-THERE #"));
  CHECK(p.b.logged("sent Informational (R-U-THERE-ACK #"));
  CHECK(p.a.p1_down.empty());
  CHECK(p.b.p1_down.empty());
  CHECK(p.a.engine->child_sas().size() == 1);
  CHECK(p.a.engine->stats().dpd_dead == 0);
  CHECK(p.a.engine->stats().bad_hash == 0);
}

TEST_CASE("DPD: a cut link makes both sides declare the peer dead and delete its SAs") {
  Pair p;
  establish(p);
  p.net.filter = [](Datagram&) { return false; };  // the link is cut
  p.net.elapse(Millis(54000), Millis(1000));
  CHECK(p.a.p1_down.empty());  // 30 s of silence, then 5 R-U-THEREs 5 s apart...
  p.net.elapse(Millis(2000), Millis(1000));  // ...then dead
  CHECK_MESSAGE(p.a.logged("the peer 198.51.100.2:500 is dead (DPD): no answer to 5 R-U-THERE"), p.a.log_text());
  CHECK(p.a.logged("deleting every SA with it"));
  REQUIRE(p.a.p1_down.size() == 1);
  CHECK(p.a.p1_down[0].find("is dead (DPD)") != std::string::npos);
  REQUIRE(p.a.p2_down.size() == 1);
  CHECK(p.a.engine->ike_sas().empty());
  CHECK(p.a.engine->child_sas().empty());
  CHECK(p.a.engine->stats().dpd_dead == 1);
  CHECK(p.b.engine->ike_sas().empty());
  CHECK(p.b.engine->child_sas().empty());
}

TEST_CASE("DPD: a peer that answers late (before the last retry) is alive") {
  Pair p;
  establish(p);
  p.net.filter = [](Datagram&) { return false; };
  p.net.elapse(Millis(42000), Millis(1000));  // a few R-U-THEREs lost
  p.net.filter = nullptr;
  p.net.elapse(Millis(30000), Millis(1000));
  CHECK(p.a.p1_down.empty());
  CHECK(p.b.p1_down.empty());
  CHECK(p.a.engine->child_sas().size() == 1);
}

TEST_CASE("no DPD when the peer did not announce it") {
  Pair p;
  p.b.cfg.dpd = false;
  establish(p);
  p.net.filter = [](Datagram&) { return false; };
  p.net.elapse(Millis(120000), Millis(1000));
  CHECK(!p.a.logged("R-U-THERE"));
  CHECK(p.a.p1_down.empty());
  CHECK(p.a.engine->ike_sas().size() == 1);
}

TEST_CASE("a replayed R-U-THERE is not answered again") {
  Pair p;
  establish(p);
  std::vector<Datagram> rut;
  p.net.filter = [&](Datagram& d) {
    if (d.to == p.b.addr && d.data.size() > 18 && d.data[18] == 5) rut.push_back(d);
    return true;
  };
  p.net.elapse(Millis(31000), Millis(1000));
  REQUIRE(!rut.empty());
  const auto sent = p.net.sent.size();
  p.net.send(rut[0].from, rut[0].to, rut[0].data);
  p.net.run();
  CHECK(p.net.sent.size() == sent + 1);  // the replay itself, and no second ACK
  CHECK(p.b.engine->stats().replays + p.b.engine->stats().duplicates >= 1);
}
