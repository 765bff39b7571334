// bench_l2tp: (a) session setups per second and (b) concurrent sessions one LNS node holds and
// their memory, in process: one LNS l2tp::Node, and for every session a fresh LAC l2tp::Node
// (its own source port, so a tunnel per client as Windows makes) dialling it; on both sides a
// ppp::Link per call (LCP, MS-CHAPv2 against a users table, IPCP with a pool address and DNS),
// glued as tools/l2tpd does. Datagrams go through an in-memory queue; no sockets, no timers
// needed (the clock is virtual and advances 1 ms per setup). After its call is up, a LAC node
// is destroyed so that only the LNS state stays resident; the LNS keeps every session up.
//   bench_l2tp [--sessions N] [--rate-sessions N]
// Memory: VmRSS delta (/proc/self/statm) and heap in use (mallinfo2) before/after N sessions.
// Target: N = 10,000 sessions within 1 GiB. Exit 0 = PASS, 1 = FAIL.
#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "base/log.h"
#include "l2tp/node.h"
#include "ppp/link.h"
#include "ppp/pool.h"
#include "ppp/users.h"

namespace {

using namespace ipseckit;
using l2tp::Event;
using l2tp::Millis;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse_v4(s); }

double rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  f >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}
double heap_bytes() { return static_cast<double>(mallinfo2().uordblks); }

struct Datagram {
  l2tp::PeerAddr from, to;
  Bytes bytes;
};

class Bench {
 public:
  Bench(std::size_t max_sessions)
      : m_users(std::move(ppp::parse_chap_secrets("alice * \"wonder land\" *\n").value())),
        m_pool(std::move(ppp::AddressPool::create(ip("198.18.0.1"), ip("198.19.255.254")).value())) {
    m_pool.reserve(ip("198.18.0.1"));  // the LNS's own PPP address, as l2tpd does
    l2tp::NodeConfig c;
    c.host_name = "lns.bench";
    c.max_tunnels = max_sessions + 16;  // one tunnel per client
    c.max_sessions = max_sessions + 16;
    m_lns = std::make_unique<l2tp::Node>(
        std::move(c), env(), [this](const l2tp::PeerAddr& to, ByteView d) { post(m_lns_addr, to, d); },
        [this](const Event& e) { on_lns_event(e); });
  }

  // One client: tunnel + call + PPP up on both sides. False if it did not complete.
  bool setup(std::uint16_t port) {
    const l2tp::PeerAddr me{ip("198.51.100.2"), port};
    l2tp::NodeConfig c;
    c.host_name = "lac.bench";
    c.accept_tunnels = false;
    c.accept_incoming_calls = false;
    Lac lac;
    lac.node = std::make_unique<l2tp::Node>(
        std::move(c), env(), [this, me](const l2tp::PeerAddr& to, ByteView d) { post(me, to, d); },
        [this, &lac](const Event& e) { on_lac_event(lac, e); });
    m_lac = &lac;
    m_lac_addr = me;
    if (!lac.node->dial(m_lns_addr).ok()) return false;
    pump();
    const bool up = lac.link && lac.link->is_up();
    m_lac = nullptr;
    m_now += Millis(1);
    return up && m_last_server_up;
  }

  std::size_t lns_sessions() const { return m_lns->session_count(); }
  std::size_t lns_links_up() const {
    std::size_t n = 0;
    for (const auto& [k, l] : m_server_links) n += l->is_up() ? 1u : 0u;
    return n;
  }

 private:
  struct Lac {
    std::unique_ptr<l2tp::Node> node;
    std::unique_ptr<ppp::Link> link;
  };

  l2tp::Env env() {
    return l2tp::Env{[this] { return m_now; }, [this](std::uint8_t* p, std::size_t n) { random(p, n); }};
  }
  void random(std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(m_rng());
  }
  void post(const l2tp::PeerAddr& from, const l2tp::PeerAddr& to, ByteView d) {
    m_queue.push_back(Datagram{from, to, Bytes(d.begin(), d.end())});
  }
  void pump() {
    while (!m_queue.empty()) {
      Datagram g = std::move(m_queue.front());
      m_queue.pop_front();
      if (g.to == m_lns_addr)
        m_lns->receive(g.from, g.bytes);
      else if (m_lac && g.to == m_lac_addr)
        m_lac->node->receive(g.from, g.bytes);
      // else: to a LAC that is gone (a delayed ZLB), dropped
    }
  }
  ppp::Env ppp_env() {
    return ppp::Env{[this] { return m_now; }, [this](std::uint8_t* p, std::size_t n) { random(p, n); }};
  }

  void on_lns_event(const Event& e) {
    if (e.kind == Event::Kind::session_up) {
      ppp::LinkConfig c;
      c.role = ppp::Role::server;
      c.name = "lns.bench";
      c.lcp.require_auth = {ppp::AuthProtocol::mschap_v2};
      c.users = &m_users;
      c.pool = &m_pool;
      c.ipcp.role = ppp::Role::server;
      c.ipcp.local = ip("198.18.0.1");
      c.ipcp.dns1 = ip("192.0.2.53");
      const auto key = e.key;
      m_last_server_up = false;
      auto link = std::make_unique<ppp::Link>(
          std::move(c), ppp_env(), [this, key](ByteView f) { (void)m_lns->send_data(key, f); },
          [this](const ppp::LinkEvent& le) {
            if (le.kind == ppp::LinkEvent::Kind::up) m_last_server_up = true;
          });
      auto* p = link.get();
      m_server_links[key] = std::move(link);
      p->open();
    } else if (e.kind == Event::Kind::data) {
      if (auto it = m_server_links.find(e.key); it != m_server_links.end()) it->second->receive(e.data);
    } else if (e.kind == Event::Kind::session_down) {
      if (auto it = m_server_links.find(e.key); it != m_server_links.end()) it->second->lower_down();
    }
  }
  void on_lac_event(Lac& lac, const Event& e) {
    if (e.kind == Event::Kind::session_up) {
      ppp::LinkConfig c;
      c.role = ppp::Role::client;
      c.lcp.accept_auth = {ppp::AuthProtocol::mschap_v2};
      c.user = "alice";
      c.password = SecureBytes(std::string_view("wonder land"));
      c.ipcp.role = ppp::Role::client;
      c.ipcp.request_dns = true;
      const auto key = e.key;
      l2tp::Node* node = lac.node.get();
      lac.link = std::make_unique<ppp::Link>(std::move(c), ppp_env(),
                                             [node, key](ByteView f) { (void)node->send_data(key, f); },
                                             [](const ppp::LinkEvent&) {});
      lac.link->open();
    } else if (e.kind == Event::Kind::data && lac.link) {
      lac.link->receive(e.data);
    }
  }

  ppp::MemoryUserDb m_users;
  ppp::AddressPool m_pool;
  Millis m_now{0};
  std::mt19937_64 m_rng{1701};
  const l2tp::PeerAddr m_lns_addr{ip("198.51.100.1"), 1701};
  l2tp::PeerAddr m_lac_addr;
  std::unique_ptr<l2tp::Node> m_lns;
  Lac* m_lac = nullptr;
  std::map<l2tp::SessionKey, std::unique_ptr<ppp::Link>> m_server_links;
  std::deque<Datagram> m_queue;
  bool m_last_server_up = false;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t sessions = 10000, rate_sessions = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--sessions" || a == "--rate-sessions") && i + 1 < argc) {
      const long v = std::strtol(argv[++i], nullptr, 10);
      if (v < 1 || v > 60000) {
        std::fprintf(stderr, "bench_l2tp: %s: '%s' is not 1..60000\n", a.c_str(), argv[i]);
        return 2;
      }
      (a == "--sessions" ? sessions : rate_sessions) = static_cast<std::size_t>(v);
    } else {
      std::fprintf(stderr, "usage: bench_l2tp [--sessions N] [--rate-sessions N]\n");
      return 2;
    }
  }
  bool pass = true;
  log::set_level(log::Level::audit);  // quiet: the bench measures, not logs
  log::set_sink([](log::Subsys, log::Level, std::string_view) {});

  // (a) setups per second on a fresh LNS (wall clock; both ends' work counted)
  {
    Bench b(rate_sessions);
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t ok = 0;
    for (std::size_t i = 0; i < rate_sessions; ++i) ok += b.setup(static_cast<std::uint16_t>(2000 + i)) ? 1u : 0u;
    const double s = seconds_since(t0);
    fmt::print("setups: {} of {} L2TP tunnel+call+PPP (LCP, MS-CHAPv2, IPCP) completed in {:.3f} s: {:.0f} setups/s\n",
               ok, rate_sessions, s, static_cast<double>(ok) / s);
    if (ok != rate_sessions) {
      fmt::print("FAIL: {} setups did not complete\n", rate_sessions - ok);
      pass = false;
    }
  }

  // (b) N concurrent sessions on one LNS node
  malloc_trim(0);
  const double rss0 = rss_bytes(), heap0 = heap_bytes();
  Bench b(sessions);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < sessions; ++i) ok += b.setup(static_cast<std::uint16_t>(2000 + i)) ? 1u : 0u;
  const double s = seconds_since(t0);
  const double rss = rss_bytes() - rss0, heap = heap_bytes() - heap0;
  const std::size_t held = b.lns_sessions(), up = b.lns_links_up();
  fmt::print("concurrent: {} sessions set up in {:.2f} s ({:.0f} setups/s with the LNS filling up); "
             "the LNS holds {} sessions, {} with PPP up\n",
             ok, s, static_cast<double>(ok) / s, held, up);
  const double per = rss / static_cast<double>(std::max<std::size_t>(held, 1));
  fmt::print("memory: RSS +{:.1f} MiB, heap +{:.1f} MiB for {} sessions: {:.0f} bytes RSS/session "
             "({:.0f} heap); projected {:.0f} sessions per GiB\n",
             rss / 1048576.0, heap / 1048576.0, held, per, heap / static_cast<double>(std::max<std::size_t>(held, 1)),
             kGiB / per);
  const bool held_all = held == sessions && up == sessions;
  const bool fits = rss < kGiB;
  fmt::print("target: {} concurrent sessions on one LNS within 1 GiB: {} (held {}, RSS {:.1f} MiB)\n", sessions,
             held_all && fits ? "PASS" : "FAIL", held, rss / 1048576.0);
  pass = pass && held_all && fits;
  fmt::print("{}\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
