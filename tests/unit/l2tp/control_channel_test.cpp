// The reliable control channel alone (RFC 2661 §5.8, appendix A): two channels wired back to
// back through queues the test drops, duplicates and reorders, under a hand-driven clock.
#include <doctest/doctest.h>

#include <deque>
#include <random>

#include "l2tp/control_channel.h"
#include "unit/l2tp/harness.h"

using namespace ipseckit;
using namespace ipseckit::l2tp;

namespace {

// A message with one AVP (Message Type = HELLO) and a counter in a second AVP, so delivery
// order can be checked.
Bytes message(std::uint16_t counter) {
  wire::L2tpAttrs a;
  a.message_type = wire::L2tpMsgType::hello;
  a.firmware_revision = counter;
  auto avps = wire::encode_attrs(a);
  return wire::serialize_avps(avps.value()).value();
}

std::uint16_t counter_of(const wire::L2tpControl& m) {
  auto a = wire::decode_attrs(m.avps);
  REQUIRE(a.ok());
  return a->firmware_revision.value_or(0xFFFF);
}

struct Ends {
  Millis now{0};
  std::deque<Bytes> to_b, to_a;
  std::vector<Bytes> sent_by_a;
  ControlChannel a, b;
  std::vector<std::uint16_t> got_b;

  explicit Ends(ChannelConfig cfg = {})
      : a(cfg, [this](ByteView d) {
          sent_by_a.emplace_back(d.begin(), d.end());
          to_b.emplace_back(d.begin(), d.end());
        }),
        b(cfg, [this](ByteView d) { to_a.emplace_back(d.begin(), d.end()); }) {
    testing::Pair::quiet();
    a.set_peer_tunnel_id(2);
    b.set_peer_tunnel_id(1);
  }

  void deliver_to_b(const Bytes& d) {
    auto m = wire::parse_control(d);
    REQUIRE(m.ok());
    for (const auto& x : b.receive(*m, now)) got_b.push_back(counter_of(x));
  }
  void deliver_to_a(const Bytes& d) {
    auto m = wire::parse_control(d);
    REQUIRE(m.ok());
    CHECK(a.receive(*m, now).empty());  // b only sends ZLBs here
  }
  void pump() {
    for (int i = 0; i < 1000 && (!to_b.empty() || !to_a.empty()); ++i) {
      if (!to_b.empty()) {
        Bytes d = to_b.front();
        to_b.pop_front();
        deliver_to_b(d);
      }
      if (!to_a.empty()) {
        Bytes d = to_a.front();
        to_a.pop_front();
        deliver_to_a(d);
      }
    }
  }
  void advance(Millis d) {
    now += d;
    a.on_timer(now);
    b.on_timer(now);
  }
};

}  // namespace

TEST_CASE("In order delivery, ZLB acknowledgement after the ack delay, Ns/Nr") {
  Ends e;
  for (std::uint16_t i = 0; i < 3; ++i) REQUIRE(e.a.send(0, message(i), e.now).ok());
  CHECK(e.a.in_flight() == 1);  // slow start: CWND 1
  e.pump();
  CHECK(e.got_b == std::vector<std::uint16_t>{0});
  CHECK(e.to_a.empty());  // the ZLB waits for the ack delay (a reply could carry Nr)
  e.advance(Millis(100));
  CHECK(e.to_a.size() == 1);
  CHECK(testing::kind_of(e.to_a.front()) == "ZLB");
  e.pump();
  // the ack opened the window: CWND 2, both remaining messages go out
  CHECK(e.a.cwnd() == 2);
  CHECK(e.got_b == std::vector<std::uint16_t>{0, 1, 2});
  e.advance(Millis(100));
  e.pump();
  CHECK(e.a.idle());
  CHECK(e.a.next_ns() == 3);
  CHECK(e.b.expected_ns() == 3);
  // a ZLB carries the next Ns without consuming it
  auto zlb = wire::parse_control(e.sent_by_a.back());
  REQUIRE(zlb.ok());
  CHECK(e.b.stats().zlb_sent == 2);
}

TEST_CASE("A StopCCN is acknowledged at once, not after the ack delay (§5.7)") {
  Ends e;
  wire::L2tpAttrs stop;
  stop.message_type = wire::L2tpMsgType::stopccn;
  REQUIRE(e.a.send(0, wire::serialize_avps(wire::encode_attrs(stop).value()).value(), e.now).ok());
  REQUIRE(e.to_b.size() == 1);
  Bytes d = e.to_b.front();
  e.to_b.pop_front();
  auto m = wire::parse_control(d);
  REQUIRE(m.ok());
  CHECK(e.b.receive(*m, e.now).size() == 1);
  REQUIRE(e.to_a.size() == 1);  // no clock advance: the ZLB left with the StopCCN's arrival
  CHECK(testing::kind_of(e.to_a.front()) == "ZLB");
  e.pump();
  CHECK(e.a.idle());
}

TEST_CASE("Retransmission: 1, 2, 4, 8, 8 s back-off, then give up after the limit") {
  Ends e;
  REQUIRE(e.a.send(0, message(7), e.now).ok());
  e.to_b.clear();  // lost
  std::vector<long> at;
  for (int ms = 0; ms <= 40000; ms += 100) {
    e.advance(Millis(100));
    if (!e.to_b.empty()) {
      at.push_back(e.now.count());
      e.to_b.clear();
    }
    if (e.a.failed()) break;
  }
  CHECK(at == std::vector<long>{1000, 3000, 7000, 15000, 23000});
  REQUIRE(e.a.failed());
  CHECK(e.now.count() == 31000);
  CHECK(e.a.failure()->code == "l2tp.timeout");
  CHECK(e.a.failure()->message.find("HELLO (Ns=0) after 5 retransmissions") != std::string::npos);
  CHECK(e.a.stats().retransmits == 5);
  // a failed channel refuses new work
  CHECK_FALSE(e.a.send(0, message(8), e.now).ok());
  CHECK_FALSE(e.a.next_deadline().has_value());
}

TEST_CASE("A lost message is retransmitted and the timeout resets after the acknowledgement") {
  Ends e;
  REQUIRE(e.a.send(0, message(1), e.now).ok());
  e.to_b.clear();
  e.advance(Millis(1000));  // first retransmission
  CHECK(e.a.current_timeout() == Millis(2000));
  e.pump();
  e.advance(Millis(100));
  e.pump();
  CHECK(e.a.idle());
  CHECK(e.a.current_timeout() == Millis(1000));
  CHECK(e.got_b == std::vector<std::uint16_t>{1});
}

TEST_CASE("Duplicates are acknowledged at once and delivered once") {
  Ends e;
  REQUIRE(e.a.send(0, message(1), e.now).ok());
  const Bytes first = e.to_b.front();
  e.pump();
  e.deliver_to_b(first);  // the same message again (our ZLB "was lost")
  CHECK(e.got_b == std::vector<std::uint16_t>{1});
  CHECK(e.b.stats().duplicates == 1);
  CHECK(e.to_a.size() == 1);  // immediate ZLB for the duplicate
}

TEST_CASE("Out-of-order messages wait inside the window; beyond it they are dropped") {
  ChannelConfig cfg;
  cfg.receive_window = 4;
  Ends e(cfg);
  e.a.set_peer_window(8);
  // open a's window fully by acknowledging a few rounds
  for (std::uint16_t i = 0; i < 6; ++i) {
    REQUIRE(e.a.send(0, message(i), e.now).ok());
    e.pump();
    e.advance(Millis(100));
    e.pump();
  }
  REQUIRE(e.a.cwnd() >= 4);
  e.got_b.clear();
  for (std::uint16_t i = 10; i < 14; ++i) REQUIRE(e.a.send(0, message(i), e.now).ok());
  REQUIRE(e.to_b.size() == 4);
  std::vector<Bytes> q(e.to_b.begin(), e.to_b.end());
  e.to_b.clear();
  e.deliver_to_b(q[3]);
  e.deliver_to_b(q[1]);
  e.deliver_to_b(q[2]);
  CHECK(e.got_b.empty());
  CHECK(e.b.stats().out_of_order == 3);
  e.deliver_to_b(q[0]);
  CHECK(e.got_b == std::vector<std::uint16_t>{10, 11, 12, 13});
  // a message far ahead of the window is dropped
  auto far = wire::parse_control(q[0]);
  REQUIRE(far.ok());
  far->header.ns = static_cast<std::uint16_t>(e.b.expected_ns() + 10);
  CHECK(e.b.receive(*far, e.now).empty());
  CHECK(e.b.stats().out_of_window == 1);
}

TEST_CASE("Appendix A: slow start, congestion avoidance, halving on timeout; never past the peer window") {
  Ends e;
  e.a.set_peer_window(8);
  CHECK(e.a.cwnd() == 1);
  CHECK(e.a.ssthresh() == 8);
  std::vector<unsigned> cwnds;
  unsigned max_flight = 0;
  for (std::uint16_t i = 0; i < 40; ++i) REQUIRE(e.a.send(0, message(i), e.now).ok());
  for (int round = 0; round < 40 && !e.a.idle(); ++round) {
    max_flight = std::max(max_flight, e.a.in_flight());
    e.pump();
    e.advance(Millis(100));
    e.pump();
    cwnds.push_back(e.a.cwnd());
  }
  CHECK(e.a.idle());
  CHECK(max_flight <= 8);
  CHECK(e.a.cwnd() == 8);
  CHECK(cwnds.front() == 2);  // one ack in slow start: +1
  // timeout: SSTHRESH = CWND/2, CWND = 1
  REQUIRE(e.a.send(0, message(99), e.now).ok());
  e.to_b.clear();
  e.advance(Millis(1000));
  CHECK(e.a.cwnd() == 1);
  CHECK(e.a.ssthresh() == 4);
  e.pump();
  e.advance(Millis(100));
  e.pump();
  CHECK(e.a.cwnd() == 2);
  // above SSTHRESH growth is 1 per CWND acks
  for (std::uint16_t i = 0; i < 6; ++i) REQUIRE(e.a.send(0, message(i), e.now).ok());
  for (int r = 0; r < 10; ++r) {
    e.pump();
    e.advance(Millis(100));
    e.pump();
  }
  CHECK(e.a.cwnd() == 5);  // 2 -> 3 -> 4 (slow start up to SSTHRESH), then +1 after 4 more acks
  CHECK(e.got_b.size() == 47);
}

TEST_CASE("The send queue is bounded; a bogus Nr is ignored") {
  ChannelConfig cfg;
  cfg.max_queue = 3;
  Ends e(cfg);
  for (std::uint16_t i = 0; i < 3; ++i) REQUIRE(e.a.send(0, message(i), e.now).ok());
  auto full = e.a.send(0, message(3), e.now);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == "l2tp.resources");
  // Nr acknowledging messages never sent does not empty the queue
  wire::L2tpControl zlb{wire::L2tpHeader::control_header(1, 0, 0, 50), {}};
  e.a.receive(zlb, e.now);
  CHECK(e.a.queued() == 3);
}

TEST_CASE("Random loss, duplication and reordering: everything arrives once, in order") {
  for (unsigned seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    // 20 % loss each way makes six losses of one exchange in a row likely somewhere in 240
    // messages; the limit is raised so that the test is about ordering, not about give-up.
    ChannelConfig cfg;
    cfg.max_retransmits = 12;
    cfg.max_timeout = Millis(4000);
    Ends e(cfg);
    e.a.set_peer_window(4);
    std::uint16_t next = 0;
    for (int step = 0; step < 6000 && e.got_b.size() < 60; ++step) {
      if (next < 60 && e.a.queued() < 8) REQUIRE(e.a.send(0, message(next++), e.now).ok());
      // move at most one datagram each way per step, with loss/dup/reorder
      auto hop = [&](std::deque<Bytes>& q, bool to_b) {
        if (q.empty()) return;
        if (q.size() > 1 && rng() % 4 == 0) std::swap(q[0], q[1]);
        Bytes d = q.front();
        q.pop_front();
        const auto r = rng() % 10;
        if (r < 2) return;  // 20 % lost
        if (to_b) e.deliver_to_b(d);
        else e.deliver_to_a(d);
        if (r == 9) {  // 10 % duplicated
          if (to_b) e.deliver_to_b(d);
          else e.deliver_to_a(d);
        }
      };
      hop(e.to_b, true);
      hop(e.to_a, false);
      e.advance(Millis(50));
    }
    INFO("failed: " << (e.a.failed() ? e.a.failure()->message : "no") << " retransmits " << e.a.stats().retransmits);
    REQUIRE(e.got_b.size() == 60);
    for (std::uint16_t i = 0; i < 60; ++i) CHECK(e.got_b[i] == i);
    CHECK_FALSE(e.a.failed());
  }
}

TEST_CASE("Sequence numbers wrap at 65536") {
  CHECK(seq_before(65535, 0));
  CHECK(seq_before(65000, 10));
  CHECK_FALSE(seq_before(10, 65000));
  CHECK_FALSE(seq_before(5, 5));
  CHECK(seq_distance(65534, 2) == 4);
}
