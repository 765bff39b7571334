// Two PPP links (client and server) wired back to back through queues, with a hand-driven
// clock and a seeded RNG.
#pragma once

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <random>

#include "base/log.h"
#include "ppp/link.h"

namespace ipseckit::testing {

inline ppp::MemoryUserDb test_users() {
  auto db = ppp::parse_chap_secrets(
      "# client server secret addresses\n"
      "User * clientPass *\n"
      "alice * wonderland\n"
      "bob ipseckit \"pass word\" 192.0.2.77\n"
      "mallory * x -\n");
  REQUIRE(db.ok());
  return std::move(db.value());
}

inline ppp::LinkConfig server_config(const ppp::UserDb* users, ppp::AddressPool* pool,
                                     std::vector<ppp::AuthProtocol> auth = {ppp::AuthProtocol::mschap_v2}) {
  ppp::LinkConfig c;
  c.role = ppp::Role::server;
  c.name = "ipseckit";
  c.lcp.require_auth = std::move(auth);
  c.users = users;
  c.pool = pool;
  c.ipcp.local = *wire::IpAddr::parse_v4("192.0.2.1");
  c.ipcp.dns1 = *wire::IpAddr::parse_v4("198.51.100.53");
  c.ipcp.dns2 = *wire::IpAddr::parse_v4("198.51.100.54");
  return c;
}

inline ppp::LinkConfig client_config(std::string user, std::string password,
                                     std::vector<ppp::AuthProtocol> accept = {ppp::AuthProtocol::mschap_v2,
                                                                              ppp::AuthProtocol::chap_md5,
                                                                              ppp::AuthProtocol::pap}) {
  ppp::LinkConfig c;
  c.role = ppp::Role::client;
  c.lcp.accept_auth = std::move(accept);
  c.user = std::move(user);
  c.password = SecureBytes(std::string_view(password));
  c.ipcp.request_dns = true;
  return c;
}

class LinkPair {
 public:
  ppp::Millis now{0};
  std::deque<Bytes> to_client, to_server;
  std::vector<ppp::LinkEvent> client_events, server_events;
  std::vector<Bytes> client_sent, server_sent;  // every frame, for inspection
  bool cut = false;
  std::function<bool(const Bytes&, bool to_server)> drop;  // true = lost
  std::unique_ptr<ppp::Link> client, server;

  LinkPair(ppp::LinkConfig c, ppp::LinkConfig s, unsigned seed = 7) : m_rng(seed) {
    log::set_sink([](log::Subsys, log::Level, std::string_view) {});
    auto env = [this] {
      return ppp::Env{[this] { return now; },
                      [this](std::uint8_t* p, std::size_t n) {
                        for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(m_rng());
                      }};
    };
    client = std::make_unique<ppp::Link>(
        std::move(c), env(),
        [this](ByteView f) {
          client_sent.emplace_back(f.begin(), f.end());
          if (!cut && !(drop && drop(client_sent.back(), true))) to_server.emplace_back(f.begin(), f.end());
        },
        [this](const ppp::LinkEvent& e) { client_events.push_back(e); });
    server = std::make_unique<ppp::Link>(
        std::move(s), env(),
        [this](ByteView f) {
          server_sent.emplace_back(f.begin(), f.end());
          if (!cut && !(drop && drop(server_sent.back(), false))) to_client.emplace_back(f.begin(), f.end());
        },
        [this](const ppp::LinkEvent& e) { server_events.push_back(e); });
  }

  void pump(int max = 10000) {
    while ((!to_client.empty() || !to_server.empty()) && max-- > 0) {
      if (!to_server.empty()) {
        Bytes f = std::move(to_server.front());
        to_server.pop_front();
        server->receive(f);
      }
      if (!to_client.empty()) {
        Bytes f = std::move(to_client.front());
        to_client.pop_front();
        client->receive(f);
      }
    }
  }

  void open() {
    server->open();
    client->open();
    pump();
  }

  bool run_until(const std::function<bool()>& pred, ppp::Millis limit = ppp::Millis(120000),
                 ppp::Millis step = ppp::Millis(100)) {
    const ppp::Millis end = now + limit;
    pump();
    while (!pred()) {
      if (now >= end) return false;
      now += step;
      client->tick();
      server->tick();
      pump();
    }
    return true;
  }

  static std::optional<ppp::LinkEvent> find(const std::vector<ppp::LinkEvent>& evs, ppp::LinkEvent::Kind k) {
    for (const auto& e : evs)
      if (e.kind == k) return e;
    return std::nullopt;
  }
  bool both_up() const {
    return find(client_events, ppp::LinkEvent::Kind::up).has_value() &&
           find(server_events, ppp::LinkEvent::Kind::up).has_value();
  }
  bool both_down() const {
    return find(client_events, ppp::LinkEvent::Kind::down).has_value() &&
           find(server_events, ppp::LinkEvent::Kind::down).has_value();
  }

 private:
  std::mt19937 m_rng;
};

}  // namespace ipseckit::testing
