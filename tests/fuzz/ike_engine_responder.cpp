// Fuzz target: whole datagrams into an IKEv1 engine acting as responder, with one phase-1
// and one phase-2 SA already established with a real initiator (so encrypted Informational
// and Quick Mode paths are reached when the input carries that SA's cookies). The policy
// allows Aggressive Mode, and a second peer completed one at setup (seeds genuine-am-*).
//   input[0] flags: bit 0 = overwrite the cookies with the established SA's; bit 1 = arrive on
//                   UDP 4500; bit 2 = advance the clock 10 s and run the timers; bit 3 = come
//                   from another source (address from input[1])
//   input[1..]: the datagram
// Properties (abort on violation): no crash; half-open state never exceeds its limit; no
// more than a few datagrams sent per datagram received (no amplification).
// IKE_FUZZ_DUMP=DIR writes the initiator's genuine messages there as seeds (genuine-N, and
// fresh-mm1/fresh-am1: message 1 with a new CKY-I); IKE_FUZZ_STATS=1 prints the engine's
// counters at exit (to see which paths the inputs reach). The seeds depend on the engine's use
// of its random source (cookies): regenerate them when that changes, e.g.
//   IKE_FUZZ_DUMP=tests/fuzz/corpus/ike_engine_responder build/bin/fuzz_ike_engine_responder --iterations 0 /dev/null
// (then drop genuine-am-*/raw-am-* if am1-genuine/am3-genuine and tests/fuzz/corpus/isakmp_message
// already hold them).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "ike/engine.h"

using namespace ipseckit;
using namespace ipseckit::ike;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "ike_engine_responder: %s\n", what);
  std::abort();
}

struct FuzzClock final : Clock {
  TimePoint t = TimePoint{} + std::chrono::hours(1);
  TimePoint now() const override { return t; }
};

struct FuzzRng final : Rng {
  explicit FuzzRng(std::uint64_t s) : gen(s) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(gen());
  }
  std::mt19937_64 gen;
};

// A deterministic stand-in for Diffie-Hellman (the shared secret is the XOR of both public
// values: symmetric, and the same in every run), so the genuine messages saved as seeds
// stay valid for the World built in the next run.
struct FakeKe final : KeyExchange {
  crypto::DhGroupId g;
  Bytes pub;
  crypto::DhGroupId group() const override { return g; }
  ByteView public_value() const override { return pub; }
  Result<SecureBytes> shared_secret(ByteView peer) const override {
    if (peer.size() != pub.size()) return Error::make("dh", "public value of the wrong length");
    std::vector<std::uint8_t> s(pub.size());
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(pub[i] ^ peer[i]);
    return SecureBytes(std::move(s));
  }
};
struct FakeDh final : DhFactory {
  std::mt19937_64 gen{7};
  Result<std::unique_ptr<KeyExchange>> create(crypto::DhGroupId g) override {
    auto k = std::make_unique<FakeKe>();
    k->g = g;
    k->pub.resize(128);
    for (auto& b : k->pub) b = static_cast<std::uint8_t>(gen());
    return std::unique_ptr<KeyExchange>(std::move(k));
  }
};

struct AnyPolicy final : PolicyView {
  MmPolicy mm;
  QmPolicy qm;
  std::optional<MmPolicy> main_mode(const wire::IpAddr&, const wire::IpAddr&) const override { return mm; }
  std::optional<QmPolicy> quick_mode(const wire::IpAddr&, const wire::IpAddr&, const TrafficSelector& ours,
                                     const TrafficSelector& theirs) const override {
    QmPolicy q = qm;
    q.local = ours;
    q.remote = theirs;
    return q;
  }
};

struct Datagram {
  Endpoint from, to;
  Bytes data;
};

struct Wire final : Transport {
  std::deque<Datagram> queue;
  std::size_t sent = 0;
  void send(const Endpoint& l, const Endpoint& r, ByteView d) override {
    ++sent;
    queue.push_back({l, r, Bytes(d.begin(), d.end())});
  }
};

constexpr std::size_t kMaxHalfOpen = 32;

struct World {
  FuzzClock clock;
  FuzzRng rng_a{1}, rng_b{2};
  FakeDh dh;
  InlineSecrets secrets;
  AnyPolicy policy;
  Wire wire;
  Endpoint ea{*wire::IpAddr::parse("198.51.100.1"), 500}, eb{*wire::IpAddr::parse("198.51.100.2"), 500};
  FuzzRng rng_c{3};
  AnyPolicy policy_am;
  Endpoint ec{*wire::IpAddr::parse("198.51.100.3"), 500};
  std::unique_ptr<Engine> a, b, c;
  isakmp::Cookie ci{}, cr{};
  std::vector<Bytes> seeds, am_seeds, am_raw;

  World() {
    log::set_sink([](log::Subsys, log::Level, std::string_view) {});
    policy::AuthMethod m;
    m.kind = policy::AuthKind::psk;
    m.psk = "fuzz";
    policy.mm.rule = "fuzz";
    policy.mm.offers = {{policy::Cipher::aes128, policy::Integrity::sha1, policy::DhGroup::modp1024, 28800, 0}};
    policy.mm.auth = {m};
    policy.mm.aggressive_responder = true;  // reach the Aggressive Mode responder (RFC 2409 5) too
    policy::QmOffer q;
    q.esp = policy::EspTransform{policy::Cipher::aes128, policy::Integrity::sha1};
    policy.qm.rule = "fuzz";
    policy.qm.offers = {q};
    policy.qm.tunnel = true;
    policy.qm.local = TrafficSelector{*wire::IpPrefix::parse("192.0.2.0/24")};
    policy.qm.remote = TrafficSelector{*wire::IpPrefix::parse("203.0.113.0/24")};
    EngineConfig cfg;
    cfg.dpd = false;  // keep the established SA whatever the clock does
    cfg.max_half_open = kMaxHalfOpen;
    cfg.max_half_open_per_peer = 8;
    a = std::make_unique<Engine>(cfg, EngineEnv{wire, clock, rng_a, dh, secrets, policy}, Callbacks{});
    b = std::make_unique<Engine>(cfg, EngineEnv{wire, clock, rng_b, dh, secrets, policy}, Callbacks{});
    if (!a->initiate(ea, eb, policy.qm).ok()) fail("setup: initiate");
    for (int i = 0; i < 100 && !wire.queue.empty(); ++i) {
      Datagram d = std::move(wire.queue.front());
      wire.queue.pop_front();
      if (d.to.addr == eb.addr) {
        seeds.push_back(d.data);
        b->receive(d.to, d.from, d.data);
      } else {
        a->receive(d.to, d.from, d.data);
      }
    }
    if (b->child_sas().size() != 1 || b->ike_sas().size() != 1) fail("setup: no SA established");
    ci = b->ike_sas().front()->cky_i();
    cr = b->ike_sas().front()->cky_r();
    // A genuine Aggressive Mode exchange from 198.51.100.3 (seeds genuine-am-*); it leaves a
    // second established IKE SA on b.
    policy_am = policy;
    policy_am.mm.aggressive_initiator = true;
    c = std::make_unique<Engine>(cfg, EngineEnv{wire, clock, rng_c, dh, secrets, policy_am}, Callbacks{});
    if (!c->initiate_phase1(ec, eb).ok()) fail("setup: initiate Aggressive Mode");
    for (int i = 0; i < 20 && !wire.queue.empty(); ++i) {
      Datagram d = std::move(wire.queue.front());
      wire.queue.pop_front();
      am_raw.push_back(d.data);
      if (d.to.addr == eb.addr) {
        am_seeds.push_back(d.data);
        b->receive(d.to, d.from, d.data);
      } else {
        c->receive(d.to, d.from, d.data);
      }
    }
    if (b->ike_sas().size() != 2) fail("setup: Aggressive Mode did not complete");
    if (const char* dir = std::getenv("IKE_FUZZ_DUMP")) {
      for (std::size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream f(std::string(dir) + "/genuine-" + std::to_string(i), std::ios::binary);
        f.put(0);
        f.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));  // NOLINT
      }
      for (std::size_t i = 0; i < am_seeds.size(); ++i) {
        // Flags 0: replayed as if from 198.51.100.1 (its CKY-I still names c's SA: "wrong peer").
        std::ofstream f(std::string(dir) + "/genuine-am-" + std::to_string(i), std::ios::binary);
        f.put(0);
        f.write(reinterpret_cast<const char*>(am_seeds[i].data()), static_cast<std::streamsize>(am_seeds[i].size()));  // NOLINT
      }
      // Message 1 of each mode with another CKY-I: the established SAs keep their own CKY-I
      // (with a zero CKY-R) to catch retransmitted message 1s, so only a new CKY-I starts a new
      // half-open exchange (RFC 2408 3.1) and reaches the responders' message-1 processing.
      for (const auto& [name, msg] : {std::pair{"fresh-mm1", &seeds.front()}, std::pair{"fresh-am1", &am_seeds.front()}}) {
        Bytes d = *msg;
        d[7] ^= 0xFF;  // last byte of CKY-I
        std::ofstream f(std::string(dir) + "/" + name, std::ios::binary);
        f.put(0);
        f.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));  // NOLINT
      }
      for (std::size_t i = 0; i < am_raw.size(); ++i) {
        // Both directions, without the flag byte (seeds for isakmp_message / ike_capture_decode).
        std::ofstream f(std::string(dir) + "/raw-am-" + std::to_string(i), std::ios::binary);
        f.write(reinterpret_cast<const char*>(am_raw[i].data()), static_cast<std::streamsize>(am_raw[i].size()));  // NOLINT
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  static const bool stats = [] {
    if (std::getenv("IKE_FUZZ_STATS"))
      std::atexit([] {
        const auto& s = w.b->stats();
        auto n = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
        std::fprintf(stderr, "received %llu malformed %llu unknown_sa %llu out_of_order %llu dup %llu replays %llu "
                     "bad_hash %llu unauth %llu evicted %llu refused %llu am_refused %llu stale %llu p1_failed %llu "
                     "p2_failed %llu fragments %llu sent %llu\n",
                     n(s.received), n(s.malformed), n(s.unknown_sa), n(s.out_of_order), n(s.duplicates), n(s.replays),
                     n(s.bad_hash), n(s.unauthenticated), n(s.half_open_evicted), n(s.half_open_refused),
                     n(s.aggressive_refused), n(s.stale_cookies), n(s.phase1_failed), n(s.phase2_failed),
                     n(s.fragments_received), n(w.wire.sent));
      });
    return true;
  }();
  (void)stats;
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  Bytes d(data + 1, data + size);
  if ((flags & 1) && d.size() >= 16) {
    std::copy(w.ci.begin(), w.ci.end(), d.begin());
    std::copy(w.cr.begin(), w.cr.end(), d.begin() + 8);
  }
  Endpoint local = w.eb, remote = w.ea;
  if (flags & 2) local.port = remote.port = kNatTPort;
  if (flags & 8) {
    const std::string a = "203.0.113." + std::to_string(data[1]);
    remote = Endpoint{*wire::IpAddr::parse(a), static_cast<std::uint16_t>(1024 + data[1])};
  }
  if (flags & 4) {
    w.clock.t += std::chrono::seconds(10);
    w.b->run_timers();
  }
  const std::size_t before = w.wire.sent;
  w.b->receive(local, remote, d);
  if (w.wire.sent - before > 4) fail("amplification: more than 4 datagrams sent for one received");
  w.wire.queue.clear();
  if (w.b->half_open() > kMaxHalfOpen) fail("half-open state above its limit");
  if (w.b->ike_sas().size() > kMaxHalfOpen + 2) fail("IKE SA table grows without bound");
  return 0;
}
