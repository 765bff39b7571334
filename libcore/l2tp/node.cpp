#include "l2tp/node.h"

#include <fmt/format.h>

#include "base/log.h"

namespace ipseckit::l2tp {

using wire::L2tpMsgType;

class Node::Entry {
 public:
  explicit Entry(Node& n) : m_node(n) { ++m_node.m_depth; }
  ~Entry() {
    if (--m_node.m_depth == 0) {
      m_node.reap();
      m_node.drain();
    }
  }
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

 private:
  Node& m_node;
};

Node::Node(NodeConfig config, Env env, Transmit transmit, EventSink sink)
    : m_config(std::move(config)), m_env(std::move(env)), m_transmit(std::move(transmit)), m_sink(std::move(sink)) {}

Node::~Node() = default;

void Node::drain() {
  if (m_draining) return;  // a sink calling back into the node: the outer loop delivers
  m_draining = true;
  while (!m_events.empty()) {
    std::vector<Event> batch;
    batch.swap(m_events);
    for (const auto& ev : batch)
      if (m_sink) m_sink(ev);
  }
  m_draining = false;
}

namespace {
bool half_open(TunnelState s) {
  return s == TunnelState::idle || s == TunnelState::wait_ctl_reply || s == TunnelState::wait_ctl_conn;
}
}  // namespace

void Node::tunnel_state_changed(std::uint16_t tunnel, TunnelState from, TunnelState to) {
  if (half_open(from) && !half_open(to)) {
    --m_half_open;
    m_half_open_peers.erase(tunnel);
  }
  if (to == TunnelState::closed) m_closed.push_back(tunnel);
}

void Node::reap() {
  for (const auto id : m_closed) {
    auto it = m_tunnels.find(id);
    if (it == m_tunnels.end()) continue;
    log::msg(log::Subsys::l2tp, log::Level::diag, "tunnel {}: state freed", id);
    sessions_changed(-static_cast<std::ptrdiff_t>(it->second->session_count()));
    for (auto [b, e] = m_by_peer.equal_range(it->second->peer()); b != e; ++b)
      if (b->second == id) {
        m_by_peer.erase(b);
        break;
      }
    m_tunnels.erase(it);
  }
  m_closed.clear();
}

std::size_t Node::half_open_from(const wire::IpAddr& a) const {
  std::size_t n = 0;  // at most max_half_open entries
  for (const auto& [id, addr] : m_half_open_peers) n += addr == a;
  return n;
}

Tunnel* Node::find(std::uint16_t id) {
  auto it = m_tunnels.find(id);
  return it == m_tunnels.end() ? nullptr : it->second.get();
}

const Tunnel* Node::tunnel(std::uint16_t id) const {
  auto it = m_tunnels.find(id);
  return it == m_tunnels.end() ? nullptr : it->second.get();
}

std::vector<std::uint16_t> Node::tunnel_ids() const {
  std::vector<std::uint16_t> ids;
  for (const auto& [id, t] : m_tunnels) ids.push_back(id);
  return ids;
}

Tunnel* Node::find_setup(const PeerAddr& from, std::uint16_t peer_tunnel) {
  if (peer_tunnel == 0) return nullptr;
  for (auto [b, e] = m_by_peer.equal_range(from); b != e; ++b) {
    Tunnel* t = find(b->second);
    if (t && t->peer_id() == peer_tunnel && t->state() != TunnelState::closed) return t;
  }
  return nullptr;
}

Result<Tunnel*> Node::create_tunnel(const PeerAddr& peer, bool initiator) {
  if (m_tunnels.size() >= m_config.max_tunnels || half_open_count() >= m_config.max_half_open)
    return make_error("l2tp.resources",
                      fmt::format("tunnel limit reached ({} tunnels, {} being set up)", m_tunnels.size(),
                                  half_open_count()),
                      static_cast<std::uint16_t>(wire::StopCcnResult::general_error),
                      static_cast<std::uint16_t>(wire::L2tpErrorCode::no_resources));
  if (half_open_from(peer.addr) >= m_config.max_half_open_per_source)
    return make_error("l2tp.resources",
                      fmt::format("{} tunnels from {} are being set up already (limit per source)",
                                  half_open_from(peer.addr), peer.addr.str()),
                      static_cast<std::uint16_t>(wire::StopCcnResult::general_error),
                      static_cast<std::uint16_t>(wire::L2tpErrorCode::no_resources));
  for (int tries = 0; tries < 64; ++tries) {
    std::array<std::uint8_t, 2> b{};
    m_env.random(b.data(), b.size());
    const auto id = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
    if (id == 0 || id == 0xFFFF || m_tunnels.count(id)) continue;
    TunnelHost& host = *this;
    auto t = std::make_unique<Tunnel>(host, id, peer, initiator, m_env.now());
    Tunnel* p = t.get();
    m_tunnels.emplace(id, std::move(t));
    m_by_peer.emplace(peer, id);
    ++m_half_open;  // a new tunnel starts idle
    m_half_open_peers.emplace(id, peer.addr);
    return p;
  }
  return make_error("l2tp.resources", "no free tunnel ID", 2, static_cast<std::uint16_t>(wire::L2tpErrorCode::no_resources));
}

void Node::receive(const PeerAddr& from, ByteView datagram) {
  Entry entry(*this);
  auto p = wire::parse_l2tp(datagram);
  if (!p) {
    ++m_stats.malformed;
    log::msg(log::Subsys::l2tp, log::Level::diag, "from {}: {}", from.str(), p.error().message);
    return;
  }
  const std::uint16_t tid = p->header.tunnel_id;
  if (!p->header.control) {
    Tunnel* t = find(tid);
    if (t == nullptr) ++m_stats.unknown_tunnel;
    else if (t->peer() != from) ++m_stats.wrong_peer;
    else t->receive_data(*p);
    return;
  }
  auto avps = wire::parse_avps(p->payload);
  if (!avps) {
    // A control message whose AVP structure is broken cannot be acknowledged or answered;
    // it is dropped and the peer's retransmission (of an intact copy) is awaited.
    ++m_stats.malformed;
    log::msg(log::Subsys::l2tp, log::Level::diag, "from {}: {}", from.str(), avps.error().message);
    return;
  }
  const wire::L2tpControl msg{p->header, std::move(avps.value())};
  if (tid != 0) {
    if (Tunnel* t = find(tid)) {
      if (t->peer() != from) {
        ++m_stats.wrong_peer;
        return;
      }
      t->receive(msg, m_env.now());
      return;
    }
  }
  on_new_tunnel_message(from, msg);
}

// A control message for no tunnel of ours: a new SCCRQ, a retransmitted one, or a message from
// a peer that never learned our tunnel ID (xl2tpd sends StopCCN to tunnel 0 or 65535).
void Node::on_new_tunnel_message(const PeerAddr& from, const wire::L2tpControl& msg) {
  const ByteView secret{m_config.secret.data(), m_config.secret.size()};
  auto a = wire::decode_attrs(msg.avps, wire::AvpSecret{secret, secret.empty() ? nullptr : &avp_md5});
  std::uint16_t peer_tid = 0;
  if (a) {
    peer_tid = a->assigned_tunnel_id.value_or(0);
  } else {
    for (const auto& avp : msg.avps)
      if (avp.is(wire::AvpType::assigned_tunnel_id) && !avp.hidden && avp.value.size() == 2)
        peer_tid = static_cast<std::uint16_t>((avp.value[0] << 8) | avp.value[1]);
  }
  if (!a) {
    ++m_stats.malformed;
    const bool sccrq = !msg.avps.empty() && msg.avps[0].is(wire::AvpType::message_type) &&
                       msg.avps[0].value == Bytes{0, static_cast<std::uint8_t>(L2tpMsgType::sccrq)};
    log::msg(log::Subsys::l2tp, log::Level::control, "from {}: refusing a control message: {}", from.str(),
             a.error().message);
    if (sccrq && peer_tid != 0 && msg.header.tunnel_id == 0 && find_setup(from, peer_tid) == nullptr)
      reply_stopccn(from, msg, peer_tid, wire::StopCcnResult::general_error,
                    static_cast<wire::L2tpErrorCode>(wire::proto_error(a.error().proto)), a.error().message);
    return;
  }
  if (a->is_zlb()) {
    ++m_stats.unknown_tunnel;
    return;
  }
  const L2tpMsgType type = *a->message_type;
  const Millis now = m_env.now();
  if (type == L2tpMsgType::stopccn) {
    if (Tunnel* t = find_setup(from, peer_tid)) t->receive(msg, now);
    else if (peer_tid != 0) reply_zlb(from, msg, peer_tid);
    return;
  }
  if (type != L2tpMsgType::sccrq || msg.header.tunnel_id != 0) {
    ++m_stats.unknown_tunnel;
    return;
  }
  if (Tunnel* t = find_setup(from, peer_tid)) {  // a retransmitted SCCRQ
    t->receive(msg, now);
    return;
  }
  if (!m_config.accept_tunnels) {
    ++m_stats.refused_tunnels;
    reply_stopccn(from, msg, peer_tid, wire::StopCcnResult::not_authorized, wire::L2tpErrorCode::none,
                  "this node does not accept tunnels");
    return;
  }
  // §4.4.3 Tie Breaker: our own SCCRQ to this peer is outstanding.
  for (auto [b, e] = m_by_peer.equal_range(from); b != e; ++b) {
    Tunnel* t = find(b->second);
    if (!t || !t->initiator() || t->state() != TunnelState::wait_ctl_reply) continue;
    const auto ours = t->tie_breaker();
    const auto theirs = a->tie_breaker;
    if (!ours && !theirs) continue;  // neither asked for a single tunnel: both are kept
    ++m_stats.tie_breaks;
    if (ours && theirs && *ours == *theirs) {
      // "both sides MUST discard their tunnels"
      t->drop(make_error("l2tp.tie", "equal tie-breakers with the peer: both tunnels discarded", 0));
      return;
    }
    if (ours && (!theirs || *ours < *theirs)) {  // the lower value wins, and a tie breaker beats none
      log::msg(log::Subsys::l2tp, log::Level::control, "from {}: our tunnel wins the tie-breaker, discarding its SCCRQ",
               from.str());
      return;
    }
    t->yield_to(msg, now);
    return;
  }
  auto t = create_tunnel(from, false);
  if (!t) {
    ++m_stats.refused_tunnels;
    reply_stopccn(from, msg, peer_tid, wire::StopCcnResult::general_error, wire::L2tpErrorCode::no_resources,
                  t.error().message);
    return;
  }
  t.value()->accept(msg, now);
}

void Node::reply_stopccn(const PeerAddr& to, const wire::L2tpControl& msg, std::uint16_t peer_tunnel,
                         wire::StopCcnResult result, wire::L2tpErrorCode error, const std::string& text) {
  if (peer_tunnel == 0) return;
  std::array<std::uint8_t, 2> b{};
  m_env.random(b.data(), b.size());
  wire::L2tpAttrs a;
  a.message_type = L2tpMsgType::stopccn;
  a.assigned_tunnel_id = static_cast<std::uint16_t>(((b[0] << 8) | b[1]) | 1);  // no tunnel: a transient ID
  a.result_code = wire::ResultCodeValue{static_cast<std::uint16_t>(result), static_cast<std::uint16_t>(error),
                                        text.substr(0, 200)};
  auto h = wire::L2tpHeader::control_header(peer_tunnel, 0, 0, static_cast<std::uint16_t>(msg.header.ns + 1));
  if (auto d = wire::build_control(h, a)) m_transmit(to, d.value());
}

void Node::reply_zlb(const PeerAddr& to, const wire::L2tpControl& msg, std::uint16_t peer_tunnel) {
  auto h = wire::L2tpHeader::control_header(peer_tunnel, 0, msg.header.nr, static_cast<std::uint16_t>(msg.header.ns + 1));
  if (auto d = wire::serialize_l2tp(h, {})) m_transmit(to, d.value());
}

void Node::tick() {
  Entry entry(*this);
  const Millis now = m_env.now();
  for (auto& [id, t] : m_tunnels) {
    const auto d = t->next_deadline();
    if (d && *d <= now) t->on_timer(now);
  }
}

std::optional<Millis> Node::next_deadline() const {
  std::optional<Millis> d;
  for (const auto& [id, t] : m_tunnels) {
    const auto td = t->next_deadline();
    if (td && (!d || *td < *d)) d = td;
  }
  return d;
}

Result<std::uint16_t> Node::open_tunnel(const PeerAddr& peer) {
  Entry entry(*this);
  auto t = create_tunnel(peer, true);
  if (!t) return t.error();
  t.value()->start(m_env.now());
  return t.value()->local_id();
}

Result<SessionKey> Node::dial(const PeerAddr& peer, std::string calling_number) {
  Entry entry(*this);
  Tunnel* tunnel = nullptr;
  for (auto& [id, t] : m_tunnels)
    if (t->peer() == peer && t->usable_for_calls() && (t->initiator() || t->state() == TunnelState::established)) {
      tunnel = t.get();
      break;
    }
  if (tunnel == nullptr) {
    auto t = create_tunnel(peer, true);
    if (!t) return t.error();
    tunnel = t.value();
    tunnel->start(m_env.now());
  }
  auto sid = tunnel->add_call(CallKind::incoming, std::move(calling_number), m_env.now());
  if (!sid) return sid.error();
  return SessionKey{tunnel->local_id(), sid.value()};
}

Result<SessionKey> Node::call_out(std::uint16_t tunnel, std::string called_number) {
  Entry entry(*this);
  Tunnel* t = find(tunnel);
  if (t == nullptr) return make_error("l2tp.closed", fmt::format("no tunnel {}", tunnel), 0);
  auto sid = t->add_call(CallKind::outgoing, std::move(called_number), m_env.now());
  if (!sid) return sid.error();
  return SessionKey{tunnel, sid.value()};
}

Status Node::send_data(const SessionKey& key, ByteView ppp_frame) {
  Tunnel* t = find(key.tunnel);
  if (t == nullptr) return make_error("l2tp.closed", fmt::format("no tunnel {}", key.tunnel), 0);
  return t->send_data(key.session, ppp_frame);
}

Status Node::send_link_info(const SessionKey& key, const wire::AccmValue& accm) {
  Entry entry(*this);
  Tunnel* t = find(key.tunnel);
  if (t == nullptr) return make_error("l2tp.closed", fmt::format("no tunnel {}", key.tunnel), 0);
  return t->send_link_info(key.session, accm, m_env.now());
}

Status Node::send_wan_errors(const SessionKey& key, const wire::CallErrors& errors) {
  Entry entry(*this);
  Tunnel* t = find(key.tunnel);
  if (t == nullptr) return make_error("l2tp.closed", fmt::format("no tunnel {}", key.tunnel), 0);
  return t->send_wan_errors(key.session, errors, m_env.now());
}

void Node::hang_up(const SessionKey& key, wire::CdnResult result, std::string message) {
  Entry entry(*this);
  if (Tunnel* t = find(key.tunnel)) {
    const auto r = static_cast<std::uint16_t>(result);
    Error e = make_error("l2tp.closed", "call closed locally: " + message, r);
    t->hang_up(key.session, wire::ResultCodeValue{r, std::uint16_t{0}, std::move(message)}, std::move(e), m_env.now());
  }
}

void Node::close_tunnel(std::uint16_t tunnel, wire::StopCcnResult result, std::string message) {
  Entry entry(*this);
  if (Tunnel* t = find(tunnel)) {
    const auto r = static_cast<std::uint16_t>(result);
    Error e = make_error("l2tp.closed", "tunnel closed locally: " + message, r);
    t->close(wire::ResultCodeValue{r, std::uint16_t{0}, std::move(message)}, std::move(e), m_env.now());
  }
}

void Node::shutdown(std::string message) {
  Entry entry(*this);
  for (auto id : tunnel_ids()) close_tunnel(id, wire::StopCcnResult::shutting_down, message);
}

}  // namespace ipseckit::l2tp
