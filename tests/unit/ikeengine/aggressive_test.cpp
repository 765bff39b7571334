// Aggressive Mode (RFC 2409 5, 5.4) between two engines: AM + QM with the rule's flag on,
// refusal without it, a wrong pre-shared key, a lost message 3, and hostile copies of
// messages 1 and 3 (truncated, replayed, flooded) that must neither crash nor grow state.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "unit/ikeengine/harness.h"

using namespace iketest;

namespace {

void allow_aggressive(Pair& p) {
  p.a.policy.mm->aggressive_initiator = true;
  p.b.policy.mm->aggressive_responder = true;
}

std::vector<Bytes> sent_by(const Pair& p, const Host& h, isakmp::ExchangeType ex) {
  std::vector<Bytes> out;
  for (const auto& d : p.net.sent) {
    if (d.from.addr != h.addr.addr) continue;
    ByteView v = d.data;
    if (d.from.port == kNatTPort) v = v.subspan(4);
    auto hd = isakmp::parse_header(v);
    if (hd && hd->exchange == ex) out.emplace_back(v.begin(), v.end());
  }
  return out;
}

}  // namespace

TEST_CASE("Aggressive Mode + Quick Mode complete when the rule asks for it") {
  Pair p;
  allow_aggressive(p);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE_MESSAGE(p.a.p1_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  REQUIRE(p.b.p1_up.size() == 1);
  CHECK(p.a.p1_up[0].aggressive);
  CHECK(p.b.p1_up[0].aggressive);
  CHECK(p.a.p1_up[0].encryption_key == p.b.p1_up[0].encryption_key);
  CHECK(p.b.p1_up[0].peer_id == "ID_IPV4_ADDR 198.51.100.1");
  CHECK(p.a.p1_up[0].peer_id == "ID_IPV4_ADDR 198.51.100.2");
  REQUIRE_MESSAGE(p.a.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
  REQUIRE(p.b.p2_up.size() == 1);
  CHECK(p.a.p2_up[0].protos[0].enc_out == p.b.p2_up[0].protos[0].enc_in);
  // Three phase-1 messages: two from the initiator (the last encrypted), one answer.
  const auto from_a = sent_by(p, p.a, isakmp::ExchangeType::aggressive);
  const auto from_b = sent_by(p, p.b, isakmp::ExchangeType::aggressive);
  REQUIRE(from_a.size() == 2);
  CHECK(from_b.size() == 1);
  CHECK_FALSE(isakmp::parse_header(from_a[0])->encrypted());
  CHECK(isakmp::parse_header(from_a[1])->encrypted());
  CHECK(sent_by(p, p.a, isakmp::ExchangeType::main_mode).empty());
  CHECK(p.b.logged("is initiating Aggressive Mode as ID_IPV4_ADDR 198.51.100.1 (rule 'gw' allows it)"));
}

TEST_CASE("Aggressive Mode offers only the first offer's DH group") {
  Pair p({policy::Cipher::aes256, policy::Integrity::sha256, policy::DhGroup::modp2048, 28800, 0});
  allow_aggressive(p);
  p.a.policy.mm->offers.push_back({policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0});
  p.b.policy.mm->offers = {{policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0}};
  p.start();
  p.initiate();
  p.net.run();
  // b allows only group 2, a's Aggressive Mode offers only group 14: no proposal chosen.
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.b.logged("peer offered AES-256/SHA-256/group 14"), p.b.log_text());
  CHECK(p.b.engine->ike_sas().empty());
}

TEST_CASE("Aggressive Mode is refused unless the responder's rule allows it") {
  Pair p;
  p.a.policy.mm->aggressive_initiator = true;  // b keeps the default: off
  p.start();
  p.initiate();
  p.net.run();
  CHECK_MESSAGE(p.b.logged("peer 198.51.100.1:500 started Aggressive Mode; rule 'gw' does not allow it"), p.b.log_text());
  CHECK(p.b.engine->stats().aggressive_refused == 1);
  CHECK(p.b.engine->ike_sas().empty());
  CHECK(p.a.engine->stats().unauthenticated == 1);
  p.net.elapse(Millis(120000));
  CHECK(p.a.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("the peer sent an unauthenticated INVALID-EXCHANGE-TYPE"), p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
  CHECK(p.b.engine->ike_sas().empty());
}

TEST_CASE("Main Mode still works on a responder that allows Aggressive Mode") {
  Pair p;
  p.b.policy.mm->aggressive_responder = true;
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.a.p1_up.size() == 1);
  CHECK_FALSE(p.a.p1_up[0].aggressive);
  CHECK_FALSE(p.b.p1_up[0].aggressive);
  CHECK(p.b.p2_up.size() == 1);
}

TEST_CASE("Aggressive Mode with a wrong pre-shared key fails on HASH_R and leaves no state") {
  Pair p;
  allow_aggressive(p);
  p.b.policy.mm->auth = {psk("a different secret")};
  p.start();
  p.initiate();
  p.net.run();
  CHECK(p.a.p1_up.empty());
  CHECK(p.b.p1_up.empty());
  CHECK_MESSAGE(p.a.logged("HASH_R from the responder does not verify: the pre-shared keys"), p.a.log_text());
  CHECK(p.a.engine->ike_sas().empty());
  // b waits for message 3, retransmits message 2, then gives up.
  p.net.elapse(Millis(120000));
  CHECK(p.b.p1_up.empty());
  CHECK(p.b.engine->ike_sas().empty());
  CHECK(p.a.p2_up.empty());
}

TEST_CASE("a lost message 3 is recovered: the responder retransmits message 2, the initiator answers from its cache") {
  Pair p;
  allow_aggressive(p);
  int dropped = 0;
  p.net.filter = [&](Datagram& d) {
    ByteView v = d.data;
    if (d.to.port == kNatTPort) v = v.subspan(4);
    auto h = isakmp::parse_header(v);
    if (h && h->exchange == isakmp::ExchangeType::aggressive && h->encrypted() && dropped == 0) {
      ++dropped;
      return false;
    }
    if (h && h->exchange == isakmp::ExchangeType::quick_mode && dropped == 1 && p.b.p1_up.empty()) return false;
    return true;
  };
  p.start();
  p.initiate();
  p.net.run();
  CHECK(dropped == 1);
  CHECK(p.a.p1_up.size() == 1);
  CHECK(p.b.p1_up.empty());
  p.net.elapse(Millis(20000));
  REQUIRE_MESSAGE(p.b.p1_up.size() == 1, p.b.log_text());
  CHECK(p.a.engine->stats().duplicates >= 1);
  // Quick Mode, retransmitted by a, completes once b has phase 1.
  CHECK_MESSAGE(p.b.p2_up.size() == 1, (p.a.log_text() + p.b.log_text()));
}

TEST_CASE("truncated and replayed Aggressive Mode messages neither crash nor create state") {
  Pair p;
  allow_aggressive(p);
  p.start();
  p.initiate();
  p.net.run();
  REQUIRE(p.b.p2_up.size() == 1);
  const auto from_a = sent_by(p, p.a, isakmp::ExchangeType::aggressive);
  REQUIRE(from_a.size() == 2);
  const Bytes am1 = from_a[0], am3 = from_a[1];
  const std::size_t sas = p.b.engine->ike_sas().size();
  // Every truncation of message 1 and 3, and a replay of each.
  for (const Bytes* m : {&am1, &am3}) {
    for (std::size_t n = 0; n < m->size(); n += 3)
      p.b.engine->receive(p.b.addr, p.a.addr, ByteView(m->data(), n));
    p.b.engine->receive(p.b.addr, p.a.addr, *m);
    p.b.engine->receive(p.b.addr, p.a.addr, *m);
  }
  p.net.run();
  CHECK(p.b.engine->ike_sas().size() == sas);
  CHECK(p.b.p1_up.size() == 1);
  CHECK(p.b.p1_down.empty());
  CHECK(p.b.engine->stats().malformed > 0);
  // The established SAs still carry traffic keys; a new Quick Mode still works.
  REQUIRE(p.a.engine->initiate(p.a.addr, p.b.addr, *p.a.policy.qm).ok());
  p.net.run();
  CHECK(p.b.p2_up.size() == 2);
}

TEST_CASE("a flood of Aggressive Mode message 1 stays within the half-open limits") {
  Pair p;
  allow_aggressive(p);
  p.b.cfg.max_half_open = 8;
  p.b.cfg.max_half_open_per_peer = 3;
  p.start();
  REQUIRE(p.a.engine->initiate_phase1(p.a.addr, p.b.addr).ok());
  REQUIRE(!p.net.queue.empty());
  const Bytes am1 = p.net.queue.back().data;
  p.net.queue.clear();
  // Same source, new CKY-I each time: the per-peer limit.
  for (std::uint8_t i = 0; i < 10; ++i) {
    Bytes m = am1;
    m[0] = i;
    m[7] = 0xEE;
    p.b.engine->receive(p.b.addr, p.a.addr, m);
  }
  CHECK(p.b.engine->ike_sas().size() == 3);
  CHECK(p.b.engine->stats().half_open_refused == 7);
  CHECK_MESSAGE(p.b.logged("Aggressive Mode from 198.51.100.1:500 refused: 3 half-open negotiations"), p.b.log_text());
  // Many sources (spoofed, 203.0.113.0/24): the overall limit, by eviction.
  for (std::uint8_t i = 0; i < 40; ++i) {
    Bytes m = am1;
    m[0] = i;
    m[7] = 0xDD;
    const std::string src = fmt::format("203.0.113.{}", i + 1);
    p.b.engine->receive(p.b.addr, Endpoint{ip(src.c_str()), 500}, m);
  }
  CHECK(p.b.engine->ike_sas().size() <= 8);
  CHECK(p.b.engine->stats().half_open_evicted > 0);
  p.net.queue.clear();
  // The half-open entries time out; only a's own negotiation (its message 1 retransmitted
  // after the flood) completes.
  p.net.elapse(Millis(60000));
  CHECK(p.b.logged("did not complete Aggressive Mode within 30 s"));
  const auto left = p.b.engine->ike_sas();
  REQUIRE(left.size() == 1);
  CHECK(left[0]->remote().addr == p.a.addr.addr);
  CHECK(left[0]->state() == SaState::established);
}
