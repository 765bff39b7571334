// An L2TP node: every tunnel this host has with its peers, one UDP endpoint. It demultiplexes
// datagrams to tunnels, creates tunnels for new SCCRQs (answering retransmitted ones from the
// tunnel that exists), applies the tie-breaker (RFC 2661 §4.4.3), enforces the limits, frees
// tunnels that are done, and reports Events.
//
// Nothing here touches the world: datagrams leave through Transmit, time and randomness come
// from Env, and events through the sink (STYLE.md #10). Events are delivered after the call
// that caused them has finished, so the sink may call back into the node.
//
// Never answered (no amplification, no reflection): datagrams that do not parse, messages for
// tunnels we do not have, and data from anyone but the tunnel's peer. Refused SCCRQs get one
// stateless StopCCN; an unknown tunnel's StopCCN gets one stateless ZLB (so xl2tpd stops
// retransmitting it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "l2tp/common.h"
#include "l2tp/config.h"
#include "l2tp/tunnel.h"

namespace ipseckit::l2tp {

struct NodeStats {
  std::uint64_t malformed = 0;        // datagrams or control messages that did not parse
  std::uint64_t unknown_tunnel = 0;   // messages for a tunnel we do not have
  std::uint64_t wrong_peer = 0;       // from an address that is not the tunnel's peer
  std::uint64_t refused_tunnels = 0;  // SCCRQs refused (limits, not accepting)
  std::uint64_t tie_breaks = 0;
};

class Node final : private TunnelHost {
 public:
  using Transmit = std::function<void(const PeerAddr& to, ByteView datagram)>;
  using EventSink = std::function<void(const Event& ev)>;

  Node(NodeConfig config, Env env, Transmit transmit, EventSink sink);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // One UDP datagram from `from`.
  void receive(const PeerAddr& from, ByteView datagram);
  // Timers due now (Env::now); call at next_deadline().
  void tick();
  std::optional<Millis> next_deadline() const;

  // LAC: an incoming call to the LNS at `peer`, over an existing tunnel to it or a new one.
  Result<SessionKey> dial(const PeerAddr& peer, std::string calling_number = {});
  // A tunnel without a call yet.
  Result<std::uint16_t> open_tunnel(const PeerAddr& peer);
  // LNS: an outgoing call (OCRQ) through an established or starting tunnel.
  Result<SessionKey> call_out(std::uint16_t tunnel, std::string called_number);
  Status send_data(const SessionKey& key, ByteView ppp_frame);
  // SLI with the PPP ACCM (LNS -> LAC) and WEN with line error counters (LAC -> LNS).
  Status send_link_info(const SessionKey& key, const wire::AccmValue& accm);
  Status send_wan_errors(const SessionKey& key, const wire::CallErrors& errors);
  // CDN with the given result (§4.4.2 CDN codes).
  void hang_up(const SessionKey& key, wire::CdnResult result, std::string message);
  // StopCCN with the given result (§4.4.2 StopCCN codes).
  void close_tunnel(std::uint16_t tunnel, wire::StopCcnResult result, std::string message);
  // StopCCN on every tunnel (SIGTERM): result 6 "Requester is being shut down".
  void shutdown(std::string message);

  std::size_t tunnel_count() const { return m_tunnels.size(); }
  std::size_t session_count() const { return m_session_count; }
  std::size_t half_open_count() const { return m_half_open; }
  std::size_t half_open_from(const wire::IpAddr& a) const;
  const Tunnel* tunnel(std::uint16_t id) const;
  std::vector<std::uint16_t> tunnel_ids() const;
  const NodeStats& stats() const { return m_stats; }
  const NodeConfig& config() const override { return m_config; }

 private:
  // TunnelHost
  void transmit(const PeerAddr& to, ByteView datagram) override { m_transmit(to, datagram); }
  void random(std::uint8_t* out, std::size_t n) override { m_env.random(out, n); }
  void emit(Event ev) override { m_events.push_back(std::move(ev)); }
  bool session_allowed() const override { return session_count() < m_config.max_sessions; }
  void tunnel_state_changed(std::uint16_t tunnel, TunnelState from, TunnelState to) override;
  void sessions_changed(std::ptrdiff_t delta) override { m_session_count += static_cast<std::size_t>(delta); }

  class Entry;  // drains events when the outermost public call returns
  void drain();
  void reap();
  void on_new_tunnel_message(const PeerAddr& from, const wire::L2tpControl& msg);
  void reply_stopccn(const PeerAddr& to, const wire::L2tpControl& msg, std::uint16_t peer_tunnel,
                     wire::StopCcnResult result, wire::L2tpErrorCode error, const std::string& text);
  void reply_zlb(const PeerAddr& to, const wire::L2tpControl& msg, std::uint16_t peer_tunnel);
  Tunnel* find(std::uint16_t id);
  Tunnel* find_setup(const PeerAddr& from, std::uint16_t peer_tunnel);
  Result<Tunnel*> create_tunnel(const PeerAddr& peer, bool initiator);

  NodeConfig m_config;
  Env m_env;
  Transmit m_transmit;
  EventSink m_sink;
  std::map<std::uint16_t, std::unique_ptr<Tunnel>> m_tunnels;
  std::vector<Event> m_events;
  // Kept by the TunnelHost callbacks (every public call used to walk all tunnels for these).
  std::size_t m_session_count = 0, m_half_open = 0;
  std::map<std::uint16_t, wire::IpAddr> m_half_open_peers;  // half-open tunnel -> its first peer address
  std::vector<std::uint16_t> m_closed;
  std::multimap<PeerAddr, std::uint16_t> m_by_peer;  // tunnel ids by peer (SCCRQ retransmits, tie-breaks)  // tunnels to free when the outermost call returns
  int m_depth = 0;
  bool m_draining = false;
  NodeStats m_stats;
};

}  // namespace ipseckit::l2tp
