// Two L2TP nodes in one process (LAC "a", LNS "b") over an in-memory link: tunnels, tunnel
// authentication, hidden AVPs, calls, data, teardown, keepalive, timeouts, loss and the
// tie-breaker. RFC 2661 §5-§7.
#include <doctest/doctest.h>

#include "l2tp/tunnel_auth.h"
#include "unit/l2tp/harness.h"

using namespace ipseckit;
using namespace ipseckit::testing;
using l2tp::Event;
using l2tp::Millis;
using wire::L2tpMsgType;

namespace {

l2tp::NodeConfig with_secret(l2tp::NodeConfig c, const char* secret, bool hide = false) {
  c.secret = SecureBytes(std::string_view(secret));
  c.hide_avps = hide;
  return c;
}

// Dials and runs until both sides report the call up.
l2tp::SessionKey bring_up(Pair& p) {
  auto key = p.a->dial(p.b_addr, "5551234");
  REQUIRE(key.ok());
  REQUIRE(p.run_until([&] {
    return Pair::find(p.a_events, Event::Kind::session_up) && Pair::find(p.b_events, Event::Kind::session_up);
  }));
  return *key;
}

}  // namespace

TEST_CASE("Tunnel and incoming call come up: SCCRQ SCCRP SCCCN ICRQ ICRP ICCN, data both ways") {
  Pair p(lac_config(), lns_config());
  const auto key = bring_up(p);
  CHECK(p.link.kinds(true) == std::vector<std::string>{"SCCRQ", "SCCCN", "ICRQ", "ICCN"});
  const auto lns_kinds = p.link.kinds(false);
  CHECK(lns_kinds[0] == "SCCRP");
  CHECK(std::count(lns_kinds.begin(), lns_kinds.end(), "ICRP") == 1);
  const auto up_a = Pair::find(p.a_events, Event::Kind::session_up);
  const auto up_b = Pair::find(p.b_events, Event::Kind::session_up);
  CHECK(up_a->lac);
  CHECK_FALSE(up_b->lac);
  CHECK(up_a->key == key);
  CHECK(Pair::find(p.a_events, Event::Kind::tunnel_up));
  CHECK(Pair::find(p.b_events, Event::Kind::tunnel_up));
  const l2tp::Tunnel* ta = p.a->tunnel(key.tunnel);
  REQUIRE(ta != nullptr);
  CHECK(ta->state() == l2tp::TunnelState::established);
  CHECK(ta->peer_host_name() == "lns.test");
  const l2tp::Tunnel* tb = p.b->tunnel(up_b->key.tunnel);
  REQUIRE(tb != nullptr);
  CHECK(tb->peer_id() == key.tunnel);
  CHECK(tb->session(up_b->key.session)->number == "5551234");

  const Bytes lcp = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04};
  REQUIRE(p.a->send_data(key, lcp).ok());
  REQUIRE(p.b->send_data(up_b->key, lcp).ok());
  p.pump();
  const auto da = Pair::find(p.a_events, Event::Kind::data);
  const auto db = Pair::find(p.b_events, Event::Kind::data);
  REQUIRE(da.has_value());
  REQUIRE(db.has_value());
  CHECK(da->data == lcp);
  CHECK(db->data == lcp);
  CHECK(db->key == up_b->key);
  // no sequencing asked for: the data header is 0x4002 like xl2tpd's
  CHECK(to_hex(p.link.log.back().bytes).substr(0, 4) == "4002");

  // CDN from the LAC, then StopCCN from the LNS
  p.a->hang_up(key, wire::CdnResult::admin, "user hung up");
  p.run(Millis(500));
  const auto down_b = Pair::find(p.b_events, Event::Kind::session_down);
  REQUIRE(down_b.has_value());
  CHECK(down_b->error->code == "l2tp.peer_cdn");
  CHECK(down_b->error->message.find("result 3 (Call disconnected for administrative reasons)") != std::string::npos);
  CHECK(down_b->error->message.find("user hung up") != std::string::npos);
  CHECK(wire::proto_result(down_b->error->proto) == 3);
  CHECK(Pair::find(p.a_events, Event::Kind::session_down)->error->code == "l2tp.closed");
  CHECK(p.a->session_count() == 0);
  CHECK(p.b->session_count() == 0);
  CHECK_FALSE(p.a->send_data(key, lcp).ok());

  p.b->close_tunnel(up_b->key.tunnel, wire::StopCcnResult::general_clear, "Goodbye!");
  p.run(Millis(1000));
  const auto td = Pair::find(p.a_events, Event::Kind::tunnel_down);
  REQUIRE(td.has_value());
  CHECK(td->error->code == "l2tp.peer_stop");
  CHECK(td->error->message.find("Goodbye!") != std::string::npos);
  CHECK(p.b->tunnel_count() == 0);  // our StopCCN was acknowledged: freed
  CHECK(p.a->tunnel_count() == 1);  // holds state to acknowledge retransmitted StopCCNs
  p.run(Millis(31000), Millis(1000));
  CHECK(p.a->tunnel_count() == 0);
  CHECK_FALSE(p.a->next_deadline().has_value());
}

TEST_CASE("Tunnel authentication with the same secret, and hidden AVPs both ways") {
  Pair p(with_secret(lac_config(), "s3cret", true), with_secret(lns_config(), "s3cret", true));
  const auto key = bring_up(p);
  (void)key;
  // both challenged: SCCRQ and SCCRP carry Challenge, SCCRP and SCCCN a Challenge Response
  auto sccrq = wire::parse_control(p.link.log[0].bytes);
  REQUIRE(sccrq.ok());
  auto a = wire::decode_attrs(sccrq->avps);
  REQUIRE(a.ok());
  CHECK(a->challenge.has_value());
  CHECK(a->tie_breaker.has_value());
  CHECK(a->were_hidden.empty());  // never hidden in SCCRQ
  // the ICRQ's session AVPs are hidden and only readable with the secret
  const std::string secret = "s3cret";
  const wire::AvpSecret sec{ByteView(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
                            &l2tp::avp_md5};  // NOLINT
  bool saw_hidden = false;
  for (const auto& g : p.link.log) {
    if (kind_of(g.bytes) != "ICRQ" && kind_of(g.bytes) != "ICRP") continue;
    auto m = wire::parse_control(g.bytes);
    REQUIRE(m.ok());
    CHECK_FALSE(wire::decode_attrs(m->avps).ok());
    auto h = wire::decode_attrs(m->avps, sec);
    REQUIRE(h.ok());
    CHECK(h->random_vector.has_value());
    CHECK(std::count(h->were_hidden.begin(), h->were_hidden.end(), wire::AvpType::assigned_session_id) == 1);
    saw_hidden = true;
  }
  CHECK(saw_hidden);
}

TEST_CASE("Challenge responses follow §4.2: MD5(message type | secret | challenge)") {
  const std::string secret = "s3cret";
  const ByteView s(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());  // NOLINT
  Bytes challenge(16);
  for (std::size_t i = 0; i < 16; ++i) challenge[i] = static_cast<std::uint8_t>(i);
  // python3: hashlib.md5(bytes([2]) + b"s3cret" + bytes(range(16))).hexdigest()
  CHECK(to_hex(l2tp::challenge_response(L2tpMsgType::sccrp, s, challenge)) == "d7cdc58ae8fec2b994e7edd0b94bd8a1");
  CHECK(l2tp::check_challenge_response(L2tpMsgType::sccrp, s,
                                       challenge, l2tp::challenge_response(L2tpMsgType::sccrp, s, challenge)));
  CHECK_FALSE(l2tp::check_challenge_response(L2tpMsgType::scccn, s, challenge,
                                             l2tp::challenge_response(L2tpMsgType::sccrp, s, challenge)));
}

TEST_CASE("Wrong tunnel secret: a specific error on both sides, nothing left behind") {
  Pair p(with_secret(lac_config(), "s3cret"), with_secret(lns_config(), "other"));
  auto key = p.a->dial(p.b_addr);
  REQUIRE(key.ok());
  p.run(Millis(2000));
  // the LAC checks the LNS's response in SCCRP first and refuses with StopCCN result 4
  const auto a_down = Pair::find(p.a_events, Event::Kind::tunnel_down);
  const auto b_down = Pair::find(p.b_events, Event::Kind::tunnel_down);
  REQUIRE(a_down.has_value());
  REQUIRE(b_down.has_value());
  CHECK(a_down->error->code == "l2tp.auth");
  CHECK(a_down->error->message.find("the tunnel secrets differ") != std::string::npos);
  CHECK(wire::proto_result(a_down->error->proto) == 4);
  CHECK(b_down->error->code == "l2tp.peer_stop");
  CHECK(b_down->error->message.find("result 4 (Requester is not authorized") != std::string::npos);
  // the pending call learns why
  const auto call = Pair::find(p.a_events, Event::Kind::session_down);
  REQUIRE(call.has_value());
  CHECK(call->error->message.find("tunnel closed: tunnel authentication failed") != std::string::npos);
  CHECK_FALSE(Pair::find(p.a_events, Event::Kind::tunnel_up));
  p.run(Millis(40000), Millis(1000));
  CHECK(p.a->tunnel_count() == 0);
  CHECK(p.b->tunnel_count() == 0);
}

TEST_CASE("Secret on one side only: refused with result 4 and a message that says why") {
  SUBCASE("the LNS demands authentication, the LAC has no secret") {
    Pair p(lac_config(), with_secret(lns_config(), "s3cret"));
    REQUIRE(p.a->dial(p.b_addr).ok());
    p.run(Millis(2000));
    const auto a_down = Pair::find(p.a_events, Event::Kind::tunnel_down);
    REQUIRE(a_down.has_value());
    CHECK(a_down->error->code == "l2tp.auth");
    CHECK(a_down->error->message.find("no tunnel secret is configured") != std::string::npos);
    CHECK(Pair::find(p.b_events, Event::Kind::tunnel_down)->error->code == "l2tp.peer_stop");
  }
  SUBCASE("the LAC demands authentication, the LNS has no secret") {
    Pair p(with_secret(lac_config(), "s3cret"), lns_config());
    REQUIRE(p.a->dial(p.b_addr).ok());
    p.run(Millis(2000));
    // the LNS cannot answer the Challenge in SCCRQ
    const auto b_down = Pair::find(p.b_events, Event::Kind::tunnel_down);
    REQUIRE(b_down.has_value());
    CHECK(b_down->error->code == "l2tp.auth");
    const auto a_down = Pair::find(p.a_events, Event::Kind::tunnel_down);
    REQUIRE(a_down.has_value());
    CHECK(a_down->error->code == "l2tp.peer_stop");
    CHECK(wire::proto_result(a_down->error->proto) == 4);
  }
}

TEST_CASE("Dead peer: the link is cut after setup; both ends time out with HELLO and free the state") {
  auto a_cfg = lac_config();
  auto b_cfg = lns_config();
  a_cfg.hello_interval = Millis(10000);
  b_cfg.hello_interval = Millis(10000);
  Pair p(std::move(a_cfg), std::move(b_cfg));
  bring_up(p);
  p.run(Millis(500));  // the last acknowledgements
  p.link.cut = true;
  CHECK(p.run_until([&] {
    return Pair::find(p.a_events, Event::Kind::tunnel_down) && Pair::find(p.b_events, Event::Kind::tunnel_down);
  }, Millis(120000), Millis(250)));
  for (auto* evs : {&p.a_events, &p.b_events}) {
    const auto d = Pair::find(*evs, Event::Kind::tunnel_down);
    CHECK(d->error->code == "l2tp.timeout");
    CHECK(d->error->message.find("stopped responding") != std::string::npos);
    CHECK_MESSAGE(d->error->message.find("HELLO") != std::string::npos, d->error->message);
    const auto s = Pair::find(*evs, Event::Kind::session_down);
    REQUIRE(s.has_value());
    CHECK(s->error->code == "l2tp.timeout");
  }
  // HELLO after 10 s quiet, then 31 s of retransmissions
  CHECK(p.now <= Millis(10000 + 31000 + 2000));
  CHECK(p.a->tunnel_count() == 0);
  CHECK(p.b->tunnel_count() == 0);
}

TEST_CASE("HELLO keepalive on a quiet tunnel; an answering peer keeps it up") {
  auto a_cfg = lac_config();
  a_cfg.hello_interval = Millis(5000);
  Pair p(std::move(a_cfg), lns_config());
  const auto key = bring_up(p);
  p.run(Millis(60000), Millis(500));
  CHECK(p.a->tunnel(key.tunnel)->stats().hellos_sent >= 10);
  CHECK_FALSE(Pair::find(p.a_events, Event::Kind::tunnel_down));
  const auto kinds = p.link.kinds(true);
  CHECK(std::count(kinds.begin(), kinds.end(), "HELLO") >= 10);
}

TEST_CASE("A peer that never completes is timed out and its state freed") {
  SUBCASE("SCCRQ answered, then silence: the LNS drops the half-open tunnel") {
    Pair p(lac_config(), lns_config());
    REQUIRE(p.a->open_tunnel(p.b_addr).ok());
    // deliver the SCCRQ only; from now on the LAC hears nothing and says nothing
    REQUIRE(!p.link.empty());
    auto g = p.link.pop();
    p.b->receive(p.a_addr, g.bytes);
    p.link.cut = true;
    p.link.clear();
    CHECK(p.b->half_open_count() == 1);
    CHECK(p.run_until([&] { return p.b->tunnel_count() == 0 && p.a->tunnel_count() == 0; }, Millis(60000)));
    const auto d = Pair::find(p.b_events, Event::Kind::tunnel_down);
    REQUIRE(d.has_value());
    CHECK(d->error->code == "l2tp.timeout");
  }
  SUBCASE("SCCRP acknowledged but no SCCCN: the setup timer clears it") {
    auto b_cfg = lns_config();
    b_cfg.setup_timeout = Millis(10000);
    Pair p(lac_config(), std::move(b_cfg));
    REQUIRE(p.a->open_tunnel(p.b_addr).ok());
    // LAC -> LNS passes; LNS -> LAC passes only ZLBs... the LAC never sees SCCRP: it only
    // acknowledges (simulated by dropping everything but what the LNS needs to keep waiting)
    p.link.policy = [](const Datagram& g) { return g.to_b ? 1 : 0; };
    p.run(Millis(1500));
    CHECK(p.b->half_open_count() == 1);
    CHECK(p.run_until([&] { return p.b->tunnel_count() == 0; }, Millis(60000)));
    CHECK(Pair::find(p.b_events, Event::Kind::tunnel_down)->error->code == "l2tp.timeout");
    // the LAC gives up too (its SCCRQ is acknowledged by nobody it can hear)
    CHECK(p.run_until([&] { return p.a->tunnel_count() == 0; }, Millis(60000)));
  }
  SUBCASE("ICRP sent, no ICCN: the call is cleared with CDN result 10") {
    auto b_cfg = lns_config();
    b_cfg.setup_timeout = Millis(8000);
    Pair p(lac_config(), std::move(b_cfg));
    REQUIRE(p.a->open_tunnel(p.b_addr).ok());
    REQUIRE(p.run_until([&] { return Pair::find(p.b_events, Event::Kind::tunnel_up).has_value(); }));
    // the LAC's ICCN never arrives
    p.link.policy = [](const Datagram& g) { return g.to_b && kind_of(g.bytes) == "ICCN" ? 0 : 1; };
    REQUIRE(p.a->dial(p.b_addr).ok());
    CHECK(p.run_until([&] { return Pair::find(p.b_events, Event::Kind::session_down).has_value(); }, Millis(60000)));
    const auto d = Pair::find(p.b_events, Event::Kind::session_down);
    CHECK(d->error->code == "l2tp.timeout");
    CHECK(wire::proto_result(d->error->proto) == 10);
    CHECK(p.b->session_count() == 0);
    // the LAC hears the CDN
    CHECK(p.run_until([&] { return Pair::find(p.a_events, Event::Kind::session_down).has_value(); }));
    CHECK(Pair::find(p.a_events, Event::Kind::session_down)->error->code == "l2tp.peer_cdn");
  }
}

TEST_CASE("Loss, duplication and reordering on the link: tunnel and call still come up, data flows") {
  std::uint64_t retransmits = 0;
  for (unsigned seed : {11u, 12u, 13u}) {
    CAPTURE(seed);
    Pair p(with_secret(lac_config(), "k", true), with_secret(lns_config(), "k", true), seed);
    std::mt19937 loss(seed);
    p.link.policy = [&](const Datagram&) {
      const auto r = loss() % 10;
      return r < 2 ? 0 : r == 9 ? 2 : 1;  // 20 % lost, 10 % duplicated
    };
    p.link.reorder = true;
    const auto key = bring_up(p);
    const auto up_b = Pair::find(p.b_events, Event::Kind::session_up);
    for (int i = 0; i < 20; ++i) {
      REQUIRE(p.a->send_data(key, Bytes{0xff, 0x03, 0x00, 0x21, static_cast<std::uint8_t>(i)}).ok());
      REQUIRE(p.b->send_data(up_b->key, Bytes{0xff, 0x03, 0x00, 0x21, static_cast<std::uint8_t>(i)}).ok());
    }
    p.run(Millis(500));
    CHECK(Pair::count(p.b_events, Event::Kind::data) > 5);
    CHECK(Pair::count(p.a_events, Event::Kind::data) > 5);
    CHECK(Pair::count(p.a_events, Event::Kind::tunnel_up) == 1);
    CHECK(Pair::count(p.b_events, Event::Kind::tunnel_up) == 1);
    CHECK(p.b->tunnel_count() == 1);  // retransmitted SCCRQs did not create a second tunnel
    retransmits += p.a->tunnel(key.tunnel)->channel().stats().retransmits +
                   p.b->tunnel(up_b->key.tunnel)->channel().stats().retransmits;
  }
  CHECK(retransmits > 0);
}

TEST_CASE("Data sequencing: Ns in data messages, late and duplicated packets dropped") {
  auto a_cfg = lac_config();
  a_cfg.data_sequencing = true;  // Sequencing Required in ICCN
  Pair p(std::move(a_cfg), lns_config());
  const auto key = bring_up(p);
  const auto up_b = Pair::find(p.b_events, Event::Kind::session_up);
  CHECK(up_b->sequencing);  // the LNS must send Ns
  CHECK(Pair::find(p.a_events, Event::Kind::session_up)->sequencing);
  std::vector<Bytes> sent;
  p.link.policy = [&](const Datagram& g) {
    if (g.to_b && kind_of(g.bytes) == "DATA") sent.push_back(g.bytes);
    return g.to_b && kind_of(g.bytes) == "DATA" ? 0 : 1;
  };
  for (std::uint8_t i = 0; i < 3; ++i) REQUIRE(p.a->send_data(key, Bytes{0xff, 0x03, 0x00, 0x21, i}).ok());
  REQUIRE(sent.size() == 3);
  CHECK(to_hex(sent[0]).substr(0, 4) == "4802");  // L and S
  p.b->receive(p.a_addr, sent[0]);
  p.b->receive(p.a_addr, sent[2]);
  p.b->receive(p.a_addr, sent[1]);  // late
  p.b->receive(p.a_addr, sent[2]);  // duplicate
  std::vector<std::uint8_t> got;
  for (const auto& e : p.b_events)
    if (e.kind == Event::Kind::data) got.push_back(e.data.back());
  CHECK(got == std::vector<std::uint8_t>{0, 2});
  CHECK(p.b->tunnel(up_b->key.tunnel)->session(up_b->key.session)->stats.dropped_out_of_order == 2);
}

TEST_CASE("Outgoing call: OCRQ, OCRP, OCCN when the LAC accepts them; refused with CDN otherwise") {
  auto a_cfg = lac_config();
  a_cfg.accept_outgoing_calls = true;
  Pair p(std::move(a_cfg), lns_config());
  REQUIRE(p.a->open_tunnel(p.b_addr).ok());
  REQUIRE(p.run_until([&] { return Pair::find(p.b_events, Event::Kind::tunnel_up).has_value(); }));
  const auto tid = Pair::find(p.b_events, Event::Kind::tunnel_up)->key.tunnel;
  auto out = p.b->call_out(tid, "5550000");
  REQUIRE(out.ok());
  REQUIRE(p.run_until([&] {
    return Pair::find(p.a_events, Event::Kind::session_up) && Pair::find(p.b_events, Event::Kind::session_up);
  }));
  CHECK(Pair::find(p.a_events, Event::Kind::session_up)->call == l2tp::CallKind::outgoing);
  CHECK(Pair::find(p.a_events, Event::Kind::session_up)->lac);
  CHECK(Pair::find(p.b_events, Event::Kind::session_up)->key == *out);
  const auto kinds = p.link.kinds(true);
  CHECK(std::count(kinds.begin(), kinds.end(), "OCRP") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "OCCN") == 1);

  // a LAC that does not place calls answers with CDN result 5
  Pair q(lac_config(), lns_config());
  REQUIRE(q.a->open_tunnel(q.b_addr).ok());
  REQUIRE(q.run_until([&] { return Pair::find(q.b_events, Event::Kind::tunnel_up).has_value(); }));
  REQUIRE(q.b->call_out(Pair::find(q.b_events, Event::Kind::tunnel_up)->key.tunnel, "1").ok());
  REQUIRE(q.run_until([&] { return Pair::find(q.b_events, Event::Kind::session_down).has_value(); }));
  const auto d = Pair::find(q.b_events, Event::Kind::session_down);
  CHECK(d->error->code == "l2tp.peer_cdn");
  CHECK(wire::proto_result(d->error->proto) == 5);
}

TEST_CASE("Tie-breaker: both ends open a tunnel to each other at once; one tunnel survives, calls keep their keys") {
  auto a_cfg = lac_config();
  auto b_cfg = lns_config();
  Pair p(std::move(a_cfg), std::move(b_cfg), 5);
  auto ka = p.a->dial(p.b_addr);
  auto kb = p.b->dial(p.a_addr);
  REQUIRE(ka.ok());
  REQUIRE(kb.ok());
  REQUIRE(p.run_until([&] {
    return Pair::count(p.a_events, Event::Kind::session_up) == 2 && Pair::count(p.b_events, Event::Kind::session_up) == 2;
  }));
  CHECK(p.a->tunnel_count() == 1);
  CHECK(p.b->tunnel_count() == 1);
  CHECK(p.a->stats().tie_breaks + p.b->stats().tie_breaks >= 1);
  // the calls placed before the tie was broken kept their keys
  bool a_has = false, b_has = false;
  for (const auto& e : p.a_events) a_has = a_has || (e.kind == Event::Kind::session_up && e.key == *ka);
  for (const auto& e : p.b_events) b_has = b_has || (e.kind == Event::Kind::session_up && e.key == *kb);
  CHECK(a_has);
  CHECK(b_has);
  CHECK_FALSE(Pair::find(p.a_events, Event::Kind::tunnel_down));
  CHECK_FALSE(Pair::find(p.b_events, Event::Kind::tunnel_down));
}

TEST_CASE("Without tie breakers both tunnels are kept") {
  auto a_cfg = lac_config();
  auto b_cfg = lns_config();
  a_cfg.send_tie_breaker = false;
  b_cfg.send_tie_breaker = false;
  Pair p(std::move(a_cfg), std::move(b_cfg));
  REQUIRE(p.a->open_tunnel(p.b_addr).ok());
  REQUIRE(p.b->open_tunnel(p.a_addr).ok());
  p.run(Millis(1000));
  CHECK(p.a->tunnel_count() == 2);
  CHECK(p.b->tunnel_count() == 2);
}

TEST_CASE("Limits: SCCRQs beyond the tunnel limit get one stateless StopCCN; calls beyond the session limit a CDN") {
  auto b_cfg = lns_config();
  b_cfg.max_tunnels = 1;
  b_cfg.max_sessions = 1;
  Pair p(lac_config(), std::move(b_cfg));
  bring_up(p);
  auto second = p.a->dial(p.b_addr);  // same tunnel, second call
  REQUIRE(second.ok());
  REQUIRE(p.run_until([&] { return Pair::find(p.a_events, Event::Kind::session_down).has_value(); }));
  const auto d = Pair::find(p.a_events, Event::Kind::session_down);
  CHECK(d->error->code == "l2tp.peer_cdn");
  CHECK(wire::proto_result(d->error->proto) == 4);
  CHECK(wire::proto_error(d->error->proto) == 4);
  // another LAC's tunnel is refused
  auto other = addr("198.51.100.3");
  std::vector<Datagram> replies;
  l2tp::Node c(lac_config(), l2tp::Env{[&] { return p.now; }, [](std::uint8_t* b, std::size_t n) {
                                         for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i + 7);
                                       }},
               [&](const l2tp::PeerAddr&, ByteView dg) { replies.push_back(Datagram{true, Bytes(dg.begin(), dg.end())}); },
               [](const Event&) {});
  REQUIRE(c.open_tunnel(p.b_addr).ok());
  REQUIRE(replies.size() == 1);
  const std::size_t before = p.link.log.size();
  p.b->receive(other, replies[0].bytes);
  REQUIRE(p.link.log.size() == before + 1);
  CHECK(kind_of(p.link.log.back().bytes) == "StopCCN");
  auto m = wire::parse_control(p.link.log.back().bytes);
  auto a = wire::decode_attrs(m->avps);
  REQUIRE(a.ok());
  CHECK(a->result_code->result == 2);
  CHECK(a->result_code->error == std::uint16_t{4});
  CHECK(p.b->tunnel_count() == 1);
  CHECK(p.b->stats().refused_tunnels == 1);
}

TEST_CASE("Unknown mandatory AVPs: StopCCN 2/8 for a tunnel message, CDN 2/8 for a call message") {
  Pair p(lac_config(), lns_config());
  const auto key = bring_up(p);
  const auto up_b = Pair::find(p.b_events, Event::Kind::session_up);
  // a WEN for the call carrying an unknown M-bit AVP, written by hand with the right Ns/Nr
  const l2tp::Tunnel* ta = p.a->tunnel(key.tunnel);
  wire::L2tpControl bad{wire::L2tpHeader::control_header(up_b->key.tunnel, up_b->key.session, ta->channel().next_ns(),
                                                         ta->channel().expected_ns()),
                        {wire::Avp{true, false, 0, 0, 0, {0, 15}}, wire::Avp{true, false, 0, 0, 34, Bytes(26)},
                         wire::Avp{true, false, 0, 0, 250, {1}}}};
  p.b->receive(p.a_addr, wire::serialize_control(bad).value());
  p.run(Millis(200));
  const auto sd = Pair::find(p.b_events, Event::Kind::session_down);
  REQUIRE(sd.has_value());
  CHECK(sd->error->code == "l2tp.unknown_mandatory");
  const auto ad = Pair::find(p.a_events, Event::Kind::session_down);
  REQUIRE(ad.has_value());
  CHECK(wire::proto_result(ad->error->proto) == 2);
  CHECK(wire::proto_error(ad->error->proto) == 8);
  CHECK_FALSE(Pair::find(p.b_events, Event::Kind::tunnel_down));

  // and a HELLO with one: the whole tunnel goes (the LAC's Ns moved on by one: the WEN above
  // was never sent by a, so its channel still uses that Ns)
  wire::L2tpControl hello{wire::L2tpHeader::control_header(up_b->key.tunnel, 0, static_cast<std::uint16_t>(ta->channel().next_ns() + 1),
                                                           ta->channel().expected_ns()),
                          {wire::Avp{true, false, 0, 0, 0, {0, 6}}, wire::Avp{true, false, 0, 4242, 1, {}}}};
  p.b->receive(p.a_addr, wire::serialize_control(hello).value());
  p.run(Millis(500));
  const auto td = Pair::find(p.a_events, Event::Kind::tunnel_down);
  REQUIRE(td.has_value());
  CHECK(td->error->code == "l2tp.peer_stop");
  CHECK(wire::proto_error(td->error->proto) == 8);
}

TEST_CASE("xl2tpd quirks: StopCCN to tunnel 0 is honoured, an unknown tunnel's StopCCN gets a ZLB") {
  Pair p(lac_config(), lns_config());
  REQUIRE(p.a->open_tunnel(p.b_addr).ok());
  REQUIRE(p.run_until([&] { return Pair::find(p.b_events, Event::Kind::tunnel_up).has_value(); }));
  const auto b_tid = Pair::find(p.b_events, Event::Kind::tunnel_up)->key.tunnel;
  const l2tp::Tunnel* tb = p.b->tunnel(b_tid);
  // StopCCN addressed to tunnel 0 naming the LAC's tunnel in Assigned Tunnel ID
  wire::L2tpAttrs s;
  s.message_type = L2tpMsgType::stopccn;
  s.assigned_tunnel_id = tb->peer_id();
  s.result_code = wire::ResultCodeValue{1, std::nullopt, ""};
  auto d = wire::build_control(wire::L2tpHeader::control_header(0, 0, tb->channel().expected_ns(), tb->channel().next_ns()), s);
  p.b->receive(p.a_addr, d.value());
  p.pump();
  CHECK(Pair::find(p.b_events, Event::Kind::tunnel_down).has_value());
  // an unknown peer's StopCCN: one ZLB back, no state
  const std::size_t before = p.link.log.size();
  s.assigned_tunnel_id = 777;
  auto d2 = wire::build_control(wire::L2tpHeader::control_header(4242, 0, 3, 0), s);
  p.b->receive(addr("198.51.100.9"), d2.value());
  REQUIRE(p.link.log.size() == before + 1);
  CHECK(kind_of(p.link.log.back().bytes) == "ZLB");
  auto z = wire::parse_l2tp(p.link.log.back().bytes);
  CHECK(z->header.tunnel_id == 777);
  CHECK(z->header.nr == 4);
  // anything else for unknown tunnels, and data from the wrong address, is dropped silently
  const std::size_t before2 = p.link.log.size();
  wire::L2tpAttrs h;
  h.message_type = L2tpMsgType::hello;
  p.b->receive(addr("198.51.100.9"), wire::build_control(wire::L2tpHeader::control_header(999, 0, 0, 0), h).value());
  p.b->receive(addr("198.51.100.9"), wire::build_data(b_tid, 1, Bytes{0xff, 0x03, 0xc0, 0x21}, true).value());
  p.b->receive(p.a_addr, Bytes{0x00});
  CHECK(p.link.log.size() == before2);
  CHECK(p.b->stats().malformed == 1);
}

TEST_CASE("SLI from the LNS and WEN from the LAC reach the call") {
  Pair p(lac_config(), lns_config());
  const auto key = bring_up(p);
  const auto up_b = Pair::find(p.b_events, Event::Kind::session_up);
  REQUIRE(p.b->send_link_info(up_b->key, wire::AccmValue{0, 0xffffffff}).ok());
  REQUIRE(p.a->send_wan_errors(key, wire::CallErrors{1, 2, 3, 4, 5, 6}).ok());
  p.run(Millis(500));
  const auto* sa = p.a->tunnel(key.tunnel)->session(key.session);
  const auto* sb = p.b->tunnel(up_b->key.tunnel)->session(up_b->key.session);
  REQUIRE(sa->stats.accm.has_value());
  CHECK(sa->stats.accm->send == 0);
  REQUIRE(sb->stats.call_errors.has_value());
  CHECK(sb->stats.call_errors->alignment == 6);
  CHECK_FALSE(p.a->send_wan_errors(l2tp::SessionKey{key.tunnel, 1}, {}).ok());
  CHECK_FALSE(Pair::find(p.a_events, Event::Kind::session_down));
}

TEST_CASE("A long reason still goes out: the Error Message is cut to fit the Result Code AVP") {
  Pair p(lac_config(), lns_config());
  const auto key = bring_up(p);
  p.a->hang_up(key, wire::CdnResult::admin, std::string(5000, 'x'));
  p.run(Millis(500));
  const auto d = Pair::find(p.b_events, Event::Kind::session_down);
  REQUIRE(d);
  CHECK(d->error->message.find(std::string(l2tp::kMaxResultMessage, 'x')) != std::string::npos);
  CHECK(d->error->message.find(std::string(l2tp::kMaxResultMessage + 1, 'x')) == std::string::npos);
}

TEST_CASE("Shutdown: StopCCN result 6 on every tunnel") {
  Pair p(lac_config(), lns_config());
  bring_up(p);
  p.b->shutdown("server stopping");
  p.run(Millis(1000));
  const auto td = Pair::find(p.a_events, Event::Kind::tunnel_down);
  REQUIRE(td.has_value());
  CHECK(wire::proto_result(td->error->proto) == 6);
  CHECK(td->error->message.find("server stopping") != std::string::npos);
  CHECK(Pair::find(p.a_events, Event::Kind::session_down)->error->message.find("tunnel closed") != std::string::npos);
}

TEST_CASE("An event sink may call back into the node") {
  Pair p(lac_config(), lns_config());
  p.on_b = [&](const Event& e) {
    if (e.kind == Event::Kind::session_up) p.b->hang_up(e.key, wire::CdnResult::no_facilities_temp, "busy now");
  };
  REQUIRE(p.a->dial(p.b_addr).ok());
  REQUIRE(p.run_until([&] { return Pair::find(p.a_events, Event::Kind::session_down).has_value(); }));
  CHECK(wire::proto_result(Pair::find(p.a_events, Event::Kind::session_down)->error->proto) == 4);
  CHECK(p.b->session_count() == 0);
}
