// Bounded state for unauthenticated senders: half-open limits per source and overall, random
// eviction of entries that never returned our cookie, and stateless responder cookies that
// let us recognise (and explain) a message 3 for an evicted negotiation.
#include <doctest/doctest.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;

namespace {

// A message 1 as `a` sends it, re-sent from a spoofed source with its own CKY-I.
struct Flood {
  Bytes mm1;
  std::uint32_t n = 0;
  void capture(Pair& p) {
    p.start();
    REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
    REQUIRE(!p.net.queue.empty());
    mm1 = p.net.queue.back().data;
    p.net.queue.clear();
    p.net.sent.clear();
    p.a.start();  // forget that exchange
  }
  void send(Pair& p, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i, ++n) {
      Bytes m = mm1;
      for (int k = 0; k < 4; ++k) m[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(n >> (8 * k));
      m[7] = 0xEE;
      // 203.0.113.0/24 and 192.0.2.0/24 as spoofed sources, ports varying.
      const std::string a = fmt::format("{}.{}", (n & 1) ? "203.0.113" : "192.0.2", (n >> 1) % 254 + 1);
      Endpoint from{ip(a.c_str()), static_cast<std::uint16_t>(1024 + (n >> 9) % 60000)};
      p.net.send(from, p.b.addr, m);
    }
  }
};

}  // namespace

TEST_CASE("a flood of message 1 from many sources leaves bounded state; a real peer still completes") {
  Pair p;
  p.b.cfg.max_half_open = 64;
  Flood f;
  f.capture(p);
  p.b.start();
  f.send(p, 5000);
  p.net.run(100000);
  CHECK(p.b.engine->half_open() <= 64);
  CHECK(p.b.engine->ike_sas().size() <= 64);
  CHECK(p.b.engine->stats().half_open_evicted >= 5000 - 64);
  CHECK_MESSAGE(p.b.logged("half-open table full (64 entries): evicted an unverified negotiation"), p.b.log_text());
  // The flood goes on while the real peer negotiates.
  p.initiate();
  for (int round = 0; round < 50 && p.a.p2_up.empty(); ++round) {
    f.send(p, 10);
    p.net.run(p.net.queue.size());
    CHECK(p.b.engine->ike_sas().size() <= 64 + 1);
  }
  p.net.run(100000);
  CHECK(p.a.p2_up.size() == 1);
  CHECK(p.b.p2_up.size() == 1);
  CHECK(p.b.engine->half_open() <= 64);
  // Spoofed entries time out.
  p.net.clock.advance(p.b.cfg.half_open_timeout + Millis(1));
  p.b.engine->run_timers();
  CHECK(p.b.engine->half_open() == 0);
  CHECK(p.b.engine->ike_sas().size() == 1);
}

TEST_CASE("half-open limit per source address") {
  Pair p;
  p.b.cfg.max_half_open_per_peer = 4;
  p.start();
  for (int i = 0; i < 20; ++i) REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  p.net.filter = [](Datagram& d) { return d.to.addr == ip("198.51.100.2"); };  // a never hears back
  p.net.run();
  CHECK(p.b.engine->half_open() == 4);
  CHECK(p.b.engine->stats().half_open_refused == 16);
  CHECK_MESSAGE(p.b.logged("Main Mode from 198.51.100.1:500 refused: 4 half-open negotiations from this address already "
                           "(limit 4)"),
                p.b.log_text());
}

TEST_CASE("message 3 for an evicted negotiation is recognised by its cookie and explained") {
  Pair p;
  p.b.cfg.max_half_open = 1;
  Flood f;
  f.capture(p);
  p.b.start();
  p.initiate();
  p.net.run(1);  // message 1 reaches b; b's message 2 is queued
  REQUIRE(p.b.engine->half_open() == 1);
  f.send(p, 1);  // a spoofed message 1 evicts it (queued after message 2)
  std::deque<Datagram> q = std::move(p.net.queue);
  p.net.queue.clear();
  // Deliver the spoof first, then message 2 to a.
  p.net.queue.push_back(q.back());
  q.pop_back();
  for (auto& d : q) p.net.queue.push_back(d);
  p.net.run();
  CHECK(p.b.engine->stats().half_open_evicted == 1);
  CHECK(p.b.engine->stats().stale_cookies >= 1);
  CHECK_MESSAGE(p.b.logged("Main Mode message from 198.51.100.1:500 carries our cookie but its half-open SA is gone"),
                p.b.log_text());
  CHECK(p.b.p1_up.empty());
}

TEST_CASE("a negotiation past message 3 is never evicted: new message 1 is refused instead") {
  Pair p;
  p.b.cfg.max_half_open = 1;
  Flood f;
  f.capture(p);
  p.b.start();
  p.initiate();
  // Hold message 5 until the flood has hit.
  std::optional<Datagram> mm5;
  p.net.filter = [&](Datagram& d) {
    if (!mm5 && d.to == p.b.addr && d.data.size() > 19 && (d.data[19] & 1)) {
      mm5 = d;
      return false;
    }
    return true;
  };
  p.net.run();
  REQUIRE(mm5);
  f.send(p, 3);
  p.net.run();
  CHECK(p.b.engine->stats().half_open_evicted == 0);
  CHECK(p.b.engine->stats().half_open_refused == 3);
  CHECK(p.b.logged("all past message 3 (limit 1)"));
  p.net.filter = nullptr;
  p.net.send(mm5->from, mm5->to, mm5->data);
  p.net.run();
  CHECK(p.a.p2_up.size() == 1);
  CHECK(p.b.p2_up.size() == 1);
}
