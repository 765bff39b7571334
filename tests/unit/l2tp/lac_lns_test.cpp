// The whole stack in one process: an L2TP LAC and LNS with tunnel authentication and hidden
// AVPs, a call, and PPP on it (LCP, PAP / CHAP-MD5 / MS-CHAPv2, IPCP with a pool address and
// DNS), IP both ways, then CDN and StopCCN; and the failures the issue names (wrong password,
// wrong tunnel secret, dead peer) each ending in a specific error on both sides.
//
// The glue here is what the l2tpd daemon will do: one ppp::Link per L2TP session, frames
// between Link::send and Node::send_data / Event::data, Link down -> CDN, session down ->
// Link::lower_down.
#include <doctest/doctest.h>

#include <map>

#include "ppp/link.h"
#include "unit/l2tp/harness.h"
#include "unit/ppp/link_harness.h"

using namespace ipseckit;
using namespace ipseckit::testing;
using l2tp::Event;
using l2tp::Millis;
using ppp::AuthProtocol;
using ppp::LinkEvent;

namespace {

wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse_v4(s); }

struct Call {
  std::unique_ptr<ppp::Link> link;
  std::vector<LinkEvent> events;
  std::optional<Error> session_down;  // the L2TP side
};

// PPP over L2TP for both nodes of a Pair.
class Stack {
 public:
  Pair l2tp;
  ppp::MemoryUserDb users = test_users();
  ppp::AddressPool pool = std::move(ppp::AddressPool::create(ip("192.0.2.10"), ip("192.0.2.20")).value());
  std::map<l2tp::SessionKey, Call> lac, lns;
  std::function<ppp::LinkConfig()> client_cfg = [] { return client_config("User", "clientPass"); };
  std::function<ppp::LinkConfig()> server_cfg;

  Stack(l2tp::NodeConfig a, l2tp::NodeConfig b) : l2tp(std::move(a), std::move(b)) {
    server_cfg = [this] { return server_config(&users, &pool); };
    l2tp.on_a = [this](const Event& e) { on_event(*l2tp.a, lac, e, true); };
    l2tp.on_b = [this](const Event& e) { on_event(*l2tp.b, lns, e, false); };
    l2tp.on_tick = [this] {
      for (auto* calls : {&lac, &lns})
        for (auto& [k, c] : *calls)
          if (c.link) c.link->tick();
    };
  }

  Call* only(std::map<l2tp::SessionKey, Call>& calls) { return calls.size() == 1 ? &calls.begin()->second : nullptr; }
  bool ppp_up() {
    auto up = [](std::map<l2tp::SessionKey, Call>& m) {
      return m.size() == 1 && m.begin()->second.link && m.begin()->second.link->is_up();
    };
    return up(lac) && up(lns);
  }
  static std::optional<LinkEvent> down_of(const Call* c) {
    return c ? LinkPair::find(c->events, LinkEvent::Kind::down) : std::nullopt;
  }

 private:
  void on_event(l2tp::Node& node, std::map<l2tp::SessionKey, Call>& calls, const Event& e, bool client) {
    switch (e.kind) {
      case Event::Kind::session_up: {
        Call& c = calls[e.key];
        const auto key = e.key;
        c.link = std::make_unique<ppp::Link>(
            client ? client_cfg() : server_cfg(),
            ppp::Env{[this] { return l2tp.now; },
                     [this](std::uint8_t* p, std::size_t n) {
                       for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(l2tp.rng()());
                     }},
            [&node, key](ByteView frame) { (void)node.send_data(key, frame); },
            [&node, &calls, key](const LinkEvent& le) {
              calls[key].events.push_back(le);
              // PPP is over: clear the call with CDN, carrying PPP's reason
              if (le.kind == LinkEvent::Kind::down)
                node.hang_up(key, wire::CdnResult::admin, le.error ? le.error->message : "PPP down");
            });
        c.link->open();
        break;
      }
      case Event::Kind::data:
        if (auto it = calls.find(e.key); it != calls.end() && it->second.link) it->second.link->receive(e.data);
        break;
      case Event::Kind::session_down:
        if (auto it = calls.find(e.key); it != calls.end()) {
          it->second.session_down = e.error;
          if (it->second.link) it->second.link->lower_down();
        }
        break;
      default: break;
    }
  }
};

l2tp::NodeConfig secured(l2tp::NodeConfig c, const char* secret) {
  c.secret = SecureBytes(std::string_view(secret));
  c.hide_avps = true;
  return c;
}

Bytes ip_packet(std::uint8_t tag, std::size_t size = 60) {
  Bytes p(size, tag);
  p[0] = 0x45;
  return p;
}

}  // namespace

TEST_CASE("LAC <-> LNS: tunnel auth, hidden AVPs, call, PPP with each authentication, IP both ways, CDN, StopCCN") {
  for (auto proto : {AuthProtocol::mschap_v2, AuthProtocol::chap_md5, AuthProtocol::pap}) {
    CAPTURE(ppp::name(proto));
    Stack s(secured(lac_config(), "tunnel-secret"), secured(lns_config(), "tunnel-secret"));
    s.server_cfg = [&s, proto] { return server_config(&s.users, &s.pool, {proto}); };
    if (proto != AuthProtocol::mschap_v2) s.client_cfg = [] { return client_config("alice", "wonderland"); };
    auto key = s.l2tp.a->dial(s.l2tp.b_addr, "5550100");
    REQUIRE(key.ok());
    REQUIRE(s.l2tp.run_until([&] { return s.ppp_up(); }));
    Call* client = s.only(s.lac);
    Call* server = s.only(s.lns);
    REQUIRE(client);
    REQUIRE(server);
    CHECK(client->link->info().ip.local == ip("192.0.2.10"));
    CHECK(client->link->info().ip.dns1 == ip("198.51.100.53"));
    CHECK(server->link->info().auth == proto);
    CHECK(server->link->info().user == (proto == AuthProtocol::mschap_v2 ? "User" : "alice"));
    // the tunnel was authenticated and the call's AVPs hidden
    bool hidden = false;
    for (const auto& g : s.l2tp.link.log)
      if (kind_of(g.bytes) == "ICRQ") {
        auto m = wire::parse_control(g.bytes);
        for (const auto& avp : m->avps) hidden = hidden || avp.hidden;
      }
    CHECK(hidden);

    // IP both ways, through PPP and L2TP data messages
    for (std::uint8_t i = 0; i < 5; ++i) {
      REQUIRE(client->link->send_ip(ip_packet(i)).ok());
      REQUIRE(server->link->send_ip(ip_packet(static_cast<std::uint8_t>(100 + i), 1400)).ok());
    }
    s.l2tp.pump();
    std::vector<Bytes> at_server, at_client;
    for (const auto& e : server->events)
      if (e.kind == LinkEvent::Kind::ip) at_server.push_back(e.packet);
    for (const auto& e : client->events)
      if (e.kind == LinkEvent::Kind::ip) at_client.push_back(e.packet);
    REQUIRE(at_server.size() == 5);
    REQUIRE(at_client.size() == 5);
    CHECK(at_server[3] == ip_packet(3));
    CHECK(at_client[4] == ip_packet(104, 1400));
    const auto* lns_tunnel = s.l2tp.b->tunnel(s.lns.begin()->first.tunnel);
    CHECK(lns_tunnel->stats().data_in >= 5);

    // the user hangs up: PPP Terminate, then CDN from the LAC; then StopCCN
    client->link->close("user hung up");
    REQUIRE(s.l2tp.run_until([&] { return server->session_down.has_value() && client->session_down.has_value(); }));
    CHECK(Stack::down_of(server)->error->code == "ppp.terminated");
    CHECK(Stack::down_of(client)->error->message == "closed locally: user hung up");
    CHECK(s.pool.used() == 0);
    s.l2tp.a->close_tunnel(key->tunnel, wire::StopCcnResult::general_clear, "Goodbye!");
    REQUIRE(s.l2tp.run_until([&] { return s.l2tp.b->tunnel_count() == 0 && s.l2tp.a->tunnel_count() == 0; },
                             Millis(60000), Millis(500)));
    CHECK(Pair::find(s.l2tp.b_events, Event::Kind::tunnel_down)->error->message.find("Goodbye!") != std::string::npos);
  }
}

TEST_CASE("Wrong password: PPP says why on both sides, the CDN carries it to the L2TP peer") {
  Stack s(lac_config(), lns_config());
  s.client_cfg = [] { return client_config("User", "wrong"); };
  REQUIRE(s.l2tp.a->dial(s.l2tp.b_addr).ok());
  REQUIRE(s.l2tp.run_until([&] {
    return s.only(s.lac) && s.only(s.lac)->session_down && s.only(s.lns) && s.only(s.lns)->session_down;
  }));
  const auto c = Stack::down_of(s.only(s.lac));
  const auto v = Stack::down_of(s.only(s.lns));
  REQUIRE(c);
  REQUIRE(v);
  CHECK(c->error->code == "ppp.auth_failed");
  CHECK(c->error->proto == 691);
  CHECK(c->error->message.find("E=691 (authentication failure)") != std::string::npos);
  CHECK(v->error->code == "ppp.auth_failed");
  CHECK(v->error->message == "MS-CHAPv2: wrong password for user \"User\"");
  // both sides clear the call (their CDNs cross); each CDN carries its side's PPP reason
  CHECK(s.only(s.lac)->session_down->message.find("E=691") != std::string::npos);
  CHECK(s.only(s.lns)->session_down->message.find("wrong password") != std::string::npos);
  std::string cdn_text;
  for (const auto& g : s.l2tp.link.log) {
    if (kind_of(g.bytes) != "CDN") continue;
    auto m = wire::parse_control(g.bytes);
    auto a = wire::decode_attrs(m->avps);
    REQUIRE(a.ok());
    CHECK(a->result_code->result == static_cast<std::uint16_t>(wire::CdnResult::admin));
    cdn_text += a->result_code->message + " | ";
  }
  CHECK(cdn_text.find("wrong password for user") != std::string::npos);
  CHECK(cdn_text.find("E=691") != std::string::npos);
  CHECK(s.pool.used() == 0);
  CHECK(s.l2tp.a->session_count() == 0);
  CHECK(s.l2tp.b->session_count() == 0);
}

TEST_CASE("Wrong tunnel secret: no call, no PPP, l2tp.auth at the LAC and StopCCN result 4 at the LNS") {
  Stack s(secured(lac_config(), "one"), secured(lns_config(), "two"));
  REQUIRE(s.l2tp.a->dial(s.l2tp.b_addr).ok());
  s.l2tp.run(Millis(3000));
  CHECK(s.lac.empty());
  CHECK(s.lns.empty());
  CHECK(Pair::find(s.l2tp.a_events, Event::Kind::tunnel_down)->error->code == "l2tp.auth");
  const auto b = Pair::find(s.l2tp.b_events, Event::Kind::tunnel_down);
  REQUIRE(b);
  CHECK(b->error->code == "l2tp.peer_stop");
  CHECK(wire::proto_result(b->error->proto) == 4);
}

TEST_CASE("Dead peer after setup: PPP keepalive fails first, then the tunnel; every piece of state is freed") {
  auto a = lac_config();
  auto b = lns_config();
  a.hello_interval = Millis(20000);
  b.hello_interval = Millis(20000);
  Stack s(std::move(a), std::move(b));
  s.client_cfg = [] {
    auto c = client_config("User", "clientPass");
    c.echo_interval = Millis(5000);
    return c;
  };
  s.server_cfg = [&s] {
    auto c = server_config(&s.users, &s.pool);
    c.echo_interval = Millis(5000);
    return c;
  };
  REQUIRE(s.l2tp.a->dial(s.l2tp.b_addr).ok());
  REQUIRE(s.l2tp.run_until([&] { return s.ppp_up(); }));
  s.l2tp.run(Millis(1000));
  s.l2tp.link.cut = true;
  REQUIRE(s.l2tp.run_until([&] { return s.l2tp.a->tunnel_count() == 0 && s.l2tp.b->tunnel_count() == 0; },
                           Millis(180000), Millis(500)));
  CHECK(Stack::down_of(s.only(s.lac))->error->code == "ppp.echo_timeout");
  CHECK(Stack::down_of(s.only(s.lns))->error->code == "ppp.echo_timeout");
  CHECK(Pair::find(s.l2tp.a_events, Event::Kind::tunnel_down)->error->code == "l2tp.timeout");
  CHECK(Pair::find(s.l2tp.b_events, Event::Kind::tunnel_down)->error->code == "l2tp.timeout");
  CHECK(s.pool.used() == 0);
  CHECK_FALSE(s.l2tp.a->next_deadline().has_value());
  CHECK_FALSE(s.l2tp.b->next_deadline().has_value());
}
