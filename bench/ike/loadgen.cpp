// bench_ike_loadgen: many concurrent IKEv1 Main Mode + Quick Mode initiators (libcore/ike's
// engine, PSK) against one responder over real UDP, for bench/ike/run.sh.
//
//   bench_ike_loadgen --target ADDR --sources FIRST-LAST --group modp2048|ecp256 --psk KEY
//                     [--qm transport|tunnel|none] [--inflight N] [--warmup S] [--seconds S]
//                     [--pid PID]... [--keep] [--cipher aes128|3des] [--hash sha1|sha256]
//   bench_ike_loadgen --dh-bound --group modp2048|ecp256 [--seconds S]
//   bench_ike_loadgen --floor-responder --listen ADDR --group modp2048|ecp256
//   bench_ike_loadgen --floor --target ADDR --sources FIRST-LAST --group modp2048|ecp256
//                     [--inflight N] [--warmup S] [--seconds S] [--pid PID]...
//
// One engine plays every initiator: each source address (bound on UDP 500 and 4500) starts
// negotiations in turn, so the responder's per-source half-open limit is never reached, and N
// are kept in flight. A negotiation is one Main Mode plus one Quick Mode (RFC 2409 5.5, no
// PFS, ESP AES-128/SHA-1, selectors: the source host <-> the target host; --qm tunnel asks
// for tunnel mode, --qm none stops after Main Mode); it counts as complete when the Quick
// Mode SA is established on the initiator's side. Its phase-2 SA and then its IKE SA are
// deleted at once (RFC 2408 4.8 Delete, as a client logging off would), so the responder's
// state stays bounded; a negotiation not complete after 10 s counts as failed. The
// initiator reuses ONE Diffie-Hellman key pair per group (the responder's cost is what is
// measured; it still computes a fresh shared secret per handshake, as it must to
// authenticate); the responder makes a fresh key pair per handshake as usual.
// Measured after the warm-up: completed Main Modes, wall seconds, and the responder's CPU
// seconds (utime + stime of every --pid, /proc/PID/stat, all threads), so the result is
// "handshakes per responder-CPU-second". Output: one line of key=value on stdout.
// --dh-bound prints the DH bound (dh_bound.h) the same way; --floor-responder and --floor are the
// floor responder and its initiator (floor.h). Exit 0 ok, 1 failure, 2 usage.
#include <sys/epoll.h>

#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "dh_bound.h"
#include "floor.h"
#include "ike/engine.h"
#include "measure.h"
#include "sys/udp_socket.h"

namespace {

using namespace ipseckit;

struct Options {
  wire::IpAddr target;
  std::uint32_t first = 0, last = 0;
  policy::DhGroup group = policy::DhGroup::modp2048;
  policy::Cipher cipher = policy::Cipher::aes128;
  policy::Integrity hash = policy::Integrity::sha1;
  std::string psk;
  unsigned inflight = 32;
  double warmup = 2, seconds = 10;
  std::vector<int> pids;
  bool keep = false, dh_bound = false, floor = false, floor_responder = false;
  wire::IpAddr listen;
  enum class Qm { none, transport, tunnel } qm = Qm::transport;
};

[[noreturn]] void usage(const std::string& why) {
  fmt::print(stderr, "bench_ike_loadgen: {}\n", why);
  std::exit(2);
}

// One cached key pair per group (see the header comment).
class ReusedKey final : public ike::KeyExchange {
 public:
  explicit ReusedKey(std::shared_ptr<const crypto::DhGroup> k) : m_k(std::move(k)) {}
  crypto::DhGroupId group() const override { return m_k->id(); }
  ByteView public_value() const override { return m_k->public_value(); }
  Result<SecureBytes> shared_secret(ByteView peer) const override { return m_k->shared_secret(peer); }

 private:
  std::shared_ptr<const crypto::DhGroup> m_k;
};

class ReusedDh final : public ike::DhFactory {
 public:
  Result<std::unique_ptr<ike::KeyExchange>> create(crypto::DhGroupId g) override {
    auto& k = m_keys[static_cast<int>(g)];
    if (!k) {
      auto fresh = crypto::DhGroup::generate(g);
      if (!fresh) return std::move(fresh).error();
      k = std::make_shared<const crypto::DhGroup>(std::move(*fresh));
    }
    return std::unique_ptr<ike::KeyExchange>(std::make_unique<ReusedKey>(k));
  }

 private:
  std::unordered_map<int, std::shared_ptr<const crypto::DhGroup>> m_keys;
};

class FixedPolicy final : public ike::PolicyView {
 public:
  explicit FixedPolicy(ike::MmPolicy p) : m_p(std::move(p)) {}
  std::optional<ike::MmPolicy> main_mode(const wire::IpAddr&, const wire::IpAddr&) const override { return m_p; }
  std::optional<ike::QmPolicy> quick_mode(const wire::IpAddr&, const wire::IpAddr&, const ike::TrafficSelector&,
                                          const ike::TrafficSelector&) const override {
    return std::nullopt;
  }

 private:
  ike::MmPolicy m_p;
};

std::uint64_t key_of(const wire::IpAddr& a, std::uint16_t port) { return (std::uint64_t{a.v4_value()} << 16) | port; }

// A socket on UDP 500 and one on 4500 per source address; the engine's sends pick by local endpoint.
class Sockets final : public ike::Transport {
 public:
  std::vector<sys::UdpSocket> socks;
  std::unordered_map<std::uint64_t, std::size_t> by_local;
  std::uint64_t send_errors = 0;
  void send(const ike::Endpoint& local, const ike::Endpoint& remote, ByteView d) override {
    auto it = by_local.find(key_of(local.addr, local.port));
    if (it == by_local.end() || !socks[it->second].send_to(d, sys::Endpoint{remote.addr, remote.port})) ++send_errors;
  }
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after '" + a + "'");
      return argv[++i];
    };
    if (a == "--target") {
      auto t = wire::IpAddr::parse_v4(val());
      if (!t) usage("--target: not an IPv4 address: '" + std::string(argv[i]) + "'");
      o.target = *t;
    } else if (a == "--sources") {
      const std::string v = val();
      const auto dash = v.find('-');
      auto f = wire::IpAddr::parse_v4(v.substr(0, dash));
      auto l = dash == std::string::npos ? f : wire::IpAddr::parse_v4(v.substr(dash + 1));
      if (!f || !l || l->v4_value() < f->v4_value()) usage("--sources: not FIRST-LAST: '" + v + "'");
      o.first = f->v4_value();
      o.last = l->v4_value();
    } else if (a == "--group") {
      const std::string v = val();
      if (v == "modp2048") o.group = policy::DhGroup::modp2048;
      else if (v == "ecp256") o.group = policy::DhGroup::ecp256;
      else usage("--group: unknown group '" + v + "' (modp2048, ecp256)");
    } else if (a == "--cipher") {
      const std::string v = val();
      if (v == "aes128") o.cipher = policy::Cipher::aes128;
      else if (v == "3des") o.cipher = policy::Cipher::des3;
      else usage("--cipher: unknown cipher '" + v + "'");
    } else if (a == "--hash") {
      const std::string v = val();
      if (v == "sha1") o.hash = policy::Integrity::sha1;
      else if (v == "sha256") o.hash = policy::Integrity::sha256;
      else usage("--hash: unknown hash '" + v + "'");
    } else if (a == "--qm") {
      const std::string v = val();
      if (v == "transport") o.qm = Options::Qm::transport;
      else if (v == "tunnel") o.qm = Options::Qm::tunnel;
      else if (v == "none") o.qm = Options::Qm::none;
      else usage("--qm: unknown mode '" + v + "' (transport, tunnel, none)");
    } else if (a == "--psk") {
      o.psk = val();
    } else if (a == "--inflight") {
      o.inflight = static_cast<unsigned>(std::stoul(val()));
    } else if (a == "--warmup") {
      o.warmup = std::stod(val());
    } else if (a == "--seconds") {
      o.seconds = std::stod(val());
    } else if (a == "--pid") {
      o.pids.push_back(std::stoi(val()));
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--dh-bound") {
      o.dh_bound = true;
    } else if (a == "--floor") {
      o.floor = true;
    } else if (a == "--floor-responder") {
      o.floor_responder = true;
    } else if (a == "--listen") {
      auto l = wire::IpAddr::parse_v4(val());
      if (!l) usage("--listen: not an IPv4 address: '" + std::string(argv[i]) + "'");
      o.listen = *l;
    } else {
      usage("unknown option '" + a + "'");
    }
  }
  if (o.dh_bound) return o;
  if (o.floor_responder) {
    if (o.listen.is_unspecified()) usage("--floor-responder needs --listen ADDR");
    return o;
  }
  if (o.floor) {
    if (o.target.is_unspecified() || o.first == 0 || o.inflight == 0)
      usage("--floor needs --target, --sources and a positive --inflight");
    return o;
  }
  if (o.target.is_unspecified() || o.first == 0 || o.psk.empty() || o.inflight == 0)
    usage("--target, --sources, --psk and a positive --inflight are required");
  return o;
}

int dh_bound(const Options& o) {
  const char* name = o.group == policy::DhGroup::modp2048 ? "modp_2048" : "P-256";
  const auto b = bench::measure_dh_bound(name, o.seconds);
  fmt::print("dh_bound group={} openssl_group={} keygen_plus_derive_per_cpu_s={:.1f} n={}\n",
             o.group == policy::DhGroup::modp2048 ? "modp2048" : "ecp256", name, b.per_second, b.count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.dh_bound) return dh_bound(o);
  const bool ecp = o.group == policy::DhGroup::ecp256;
  if (o.floor_responder) return bench::floor_responder(o.listen, ecp);
  if (o.floor) return bench::floor_initiator({o.target, o.first, o.last, ecp, o.inflight, o.warmup, o.seconds, o.pids});
  log::set_level(log::Level::audit);
  log::set_sink([](log::Subsys, log::Level, std::string_view) {});  // failures are counted below

  Sockets net;
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (std::uint32_t a = o.first; a <= o.last; ++a)
    for (std::uint16_t port : {ike::kIkePort, ike::kNatTPort}) {
      sys::UdpOptions so;
      so.bind = {wire::IpAddr::v4(a), port};
      so.rcvbuf = so.sndbuf = 1 << 20;
      auto s = sys::UdpSocket::open(so);
      if (!s) {
        fmt::print(stderr, "bench_ike_loadgen: UDP {}:{}: {}\n", wire::IpAddr::v4(a).str(), port, s.error().message);
        return 1;
      }
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = net.socks.size();
      epoll_ctl(ep, EPOLL_CTL_ADD, s->fd(), &ev);
      net.by_local[key_of(wire::IpAddr::v4(a), port)] = net.socks.size();
      net.socks.push_back(std::move(*s));
    }

  ike::MmPolicy pol;
  pol.rule = "loadgen";
  pol.offers = {policy::MmOffer{o.cipher, o.hash, o.group, 28800, 0}};
  policy::AuthMethod m;
  m.kind = policy::AuthKind::psk;
  m.psk = o.psk;
  pol.auth = {m};
  FixedPolicy policy(pol);
  ike::SystemClock clock;
  ike::OsRng rng;
  ReusedDh dh;
  ike::InlineSecrets secrets;
  ike::EngineConfig cfg;
  cfg.dpd = false;
  cfg.fragmentation = false;
  const bool with_qm = o.qm != Options::Qm::none;
  policy::QmOffer qm_offer;  // ESP AES-128/SHA-1, no PFS
  qm_offer.esp = policy::EspTransform{policy::Cipher::aes128, policy::Integrity::sha1};
  std::uint64_t completed = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> established;  // (IKE SA, phase-2 SA or 0)
  ike::Callbacks cb;
  cb.phase1_up = [&](const ike::Phase1Info& i) {
    if (with_qm) return;
    ++completed;
    established.emplace_back(i.id, 0);
  };
  cb.phase2_up = [&](const ike::Phase2Info& i) {
    if (!i.initiator) return;
    ++completed;
    established.emplace_back(i.phase1_id, i.id);
  };
  ike::Engine engine(cfg, ike::EngineEnv{net, clock, rng, dh, secrets, policy}, std::move(cb));

  std::map<std::uint64_t, double> inflight;  // IKE SA id -> start time
  std::uint64_t failed = 0, started = 0;
  std::uint32_t next_src = o.first;
  std::array<std::uint8_t, 65536> buf{};
  std::array<epoll_event, 64> evs{};
  bench::Meter meter(o.pids, o.warmup, o.seconds);
  double last_sweep = bench::mono();
  for (;;) {
    const double now = bench::mono();
    if (!meter.running(completed, failed)) break;
    while (inflight.size() < o.inflight) {
      const ike::Endpoint local{wire::IpAddr::v4(next_src), ike::kIkePort};
      next_src = next_src == o.last ? o.first : next_src + 1;
      const ike::Endpoint remote{o.target, ike::kIkePort};
      ike::QmPolicy q;
      q.rule = "loadgen";
      q.offers = {qm_offer};
      q.tunnel = o.qm == Options::Qm::tunnel;
      q.local = ike::TrafficSelector::host(local.addr);
      q.remote = ike::TrafficSelector::host(o.target);
      // Not initiate(local, remote, q): that joins any IKE SA with the target's address.
      auto id = engine.initiate_phase1(local, remote);
      if (id && with_qm) {
        if (auto st = engine.initiate_on(*id, std::move(q)); !st) id = st.error();
      }
      if (!id) {
        fmt::print(stderr, "bench_ike_loadgen: initiate: {}\n", id.error().message);
        return 1;
      }
      inflight[*id] = now;
      ++started;
    }
    const int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 10);
    for (int k = 0; k < n; ++k) {
      auto& s = net.socks[evs[static_cast<std::size_t>(k)].data.u64];
      const ike::Endpoint local{s.local().addr, s.local().port};
      for (;;) {
        auto d = s.recv(buf);
        if (!d || !*d) break;
        engine.receive(local, ike::Endpoint{(**d).peer.addr, (**d).peer.port}, ByteView((**d).data.data(), (**d).data.size()));
      }
    }
    for (auto [id, child] : established) {
      inflight.erase(id);
      if (o.keep) continue;
      if (child) (void)engine.delete_phase2(child, "load generator: next negotiation");
      (void)engine.delete_phase1(id, "load generator: next negotiation");
    }
    established.clear();
    engine.run_timers();
    if (now - last_sweep > 0.1) {  // negotiations that failed or gave up
      last_sweep = now;
      for (auto it = inflight.begin(); it != inflight.end();) {
        const auto* sa = engine.ike_sa(it->first);
        if (!sa || sa->state() == ike::SaState::failed || sa->state() == ike::SaState::deleted) {
          ++failed;
          it = inflight.erase(it);
        } else if (now - it->second > 10) {  // e.g. Main Mode up, Quick Mode refused
          ++failed;
          (void)engine.delete_phase1(it->first, "load generator: gave up");
          it = inflight.erase(it);
        } else {
          ++it;
        }
      }
    }
  }
  const auto& st = engine.stats();
  fmt::print("loadgen group={} qm={} inflight={} sources={} {} retransmits={} send_errors={} cpu_by_pid={} "
             "initiator_dh=reused\n",
             o.group == policy::DhGroup::modp2048 ? "modp2048" : "ecp256",
             o.qm == Options::Qm::none ? "none" : o.qm == Options::Qm::tunnel ? "tunnel" : "transport", o.inflight,
             o.last - o.first + 1, meter.fields(), st.retransmits, net.send_errors, meter.cpu_by_pid());
  return meter.completed() > 0 ? 0 : 1;
}
