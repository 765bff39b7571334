// Two L2TP nodes in one process: an in-memory link that can lose, duplicate and reorder
// datagrams, a hand-driven clock and a seeded RNG (STYLE.md #10).
#pragma once

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/log.h"
#include "l2tp/node.h"
#include "wire/l2tp_message.h"

namespace ipseckit::testing {

using l2tp::Millis;

inline l2tp::PeerAddr addr(const char* ip, std::uint16_t port = 1701) {
  return l2tp::PeerAddr{*wire::IpAddr::parse(ip), port};
}

// Message type of an L2TP datagram, for link policies and assertions ("ZLB", "DATA", "SCCRQ").
inline std::string kind_of(ByteView d) {
  auto p = wire::parse_l2tp(d);
  if (!p) return "MALFORMED";
  if (!p->header.control) return "DATA";
  auto avps = wire::parse_avps(p->payload);
  if (!avps || avps->empty()) return avps ? "ZLB" : "MALFORMED";
  const auto& v = avps->front().value;
  if (v.size() != 2) return "?";
  return wire::name(static_cast<wire::L2tpMsgType>((v[0] << 8) | v[1]));
}

struct Datagram {
  bool to_b = false;
  Bytes bytes;
  bool to_peer = true;  // addressed to the other node of the pair (else only logged)
};

class Link {
 public:
  // A policy sees each datagram as it is sent and returns how many copies to deliver (0 = lost).
  std::function<int(const Datagram&)> policy;
  bool reorder = false;     // swap each pair of queued datagrams
  bool cut = false;         // nothing gets through
  std::vector<Datagram> log;  // everything sent, before the policy

  void send(bool to_b, ByteView d, bool to_peer = true) {
    Datagram g{to_b, Bytes(d.begin(), d.end()), to_peer};
    log.push_back(g);
    if (cut || !to_peer) return;
    const int copies = policy ? policy(g) : 1;
    for (int i = 0; i < copies; ++i) m_q.push_back(g);
  }
  bool empty() const { return m_q.empty(); }
  Datagram pop() {
    if (reorder && m_q.size() >= 2) std::swap(m_q[0], m_q[1]);
    Datagram g = std::move(m_q.front());
    m_q.pop_front();
    return g;
  }
  void clear() { m_q.clear(); }
  // The message types sent towards A or B, in order.
  std::vector<std::string> kinds(bool to_b) const {
    std::vector<std::string> out;
    for (const auto& g : log)
      if (g.to_b == to_b) out.push_back(kind_of(g.bytes));
    return out;
  }

 private:
  std::deque<Datagram> m_q;
};

class Pair {
 public:
  Millis now{0};
  Link link;
  l2tp::PeerAddr a_addr = addr("198.51.100.2");
  l2tp::PeerAddr b_addr = addr("198.51.100.1");
  std::vector<l2tp::Event> a_events, b_events;
  std::function<void(const l2tp::Event&)> on_a, on_b;  // extra hooks (PPP on top)
  std::function<void()> on_tick;                        // runs with the nodes' timers
  std::unique_ptr<l2tp::Node> a, b;

  Pair(l2tp::NodeConfig a_cfg, l2tp::NodeConfig b_cfg, unsigned seed = 1) : m_rng(seed) {
    quiet();
    auto env = [this] {
      return l2tp::Env{[this] { return now; },
                       [this](std::uint8_t* p, std::size_t n) {
                         for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(m_rng());
                       }};
    };
    a = std::make_unique<l2tp::Node>(
        std::move(a_cfg), env(), [this](const l2tp::PeerAddr& to, ByteView d) {
          link.send(true, d, to == b_addr);
        },
        [this](const l2tp::Event& e) {
          a_events.push_back(e);
          if (on_a) on_a(e);
        });
    b = std::make_unique<l2tp::Node>(
        std::move(b_cfg), env(), [this](const l2tp::PeerAddr& to, ByteView d) {
          link.send(false, d, to == a_addr);
        },
        [this](const l2tp::Event& e) {
          b_events.push_back(e);
          if (on_b) on_b(e);
        });
  }

  static void quiet() { log::set_sink([](log::Subsys, log::Level, std::string_view) {}); }

  // Delivers everything in flight (and what it provokes), bounded.
  void pump(int max = 10000) {
    while (!link.empty() && max-- > 0) {
      Datagram g = link.pop();
      if (g.to_b) b->receive(a_addr, g.bytes);
      else a->receive(b_addr, g.bytes);
    }
  }

  // Advances the clock in steps, running timers and delivering, for `duration`.
  void run(Millis duration, Millis step = Millis(50)) {
    const Millis end = now + duration;
    pump();
    while (now < end) {
      now = std::min(end, now + step);
      a->tick();
      b->tick();
      if (on_tick) on_tick();
      pump();
    }
  }

  // Runs until pred() or the time limit; returns whether pred() became true.
  bool run_until(const std::function<bool()>& pred, Millis limit = Millis(120000), Millis step = Millis(50)) {
    const Millis end = now + limit;
    pump();
    while (!pred()) {
      if (now >= end) return false;
      now += step;
      a->tick();
      b->tick();
      if (on_tick) on_tick();
      pump();
    }
    return true;
  }

  // A copy: the vectors grow while a test runs on.
  static std::optional<l2tp::Event> find(const std::vector<l2tp::Event>& evs, l2tp::Event::Kind k) {
    for (const auto& e : evs)
      if (e.kind == k) return e;
    return std::nullopt;
  }
  static std::size_t count(const std::vector<l2tp::Event>& evs, l2tp::Event::Kind k) {
    std::size_t n = 0;
    for (const auto& e : evs) n += e.kind == k ? 1 : 0;
    return n;
  }

  std::mt19937& rng() { return m_rng; }

 private:
  std::mt19937 m_rng;
};

inline l2tp::NodeConfig lac_config() {
  l2tp::NodeConfig c;
  c.host_name = "lac.test";
  c.accept_tunnels = true;
  return c;
}

inline l2tp::NodeConfig lns_config() {
  l2tp::NodeConfig c;
  c.host_name = "lns.test";
  return c;
}

}  // namespace ipseckit::testing
