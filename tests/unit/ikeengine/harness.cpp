#include "unit/ikeengine/harness.h"

#include <doctest/doctest.h>

namespace iketest {

Host::Host(Network& n, std::string nm, Endpoint a, std::uint64_t seed)
    : net(n), name(std::move(nm)), addr(a), rng(seed), transport(std::make_unique<MemTransport>(n)) {
  net.attach(*this);
}

namespace {

// The engine's lines go to the captured event lists, not to stderr.
[[maybe_unused]] const bool g_quiet = [] {
  log::set_sink([](log::Subsys, log::Level, std::string_view) {});
  log::set_level(log::Level::priv);
  return true;
}();

Phase1Info clone(const Phase1Info& i) {
  Phase1Info c;
  c.id = i.id;
  c.cky_i = i.cky_i;
  c.cky_r = i.cky_r;
  c.local = i.local;
  c.remote = i.remote;
  c.initiator = i.initiator;
  c.rule = i.rule;
  c.encryption = i.encryption;
  c.key_length = i.key_length;
  c.hash = i.hash;
  c.group = i.group;
  c.auth = i.auth;
  c.local_id = i.local_id;
  c.peer_id = i.peer_id;
  c.life_seconds = i.life_seconds;
  c.life_kilobytes = i.life_kilobytes;
  c.nat_local = i.nat_local;
  c.nat_remote = i.nat_remote;
  c.aggressive = i.aggressive;
  c.encryption_key = i.encryption_key.clone();
  return c;
}

}  // namespace

void Host::start() {
  Callbacks cb;
  cb.phase1_up = [this](const Phase1Info& i) { p1_up.push_back(clone(i)); };
  cb.phase1_down = [this](const Phase1Info&, std::string_view r) { p1_down.emplace_back(r); };
  cb.phase2_up = [this](const Phase2Info& i) {
    Phase2Info c;
    c.id = i.id;
    c.phase1_id = i.phase1_id;
    c.local = i.local;
    c.remote = i.remote;
    c.initiator = i.initiator;
    c.rule = i.rule;
    c.mode = i.mode;
    c.tunnel = i.tunnel;
    c.udp_encap = i.udp_encap;
    c.local_ts = i.local_ts;
    c.remote_ts = i.remote_ts;
    c.pfs_group = i.pfs_group;
    c.life_seconds = i.life_seconds;
    c.life_kilobytes = i.life_kilobytes;
    c.nat_oa_peer = i.nat_oa_peer;
    for (const auto& p : i.protos) {
      ChildProto q;
      q.protocol = p.protocol;
      q.spi_in = p.spi_in;
      q.spi_out = p.spi_out;
      q.transform = p.transform;
      q.key_length = p.key_length;
      q.auth = p.auth;
      q.enc_in = p.enc_in.clone();
      q.integ_in = p.integ_in.clone();
      q.enc_out = p.enc_out.clone();
      q.integ_out = p.integ_out.clone();
      c.protos.push_back(std::move(q));
    }
    p2_up.push_back(std::move(c));
  };
  cb.phase2_down = [this](const Phase2Info& i, std::string_view r) { p2_down.emplace_back(i.id, std::string(r)); };
  cb.phase2_moved = [this](const Phase2Info& i) { p2_moved.emplace_back(i.id, i.remote); };
  cb.event = [this](const LogEvent& e) { log.push_back(e.text); };
  engine = std::make_unique<Engine>(cfg, EngineEnv{*transport, net.clock, rng, dh, secrets, policy, &creds}, std::move(cb));
}

bool Host::logged(const std::string& needle) const {
  for (const auto& l : log)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

std::string Host::log_text() const {
  std::string s;
  for (const auto& l : log) s += l + "\n";
  return s;
}

std::size_t Network::run(std::size_t limit) {
  std::size_t n = 0;
  while (!queue.empty() && n < limit) {
    Datagram d = std::move(queue.front());
    queue.pop_front();
    ++n;
    if (filter && !filter(d)) continue;
    auto it = hosts.find(d.to.str());
    if (it == hosts.end() || !it->second->engine) continue;
    it->second->engine->receive(d.to, d.from, d.data);
  }
  return n;
}

void Network::elapse(Millis total, Millis step) {
  for (Millis t{0}; t < total; t += step) {
    clock.advance(step);
    for (auto& [k, h] : hosts)
      if (h->engine) h->engine->run_timers();
    run();
  }
}

Pair::Pair(policy::MmOffer mm, std::vector<policy::QmOffer> qm, bool tunnel) {
  for (Host* h : {&a, &b}) {
    MmPolicy m;
    m.rule = "gw";
    m.offers = {mm};
    m.auth = {psk("correct horse battery staple")};
    h->policy.mm = m;
  }
  QmPolicy qa;
  qa.rule = "gw";
  qa.offers = qm;
  qa.tunnel = tunnel;
  if (tunnel) {
    qa.local = TrafficSelector{pfx("192.0.2.0/24")};
    qa.remote = TrafficSelector{pfx("203.0.113.0/24")};
  } else {
    qa.local = TrafficSelector::host(a.addr.addr);
    qa.remote = TrafficSelector::host(b.addr.addr);
  }
  QmPolicy qb = qa;
  std::swap(qb.local, qb.remote);
  a.policy.qm = qa;
  b.policy.qm = qb;
}

std::uint64_t Pair::initiate() {
  auto r = a.engine->initiate(a.addr, b.addr, *a.policy.qm);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace iketest
