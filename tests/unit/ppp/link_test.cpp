// PPP client and server links in one process: LCP, PAP / CHAP-MD5 / MS-CHAPv2, IPCP with a
// pool, static addresses and DNS, keepalive, loopback, Protocol-Reject, failures and their
// errors on both sides.
#include <doctest/doctest.h>

#include "crypto/mschap.h"
#include "unit/ppp/link_harness.h"
#include "wire/ppp_cp.h"
#include "wire/ppp_frame.h"

using namespace ipseckit;
using namespace ipseckit::testing;
using ppp::AuthProtocol;
using ppp::LinkEvent;
using ppp::Millis;

namespace {

wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse_v4(s); }

ppp::AddressPool pool(const char* a, const char* b) {
  auto p = ppp::AddressPool::create(ip(a), ip(b));
  REQUIRE(p.ok());
  return std::move(p.value());
}

// An IPv4 header-only packet (the link does not look inside).
Bytes ip_packet(std::uint8_t tag) {
  Bytes p(20, 0);
  p[0] = 0x45;
  p[3] = 20;
  p[19] = tag;
  return p;
}

std::optional<wire::CpPacket> lcp_of(const Bytes& frame, std::uint16_t protocol = 0xC021) {
  auto f = wire::parse_ppp_frame(frame);
  if (!f || f->protocol != protocol) return std::nullopt;
  auto p = wire::parse_cp(f->info);
  if (!p) return std::nullopt;
  return *p;
}

}  // namespace

TEST_CASE("MS-CHAPv2: LCP, authentication, IPCP with a pool address and DNS, IP both ways") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("User", "clientPass"), server_config(&users, &addrs));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  const auto& ci = lp.client->info();
  const auto& si = lp.server->info();
  CHECK(si.user == "User");
  CHECK(si.auth == AuthProtocol::mschap_v2);
  CHECK(ci.auth == AuthProtocol::mschap_v2);
  CHECK(ci.ip.local == ip("192.0.2.10"));
  CHECK(ci.ip.peer == ip("192.0.2.1"));
  CHECK(ci.ip.dns1 == ip("198.51.100.53"));
  CHECK(ci.ip.dns2 == ip("198.51.100.54"));
  CHECK(si.ip.peer == ip("192.0.2.10"));
  CHECK(si.ip.local == ip("192.0.2.1"));
  CHECK(addrs.in_use(ip("192.0.2.10")));
  // both ends derive the same RFC 3079 master key
  REQUIRE(ci.mppe_master_key.has_value());
  CHECK(ci.mppe_master_key == si.mppe_master_key);
  CHECK(ci.lcp.peer_mru == 1400);
  CHECK(si.lcp.peer_mru == 1400);
  CHECK(lp.client->phase() == ppp::Phase::network);

  REQUIRE(lp.client->send_ip(ip_packet(1)).ok());
  REQUIRE(lp.server->send_ip(ip_packet(2)).ok());
  lp.pump();
  auto at_server = LinkPair::find(lp.server_events, LinkEvent::Kind::ip);
  auto at_client = LinkPair::find(lp.client_events, LinkEvent::Kind::ip);
  REQUIRE(at_server);
  REQUIRE(at_client);
  CHECK(at_server->packet == ip_packet(1));
  CHECK(at_client->packet == ip_packet(2));
  // FF 03 00 21 on the wire
  CHECK(to_hex(lp.client_sent.back()).substr(0, 8) == "ff030021");
  CHECK_FALSE(lp.client->send_ip(Bytes(1401, 0)).ok());

  // the server ends the call: Terminate-Request, both down, the address goes back to the pool
  lp.server->close("administrator");
  REQUIRE(lp.run_until([&] { return lp.both_down(); }));
  CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->code == "ppp.closed");
  const auto cdown = LinkPair::find(lp.client_events, LinkEvent::Kind::down);
  CHECK(cdown->error->code == "ppp.terminated");
  CHECK(addrs.used() == 0);
  CHECK(lp.client->is_dead());
  CHECK_FALSE(lp.client->next_deadline().has_value());
}

TEST_CASE("CHAP-MD5 and PAP bring the link up too") {
  for (auto proto : {AuthProtocol::chap_md5, AuthProtocol::pap}) {
    CAPTURE(ppp::name(proto));
    auto users = test_users();
    auto addrs = pool("192.0.2.10", "192.0.2.20");
    LinkPair lp(client_config("alice", "wonderland"), server_config(&users, &addrs, {proto}));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_up(); }));
    CHECK(lp.server->info().user == "alice");
    CHECK(lp.server->info().auth == proto);
    CHECK_FALSE(lp.client->info().mppe_master_key.has_value());
  }
}

TEST_CASE("The authenticator follows the client's Nak to a protocol it also allows") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("alice", "wonderland", {AuthProtocol::pap}),
              server_config(&users, &addrs, {AuthProtocol::mschap_v2, AuthProtocol::chap_md5, AuthProtocol::pap}));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  CHECK(lp.server->info().auth == AuthProtocol::pap);
}

TEST_CASE("No authentication protocol in common: a specific error on both sides") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("alice", "wonderland", {AuthProtocol::pap}), server_config(&users, &addrs, {AuthProtocol::mschap_v2}));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_down(); }));
  CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->code == "ppp.no_auth");
  CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->message.find("it proposed PAP") != std::string::npos);
  CHECK(LinkPair::find(lp.client_events, LinkEvent::Kind::down)->error->code == "ppp.terminated");
}

TEST_CASE("Wrong password: E=691 at the client, the user named at the server, both down") {
  SUBCASE("MS-CHAPv2") {
    auto users = test_users();
    auto addrs = pool("192.0.2.10", "192.0.2.20");
    LinkPair lp(client_config("User", "clientPasS"), server_config(&users, &addrs));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_down(); }));
    const auto c = LinkPair::find(lp.client_events, LinkEvent::Kind::down);
    const auto s = LinkPair::find(lp.server_events, LinkEvent::Kind::down);
    CHECK(c->error->code == "ppp.auth_failed");
    CHECK(c->error->proto == 691);
    CHECK(c->error->message == "MS-CHAPv2: the server refused user \"User\": E=691 (authentication failure), "
                               "\"Authentication failure\"");
    CHECK(s->error->code == "ppp.auth_failed");
    CHECK(s->error->message == "MS-CHAPv2: wrong password for user \"User\"");
    CHECK(addrs.used() == 0);
    CHECK_FALSE(LinkPair::find(lp.client_events, LinkEvent::Kind::up));
  }
  SUBCASE("CHAP-MD5") {
    auto users = test_users();
    auto addrs = pool("192.0.2.10", "192.0.2.20");
    LinkPair lp(client_config("alice", "wonderlanD"), server_config(&users, &addrs, {AuthProtocol::chap_md5}));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_down(); }));
    CHECK(LinkPair::find(lp.client_events, LinkEvent::Kind::down)->error->message ==
          "CHAP-MD5: the server refused user \"alice\": Access denied");
    CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->message ==
          "CHAP-MD5: wrong password for user \"alice\"");
  }
  SUBCASE("PAP, unknown user") {
    auto users = test_users();
    auto addrs = pool("192.0.2.10", "192.0.2.20");
    LinkPair lp(client_config("eve", "x"), server_config(&users, &addrs, {AuthProtocol::pap}));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_down(); }));
    CHECK(LinkPair::find(lp.client_events, LinkEvent::Kind::down)->error->message ==
          "PAP: the server refused user \"eve\": Login incorrect");
    CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->message == "PAP: unknown user \"eve\"");
  }
}

TEST_CASE("A server that does not know the password cannot fake the MS-CHAPv2 Success") {
  // The "server" accepts any NT-Response (a rogue authenticator): the client's check of the
  // "S=" authenticator response refuses it.
  auto users = test_users();
  ppp::MemoryUserDb rogue_db;
  rogue_db.add(ppp::UserEntry{"User", "*", SecureBytes(std::string_view("not the password")), std::nullopt, false});
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("User", "clientPass"), server_config(&rogue_db, &addrs));
  // make the rogue server's verdict "Success" by rewriting its Failure into a Success whose
  // authenticator response is computed from the wrong password
  lp.drop = [&](const Bytes& f, bool to_server) {
    if (to_server) return false;
    auto p = lcp_of(f, 0xC223);
    if (p && p->code == 4) {
      wire::CpPacket success{3, p->id, {}};
      const std::string s = "S=0000000000000000000000000000000000000000 M=ok";
      success.data.assign(s.begin(), s.end());
      lp.to_client.push_back(wire::serialize_ppp_frame(0xC223, wire::serialize_cp(success).value()));
      return true;
    }
    return false;
  };
  lp.open();
  REQUIRE(lp.run_until([&] { return LinkPair::find(lp.client_events, LinkEvent::Kind::down).has_value(); }));
  CHECK(LinkPair::find(lp.client_events, LinkEvent::Kind::down)->error->message.find("does not verify") !=
        std::string::npos);
}

TEST_CASE("Static per-user addresses; \"-\" refuses an address; an exhausted pool") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.10");
  {
    LinkPair lp(client_config("bob", "pass word"), server_config(&users, &addrs));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_up(); }));
    CHECK(lp.client->info().ip.local == ip("192.0.2.77"));
    CHECK(addrs.in_use(ip("192.0.2.77")));
    // the same user twice: the static address is taken
    LinkPair second(client_config("bob", "pass word"), server_config(&users, &addrs));
    second.open();
    REQUIRE(second.run_until([&] { return second.both_down(); }));
    CHECK(LinkPair::find(second.server_events, LinkEvent::Kind::down)->error->message ==
          "address 192.0.2.77 of user \"bob\" is already in use");
  }
  CHECK(addrs.used() == 0);  // released when the link went away
  {
    LinkPair lp(client_config("mallory", "x"), server_config(&users, &addrs));
    lp.open();
    REQUIRE(lp.run_until([&] { return lp.both_down(); }));
    CHECK(LinkPair::find(lp.server_events, LinkEvent::Kind::down)->error->code == "ppp.no_address");
  }
  LinkPair one(client_config("alice", "wonderland"), server_config(&users, &addrs));
  one.open();
  REQUIRE(one.run_until([&] { return one.both_up(); }));
  LinkPair two(client_config("User", "clientPass"), server_config(&users, &addrs));
  two.open();
  REQUIRE(two.run_until([&] { return two.both_down(); }));
  const auto d = LinkPair::find(two.server_events, LinkEvent::Kind::down);
  CHECK(d->error->code == "ppp.no_address");
  CHECK(d->error->message == "the address pool is exhausted (1 addresses in use)");
}

TEST_CASE("DNS and NBNS (RFC 1877): rejected when not configured, given when configured") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  auto client = client_config("alice", "wonderland");
  client.ipcp.request_nbns = true;
  auto server = server_config(&users, &addrs);
  server.ipcp.dns2.reset();
  LinkPair lp(std::move(client), std::move(server));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  CHECK(lp.client->info().ip.dns1 == ip("198.51.100.53"));
  CHECK_FALSE(lp.client->info().ip.dns2.has_value());
  CHECK_FALSE(lp.client->info().ip.nbns1.has_value());

  auto client2 = client_config("alice", "wonderland");
  client2.ipcp.request_nbns = true;
  auto server2 = server_config(&users, &addrs);
  server2.ipcp.nbns1 = ip("192.0.2.139");
  LinkPair lp2(std::move(client2), std::move(server2));
  lp2.open();
  REQUIRE(lp2.run_until([&] { return lp2.both_up(); }));
  CHECK(lp2.client->info().ip.nbns1 == ip("192.0.2.139"));
}

TEST_CASE("A Windows-style LCP request: multilink and callback options are rejected, the rest acknowledged") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("alice", "wonderland"), server_config(&users, &addrs));
  lp.server->open();
  lp.server_sent.clear();
  // MRU 1400, ACCM 0, Magic, PFC, ACFC, Callback (6 = CBCP), MRRU 1614, Endpoint Discriminator
  const std::string rejected = "0d0306" "1104064e" "131701" + std::string(40, '0');
  Bytes opts;
  REQUIRE(from_hex("01040578 020600000000 050612345678 0702 0802" + rejected, opts));
  auto req = wire::serialize_cp(wire::CpPacket{1, 1, opts});
  lp.server->receive(wire::serialize_ppp_frame(0xC021, req.value()));
  REQUIRE_FALSE(lp.server_sent.empty());
  auto reply = lcp_of(lp.server_sent.back());
  REQUIRE(reply);
  CHECK(reply->code == 4);  // Configure-Reject
  CHECK(to_hex(reply->data) == rejected);
  // without those, acknowledged as sent
  Bytes rest;
  REQUIRE(from_hex("01040578 020600000000 050612345678 0702 0802", rest));
  lp.server->receive(wire::serialize_ppp_frame(0xC021, wire::serialize_cp(wire::CpPacket{1, 2, rest}).value()));
  reply = lcp_of(lp.server_sent.back());
  REQUIRE(reply);
  CHECK(reply->code == 2);
  CHECK(reply->data == rest);
}

TEST_CASE("Unknown protocols get a Protocol-Reject; packets of later phases are discarded") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("User", "clientPass"), server_config(&users, &addrs));
  // IPCP and IP before LCP is open: discarded silently
  lp.server->open();
  lp.server->receive(wire::serialize_ppp_frame(0x8021, Bytes{1, 1, 0, 4}));
  lp.server->receive(wire::serialize_ppp_frame(0x0021, ip_packet(3)));
  CHECK(lp.server->stats().discarded == 2);
  lp.client->open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  // CCP (Windows asks for MPPE) and IPV6CP
  lp.server_sent.clear();
  lp.server->receive(wire::serialize_ppp_frame(0x80FD, Bytes{1, 1, 0, 10, 0x12, 6, 0, 0, 0, 1}));
  REQUIRE(lp.server_sent.size() == 1);
  auto pr = lcp_of(lp.server_sent.back());
  REQUIRE(pr);
  CHECK(pr->code == 8);
  CHECK(to_hex(pr->data) == "80fd" "0101000a120600000001");
  CHECK(lp.server->stats().protocol_rejects_sent == 1);
  // the peer rejecting a protocol we sent is harmless unless it is LCP or IPCP
  lp.client->receive(wire::serialize_ppp_frame(0xC021, wire::serialize_cp({8, 9, {0x80, 0x57, 1, 1, 0, 4}}).value()));
  CHECK(lp.client->is_up());
}

TEST_CASE("Keepalive: a peer that stops answering Echo-Requests is declared dead on both sides") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  auto c = client_config("User", "clientPass");
  auto s = server_config(&users, &addrs);
  c.echo_interval = Millis(5000);
  s.echo_interval = Millis(5000);
  LinkPair lp(std::move(c), std::move(s));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  // echoes are answered for a while
  lp.run_until([] { return false; }, Millis(30000), Millis(500));
  CHECK_FALSE(LinkPair::find(lp.client_events, LinkEvent::Kind::down));
  lp.cut = true;
  REQUIRE(lp.run_until([&] { return lp.both_down(); }, Millis(120000), Millis(500)));
  for (auto* evs : {&lp.client_events, &lp.server_events}) {
    const auto d = LinkPair::find(*evs, LinkEvent::Kind::down);
    CHECK(d->error->code == "ppp.echo_timeout");
    CHECK(d->error->message == "the peer did not answer 4 LCP Echo-Requests");
  }
  CHECK(addrs.used() == 0);
}

TEST_CASE("Loopback: our own Magic-Number keeps coming back") {
  log::set_sink([](log::Subsys, log::Level, std::string_view) {});
  std::mt19937 rng(3);
  Millis now{0};
  std::deque<Bytes> loop;
  std::vector<LinkEvent> events;
  auto cfg = client_config("alice", "wonderland");
  ppp::Link self(std::move(cfg),
                 ppp::Env{[&] { return now; },
                          [&](std::uint8_t* p, std::size_t n) {
                            for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng());
                          }},
                 [&](ByteView f) { loop.emplace_back(f.begin(), f.end()); },
                 [&](const LinkEvent& e) { events.push_back(e); });
  self.open();
  for (int i = 0; i < 2000 && events.empty(); ++i) {
    while (!loop.empty()) {
      Bytes f = std::move(loop.front());
      loop.pop_front();
      self.receive(f);
    }
    now += Millis(100);
    self.tick();
  }
  REQUIRE_FALSE(events.empty());
  CHECK(events.back().kind == LinkEvent::Kind::down);
  CHECK(events.back().error->code == "ppp.loopback");
}

TEST_CASE("The carrier goes away: down with ppp.lower_down; a dead link stays dead") {
  auto users = test_users();
  auto addrs = pool("192.0.2.10", "192.0.2.20");
  LinkPair lp(client_config("User", "clientPass"), server_config(&users, &addrs));
  lp.open();
  REQUIRE(lp.run_until([&] { return lp.both_up(); }));
  lp.server->lower_down();
  const auto d = LinkPair::find(lp.server_events, LinkEvent::Kind::down);
  REQUIRE(d);
  CHECK(d->error->code == "ppp.lower_down");
  CHECK(addrs.used() == 0);
  CHECK_FALSE(lp.server->send_ip(ip_packet(1)).ok());
  lp.server->open();  // no effect
  lp.server->receive(wire::serialize_ppp_frame(0xC021, Bytes{1, 1, 0, 4}));
  CHECK(lp.server->is_dead());
}

TEST_CASE("20 % of frames lost each way: retransmissions still bring the link up") {
  for (unsigned seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    auto users = test_users();
    auto addrs = pool("192.0.2.10", "192.0.2.20");
    LinkPair lp(client_config("User", "clientPass"), server_config(&users, &addrs), seed);
    std::mt19937 loss(seed * 31);
    lp.drop = [&](const Bytes&, bool) { return loss() % 5 == 0; };
    lp.open();
    const bool up = lp.run_until([&] { return lp.both_up(); }, Millis(120000));
    INFO("client: " << (lp.client->failure() ? lp.client->failure()->message : "-")
                    << "; server: " << (lp.server->failure() ? lp.server->failure()->message : "-"));
    REQUIRE(up);
    CHECK(lp.client->info().ip.local == ip("192.0.2.10"));
  }
}
