// Fuzz target: whole L2TP datagrams (control messages with hidden AVPs, data messages) into a
// LAC/LNS pair brought into a chosen state first, so the handlers behind every tunnel and
// session state see the input, not only the parsers.
//
// Input: [stage] then records [flags][len16][datagram]:
//   stage % 6   0 nothing yet (new SCCRQs)   1 LNS in wait-ctl-conn   2 LAC in wait-ctl-reply
//               3 tunnel established          4 + a call up             5 LNS closing (StopCCN sent)
//   flags bit 0 patch the header: tunnel ID, session ID, Ns and Nr set to what the target
//               expects, so the message passes the control channel and reaches the handlers
//         bit 1 deliver to the LAC (else the LNS)
//         bit 2 then advance the clock by (flags >> 3) * 500 ms
// Oracles besides the sanitizers: the limits hold (tunnels, sessions, control queues), and
// when the peer falls silent every tunnel is timed out and freed (no state kept forever).
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>

#include "base/log.h"
#include "l2tp/node.h"
#include "wire/l2tp_message.h"

using namespace ipseckit;
using namespace ipseckit::l2tp;

namespace {

PeerAddr addr(const char* s) { return PeerAddr{*wire::IpAddr::parse(s), 1701}; }

NodeConfig config(const char* name) {
  NodeConfig c;
  c.host_name = name;
  c.secret = SecureBytes(std::string_view("s3cret"));
  c.hide_avps = true;
  c.accept_outgoing_calls = true;
  c.max_tunnels = 8;
  c.max_half_open = 4;
  c.max_sessions = 16;
  c.max_sessions_per_tunnel = 8;
  c.hello_interval = Millis(20000);
  c.setup_timeout = Millis(20000);
  c.channel.max_queue = 16;
  return c;
}

struct Fixture {
  Millis now{0};
  std::mt19937 rng{1};
  PeerAddr lac_addr = addr("198.51.100.2"), lns_addr = addr("198.51.100.1");
  std::deque<std::pair<bool, Bytes>> q;  // (to LNS, datagram)
  bool cut = false;
  std::function<bool(const Bytes&)> drop;
  std::unique_ptr<Node> lac, lns;

  Fixture() {
    auto env = [this] {
      return Env{[this] { return now; },
                 [this](std::uint8_t* p, std::size_t n) {
                   for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(rng());
                 }};
    };
    lac = std::make_unique<Node>(config("lac"), env(),
                                 [this](const PeerAddr&, ByteView d) { enqueue(true, d); }, [](const Event&) {});
    lns = std::make_unique<Node>(config("lns"), env(),
                                 [this](const PeerAddr&, ByteView d) { enqueue(false, d); }, [](const Event&) {});
  }
  void enqueue(bool to_lns, ByteView d) {
    Bytes b(d.begin(), d.end());
    if (cut || (drop && drop(b))) return;
    if (q.size() < 256) q.emplace_back(to_lns, std::move(b));
  }
  void pump() {
    for (int i = 0; i < 2000 && !q.empty(); ++i) {
      auto [to_lns, d] = std::move(q.front());
      q.pop_front();
      if (to_lns) lns->receive(lac_addr, d);
      else lac->receive(lns_addr, d);
    }
  }
  void run(Millis d, Millis step) {
    const Millis end = now + d;
    while (now < end) {
      now += step;
      lac->tick();
      lns->tick();
      pump();
    }
  }
  static bool is(const Bytes& d, wire::L2tpMsgType t) {
    auto c = wire::parse_control(d);
    return c && !c->avps.empty() && c->avps[0].value == Bytes{0, static_cast<std::uint8_t>(t)};
  }
};

void build(Fixture& f, unsigned stage) {
  switch (stage) {
    case 0: return;
    case 1:  // the LNS answered SCCRQ; its SCCRP never arrives
      f.drop = [](const Bytes& d) { return Fixture::is(d, wire::L2tpMsgType::sccrp); };
      (void)f.lac->dial(f.lns_addr);
      f.pump();
      f.drop = nullptr;
      return;
    case 2:  // the LAC waits for SCCRP
      f.drop = [](const Bytes& d) { return Fixture::is(d, wire::L2tpMsgType::sccrq); };
      (void)f.lac->open_tunnel(f.lns_addr);
      f.pump();
      f.drop = nullptr;
      return;
    case 3:
      (void)f.lac->open_tunnel(f.lns_addr);
      f.run(Millis(500), Millis(100));
      return;
    case 4:
      (void)f.lac->dial(f.lns_addr);
      f.run(Millis(500), Millis(100));
      return;
    default:
      (void)f.lac->dial(f.lns_addr);
      f.run(Millis(500), Millis(100));
      f.drop = [](const Bytes&) { return true; };
      for (auto id : f.lns->tunnel_ids()) f.lns->close_tunnel(id, wire::StopCcnResult::general_clear, "bye");
      f.drop = nullptr;
      return;
  }
}

// Makes a control message acceptable to the target's control channel.
void patch(Bytes& d, Node& target) {
  if (d.size() < 12 || (d[0] & 0x80) == 0 || (d[0] & 0x40) == 0 || (d[0] & 0x08) == 0) return;
  const auto ids = target.tunnel_ids();
  if (ids.empty()) return;
  const Tunnel* t = target.tunnel(ids.front());
  auto put = [&](std::size_t at, std::uint16_t v) {
    d[at] = static_cast<std::uint8_t>(v >> 8);
    d[at + 1] = static_cast<std::uint8_t>(v);
  };
  put(4, t->local_id());
  if ((d[6] != 0 || d[7] != 0) && t->session_count() > 0) put(6, t->session_ids().front());  // one of our calls
  put(8, t->channel().expected_ns());
  put(10, t->channel().next_ns());
}

void check_bounds(const Node& n) {
  const auto& c = n.config();
  if (n.tunnel_count() > c.max_tunnels || n.session_count() > c.max_sessions || n.half_open_count() > c.max_half_open)
    std::abort();
  std::size_t sessions = 0, half_open = 0;
  for (auto id : n.tunnel_ids()) {
    const Tunnel* t = n.tunnel(id);
    if (t->channel().queued() > c.channel.max_queue) std::abort();
    sessions += t->session_count();
    const auto s = t->state();
    half_open += s == TunnelState::idle || s == TunnelState::wait_ctl_reply || s == TunnelState::wait_ctl_conn;
  }
  // The node keeps these counts incrementally; they must equal a full walk.
  if (sessions != n.session_count() || half_open != n.half_open_count()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    log::set_sink([](log::Subsys, log::Level, std::string_view) {});
    log::set_level(log::Level::audit);  // nothing is shown: do not format what nobody reads
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  Fixture f;
  build(f, data[0] % 6u);
  ByteReader r(ByteView(data + 1, size - 1), "fuzz input");
  for (int records = 0; records < 24 && r.remaining() >= 3; ++records) {
    const std::uint8_t flags = r.u8();
    const std::size_t len = r.u16be() % 2048u;
    ByteView v = r.bytes(std::min(len, r.remaining()));
    Bytes d(v.begin(), v.end());
    const bool to_lac = (flags & 2) != 0;
    Node& target = to_lac ? *f.lac : *f.lns;
    if (flags & 1) patch(d, target);
    target.receive(to_lac ? f.lns_addr : f.lac_addr, d);
    f.pump();
    if (flags & 4) f.run(Millis(500) * (flags >> 3), Millis(250));
    check_bounds(*f.lac);
    check_bounds(*f.lns);
  }
  // The peer falls silent: every tunnel must be timed out and its state freed.
  f.cut = true;
  f.q.clear();
  f.run(Millis(240000), Millis(2000));
  if (f.lac->tunnel_count() != 0 || f.lns->tunnel_count() != 0 || f.lns->next_deadline() || f.lac->next_deadline())
    std::abort();
  return 0;
}
