// One L2TP control connection and its calls (RFC 2661 §5.1, §7.2-§7.5).
//
//   initiator:  idle -SCCRQ-> wait_ctl_reply -SCCRP/SCCCN-> established
//   responder:  idle -(SCCRQ) SCCRP-> wait_ctl_conn -SCCCN-> established
//   any state -StopCCN sent or received-> closing -acknowledged / hold time-> closed
//   a peer that stops acknowledging (§5.8) or a setup that does not finish -> closed
//
// Messages go through the tunnel's ControlChannel; every decoded message passes the
// "expected next message" guard (expects()) before its handler runs. Everything the tunnel
// learns is reported through TunnelHost::emit as Events.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "l2tp/common.h"
#include "l2tp/config.h"
#include "l2tp/control_channel.h"
#include "l2tp/session.h"
#include "wire/l2tp_attrs.h"
#include "wire/l2tp_message.h"

namespace ipseckit::l2tp {

enum class TunnelState { idle, wait_ctl_reply, wait_ctl_conn, established, closing, closed };

// Error Messages we send in Result Code AVPs are cut to this many octets (an AVP holds 1017).
inline constexpr std::size_t kMaxResultMessage = 200;
std::string name(TunnelState s);

// What a tunnel needs from the node that owns it.
class TunnelHost {
 public:
  virtual ~TunnelHost() = default;
  virtual void transmit(const PeerAddr& to, ByteView datagram) = 0;
  virtual void random(std::uint8_t* out, std::size_t n) = 0;
  virtual void emit(Event ev) = 0;
  virtual const NodeConfig& config() const = 0;
  // Whether one more session may be created (node-wide limit).
  virtual bool session_allowed() const = 0;
  // Bookkeeping, so the host keeps its counts without walking every tunnel: a tunnel's state
  // changed; a tunnel gained (+1) or lost (-n) sessions.
  virtual void tunnel_state_changed(std::uint16_t tunnel, TunnelState from, TunnelState to) = 0;
  virtual void sessions_changed(std::ptrdiff_t delta) = 0;
};

struct TunnelStats {
  std::uint64_t data_in = 0, data_out = 0, data_dropped = 0, hellos_sent = 0;
};

class Tunnel {
 public:
  Tunnel(TunnelHost& host, std::uint16_t local_id, PeerAddr peer, bool initiator, Millis now);
  Tunnel(const Tunnel&) = delete;
  Tunnel& operator=(const Tunnel&) = delete;

  // Initiator: send SCCRQ.
  void start(Millis now);
  // Responder: take the peer's SCCRQ (already decoded by the node).
  void accept(const wire::L2tpControl& sccrq, Millis now);
  // Tie-breaker lost (§4.4.3): drop our SCCRQ and answer the peer's instead, keeping our
  // tunnel ID and the calls waiting for the tunnel.
  void yield_to(const wire::L2tpControl& sccrq, Millis now);

  void receive(const wire::L2tpControl& msg, Millis now);
  void receive_data(const wire::L2tpPacket& pkt);
  void on_timer(Millis now);
  std::optional<Millis> next_deadline() const;

  // A new call: incoming (we are the LAC, ICRQ) or outgoing (we are the LNS, OCRQ). It waits
  // for the tunnel when the tunnel is not yet established.
  Result<std::uint16_t> add_call(CallKind kind, std::string number, Millis now);
  Status send_data(std::uint16_t session, ByteView ppp_frame);
  // §6.16 SLI (the LNS tells the LAC the PPP ACCM) and §6.15 WEN (the LAC reports line errors).
  Status send_link_info(std::uint16_t session, const wire::AccmValue& accm, Millis now);
  Status send_wan_errors(std::uint16_t session, const wire::CallErrors& errors, Millis now);
  // CDN for one call (§5.6).
  void hang_up(std::uint16_t session, wire::ResultCodeValue result, Error reason, Millis now);
  // StopCCN (§5.7) and clear every call. No StopCCN when the peer never told its tunnel ID.
  void close(wire::ResultCodeValue result, Error reason, Millis now);
  // Clear without telling the peer (tie-breaker loss on both sides, node teardown).
  void drop(Error reason);

  std::uint16_t local_id() const { return m_local_id; }
  std::uint16_t peer_id() const { return m_peer_id; }
  const PeerAddr& peer() const { return m_peer; }
  bool initiator() const { return m_initiator; }
  TunnelState state() const { return m_state; }
  const std::optional<Error>& failure() const { return m_failure; }
  std::optional<std::uint64_t> tie_breaker() const { return m_tie_breaker; }
  const std::string& peer_host_name() const { return m_peer_host; }
  std::size_t session_count() const { return m_sessions.size(); }
  std::vector<std::uint16_t> session_ids() const;
  const Session* session(std::uint16_t id) const;
  const ControlChannel& channel() const { return *m_channel; }
  const TunnelStats& stats() const { return m_stats; }
  bool usable_for_calls() const;  // setting up or established

 private:
  // tunnel.cpp
  void set_state(TunnelState next, const std::optional<Error>& reason = std::nullopt);
  bool expects(wire::L2tpMsgType type) const;
  void handle(const wire::L2tpControl& msg, Millis now);
  void refuse(const wire::L2tpControl& msg, const Error& err, Millis now);
  void send(std::uint16_t peer_session, const wire::L2tpAttrs& attrs, Millis now);
  void fail(Error reason);
  void clear_sessions(const Error& reason);
  void on_stopccn(const wire::L2tpAttrs& a, Millis now);
  void check_channel();
  void finish_closing();
  std::string label() const;
  ByteView secret() const;

  // tunnel_setup.cpp
  wire::L2tpAttrs setup_attrs(wire::L2tpMsgType type);
  bool take_peer_setup(const wire::L2tpAttrs& a, Millis now);
  bool answer_challenge(const wire::L2tpAttrs& a, wire::L2tpMsgType reply, wire::L2tpAttrs& out, Millis now);
  bool verify_response(const wire::L2tpAttrs& a, wire::L2tpMsgType carried_in, Millis now);
  void on_sccrq(const wire::L2tpAttrs& a, Millis now);
  void on_sccrp(const wire::L2tpAttrs& a, Millis now);
  void on_scccn(const wire::L2tpAttrs& a, Millis now);
  void established(Millis now);

  // tunnel_calls.cpp
  void handle_call(const wire::L2tpControl& msg, const wire::L2tpAttrs& a, Millis now);
  void start_call(Session& s, Millis now);
  Session* new_session(CallKind kind, bool lac);
  Session* find_session(const wire::L2tpControl& msg, const wire::L2tpAttrs& a);
  void on_icrq(const wire::L2tpAttrs& a, Millis now);
  void on_ocrq(const wire::L2tpAttrs& a, Millis now);
  void on_call_reply(Session& s, const wire::L2tpAttrs& a, Millis now);
  void on_call_connected(Session& s, const wire::L2tpAttrs& a);
  void on_cdn(Session& s, const wire::L2tpAttrs& a);
  void session_up(Session& s);
  void remove_session(std::uint16_t id);
  void refuse_call(std::uint16_t peer_session, wire::CdnResult result, wire::L2tpErrorCode error, std::string msg,
                   Millis now);

  TunnelHost& m_host;
  std::uint16_t m_local_id;
  std::uint16_t m_peer_id = 0;
  PeerAddr m_peer;
  bool m_initiator;
  TunnelState m_state = TunnelState::idle;
  std::optional<Error> m_failure;
  std::unique_ptr<ControlChannel> m_channel;
  std::optional<std::uint64_t> m_tie_breaker;
  Bytes m_our_challenge;   // sent in SCCRQ/SCCRP; the peer must answer it
  std::string m_peer_host;
  std::map<std::uint16_t, std::unique_ptr<Session>> m_sessions;
  std::uint32_t m_next_serial = 1;
  Millis m_setup_deadline;
  Millis m_last_rx;
  std::optional<Millis> m_close_at;
  bool m_sent_stop = false;
  TunnelStats m_stats;
};

}  // namespace ipseckit::l2tp
