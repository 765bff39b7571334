// Shared by the PPP fuzz targets (tests/fuzz/ppp_*.cpp): a client and a server Link wired
// through a queue the target can filter, a hand-driven clock, a fixed RNG, and the checks that
// hold whatever the input: the links end dead when the carrier goes, and every address taken
// from the pool comes back. No doctest here: the fuzz binaries link only libcore.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include "base/log.h"
#include "ppp/link.h"
#include "wire/ppp_frame.h"

namespace ipseckit::fuzzing {

class PppFuzz {
 public:
  ppp::Millis now{0};
  ppp::MemoryUserDb users;
  ppp::AddressPool pool = std::move(ppp::AddressPool::create(*wire::IpAddr::parse_v4("192.0.2.10"),
                                                             *wire::IpAddr::parse_v4("192.0.2.11"))
                                        .value());
  std::deque<std::pair<bool, Bytes>> q;  // (to server, frame)
  // Frames of the real peers for which this returns true are dropped (the fuzzer speaks instead).
  std::function<bool(bool to_server, std::uint16_t protocol)> drop;
  std::unique_ptr<ppp::Link> client, server;

  PppFuzz(std::vector<ppp::AuthProtocol> auth, ppp::AuthProtocol client_auth) {
    static const bool quiet = [] {
      log::set_sink([](log::Subsys, log::Level, std::string_view) {});
      log::set_level(log::Level::audit);  // nothing is shown: do not format what nobody reads
      return true;
    }();
    (void)quiet;
    users.add(ppp::UserEntry{"User", "*", SecureBytes(std::string_view("clientPass")), std::nullopt, false});
    users.add(ppp::UserEntry{"bob", "*", SecureBytes(std::string_view("x")), *wire::IpAddr::parse_v4("192.0.2.99"), false});
    ppp::LinkConfig s;
    s.role = ppp::Role::server;
    s.lcp.require_auth = std::move(auth);
    s.users = &users;
    s.pool = &pool;
    s.ipcp.local = *wire::IpAddr::parse_v4("192.0.2.1");
    s.ipcp.dns1 = *wire::IpAddr::parse_v4("198.51.100.53");
    s.echo_interval = ppp::Millis(5000);
    s.auth.max_tries = 3;
    ppp::LinkConfig c;
    c.role = ppp::Role::client;
    c.lcp.accept_auth = {client_auth};
    c.user = "User";
    c.password = SecureBytes(std::string_view("clientPass"));
    c.ipcp.request_nbns = true;
    c.echo_interval = ppp::Millis(5000);
    c.auth.max_tries = 3;
    server = make(std::move(s), true);
    client = make(std::move(c), false);
  }

  static std::uint16_t protocol_of(ByteView frame) {
    auto f = wire::parse_ppp_frame(frame);
    return f ? f->protocol : 0;
  }

  void pump() {
    for (int i = 0; i < 1000 && !q.empty(); ++i) {
      auto [to_server, f] = std::move(q.front());
      q.pop_front();
      (to_server ? server : client)->receive(f);
    }
  }

  void run(ppp::Millis d, ppp::Millis step) {
    const ppp::Millis end = now + d;
    while (now < end) {
      now += step;
      client->tick();
      server->tick();
      pump();
    }
  }

  // Feeds the fuzz records: [flags][len8][bytes]. flags bit 0: to the client (else the
  // server); bit 1: a raw frame (else the bytes are a packet wrapped in FF 03 + `protocol`);
  // bit 2: give the packet the Identifier the target last sent in this protocol (so answers
  // match a request); bits 3-7: then advance the clock by that many 250 ms steps.
  void feed(ByteReader& r, std::uint16_t protocol) {
    for (int n = 0; n < 32 && r.remaining() >= 2; ++n) {
      const std::uint8_t flags = r.u8();
      const std::size_t len = r.u8();
      ByteView v = r.bytes(std::min(len, r.remaining()));
      const bool to_client = (flags & 1) != 0;
      Bytes packet(v.begin(), v.end());
      if ((flags & 4) && packet.size() >= 2) packet[1] = m_last_id[to_client ? 0 : 1][protocol];
      const Bytes frame = (flags & 2) ? packet : wire::serialize_ppp_frame(protocol, packet);
      (to_client ? client : server)->receive(frame);
      pump();
      if (flags >> 3) run(ppp::Millis(250) * (flags >> 3), ppp::Millis(250));
      if (pool.used() > 2) std::abort();  // at most the one lease (plus a static) per link
    }
  }

  // The carrier goes: both links must end, and the pool must get its addresses back.
  void finish() {
    client->lower_down();
    server->lower_down();
    if (!client->is_dead() || !server->is_dead() || client->next_deadline() || server->next_deadline()) std::abort();
    client.reset();
    server.reset();
    if (pool.used() != 0) std::abort();
  }

 private:
  std::unique_ptr<ppp::Link> make(ppp::LinkConfig cfg, bool is_server) {
    return std::make_unique<ppp::Link>(
        std::move(cfg),
        ppp::Env{[this] { return now; },
                 [this](std::uint8_t* p, std::size_t n) {
                   for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(m_rng());
                 }},
        [this, is_server](ByteView f) {
          const bool to_server = !is_server;
          if (auto pf = wire::parse_ppp_frame(f); pf && pf->info.size() >= 2)
            m_last_id[is_server ? 1 : 0][pf->protocol] = pf->info[1];
          if (drop && drop(to_server, protocol_of(f))) return;
          if (q.size() < 512) q.emplace_back(to_server, Bytes(f.begin(), f.end()));
        },
        [](const ppp::LinkEvent&) {});
  }
  std::mt19937 m_rng{1};
  std::map<std::uint16_t, std::uint8_t> m_last_id[2];  // [0] client, [1] server: protocol -> Identifier
};

}  // namespace ipseckit::fuzzing
