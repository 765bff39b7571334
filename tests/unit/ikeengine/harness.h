// Two (or more) IKE engines in one process: an in-memory network with a hand-driven clock,
// a deterministic RNG, a fixed policy and captured events. Packets can be dropped, duplicated,
// rewritten or held back by hooks, so the tests drive every failure by hand.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ike/engine.h"
#include "ike/env.h"
#include "ike/policy_view.h"

namespace iketest {

using namespace ipseckit;
using namespace ipseckit::ike;

inline wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse(s); }
inline wire::IpPrefix pfx(const char* s) { return *wire::IpPrefix::parse(s); }

class TestClock final : public Clock {
 public:
  TimePoint now() const override { return m_now; }
  void advance(Millis d) { m_now += d; }

 private:
  TimePoint m_now = TimePoint{} + std::chrono::hours(1);
};

class TestRng final : public Rng {
 public:
  explicit TestRng(std::uint64_t seed) : m_gen(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(m_gen());
  }

 private:
  std::mt19937_64 m_gen;
};

class FixedPolicy final : public PolicyView {
 public:
  std::optional<MmPolicy> mm;
  std::optional<QmPolicy> qm;  // responder: accepted when the proposal lies within its selectors
  std::optional<MmPolicy> main_mode(const wire::IpAddr&, const wire::IpAddr&) const override { return mm; }
  std::optional<QmPolicy> quick_mode(const wire::IpAddr&, const wire::IpAddr&, const TrafficSelector& ours,
                                     const TrafficSelector& theirs) const override {
    if (!qm || !ours.within(qm->local) || !theirs.within(qm->remote)) return std::nullopt;
    QmPolicy q = *qm;
    q.local = ours;
    q.remote = theirs;
    return q;
  }
};

struct Datagram {
  Endpoint from, to;
  Bytes data;
};

class Network;

// One host: its engine plus everything injected into it and everything it reported.
struct Host {
  Host(Network& net, std::string name, Endpoint addr, std::uint64_t seed);
  Network& net;
  std::string name;
  Endpoint addr;
  TestRng rng;
  OpenSslDh dh;
  InlineSecrets secrets;
  StaticCredentials creds;
  FixedPolicy policy;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<Engine> engine;
  EngineConfig cfg;

  std::vector<Phase1Info> p1_up;
  std::vector<std::string> p1_down;
  std::vector<Phase2Info> p2_up;
  std::vector<std::pair<std::uint64_t, std::string>> p2_down;
  std::vector<std::pair<std::uint64_t, Endpoint>> p2_moved;
  std::vector<std::string> log;

  void start();  // builds the engine from cfg (call after changing cfg)
  bool logged(const std::string& needle) const;
  std::string log_text() const;
};

class Network {
 public:
  TestClock clock;
  std::deque<Datagram> queue;
  std::vector<Datagram> sent;  // everything ever sent, in order
  std::map<std::string, Host*> hosts;  // by Endpoint::str()
  // Called for each datagram about to be delivered; return false to drop it.
  std::function<bool(Datagram&)> filter;

  // A host listens on UDP 500 and 4500 of its address.
  void attach(Host& h) {
    hosts[Endpoint{h.addr.addr, kIkePort}.str()] = &h;
    hosts[Endpoint{h.addr.addr, kNatTPort}.str()] = &h;
  }
  void detach(Host& h) {
    hosts.erase(Endpoint{h.addr.addr, kIkePort}.str());
    hosts.erase(Endpoint{h.addr.addr, kNatTPort}.str());
  }
  void send(const Endpoint& from, const Endpoint& to, ByteView data) {
    Datagram d{from, to, Bytes(data.begin(), data.end())};
    sent.push_back(d);
    queue.push_back(std::move(d));
  }
  // Delivers queued datagrams (and whatever they cause) until the network is quiet.
  std::size_t run(std::size_t limit = 1000);
  // Advances the clock in steps, running timers and the network, for `total`.
  void elapse(Millis total, Millis step = Millis(500));
};

class MemTransport final : public Transport {
 public:
  explicit MemTransport(Network& n) : m_net(n) {}
  void send(const Endpoint& local, const Endpoint& remote, ByteView datagram) override { m_net.send(local, remote, datagram); }

 private:
  Network& m_net;
};

// ---- policies used by most tests

inline policy::AuthMethod psk(const char* key) {
  policy::AuthMethod m;
  m.kind = policy::AuthKind::psk;
  m.psk = key;
  return m;
}

inline policy::QmOffer esp(policy::Cipher c, policy::Integrity i, bool pfs = false,
                           policy::DhGroup g = policy::DhGroup::none) {
  policy::QmOffer o;
  o.esp = policy::EspTransform{c, i};
  o.pfs.enabled = pfs;
  o.pfs.group = g;
  return o;
}

// gw-a 198.51.100.1 (subnet 192.0.2.0/24) <-> gw-b 198.51.100.2 (subnet 203.0.113.0/24).
struct Pair {
  Network net;
  Host a{net, "a", Endpoint{ip("198.51.100.1"), 500}, 1};
  Host b{net, "b", Endpoint{ip("198.51.100.2"), 500}, 2};

  explicit Pair(policy::MmOffer mm = {policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0},
                std::vector<policy::QmOffer> qm = {esp(policy::Cipher::aes128, policy::Integrity::sha1)},
                bool tunnel = true);
  void start() {
    a.start();
    b.start();
  }
  // a initiates; returns the IKE SA id.
  std::uint64_t initiate();
};

}  // namespace iketest
