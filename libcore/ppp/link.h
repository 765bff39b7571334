// One PPP link (RFC 1661 §3): the phases Dead -> Establish (LCP) -> Authenticate (PAP, CHAP,
// MS-CHAPv2, either or both directions) -> Network (IPCP) -> Terminate, carried in frames the
// caller moves (over an L2TP session here).
//
// Like the L2TP engine it touches nothing itself: frames leave through Send, time and
// randomness come from Env, and what happens is reported as LinkEvents after the call that
// caused it returns (so the sink may call back into the link). A link is used once: after its
// down event it stays dead; a new call gets a new Link.
//
// Packets of a phase not yet reached are discarded (§3.5, §3.6: authentication before the
// Authenticate phase, IPCP and IP before Network). Other protocols get an LCP
// Protocol-Reject once LCP is open (Windows offers CCP and IPV6CP). A Protocol-Reject of IPCP
// ends IPCP (RXJ-); of anything else is noted (RXJ+).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"
#include "ppp/auth.h"
#include "ppp/common.h"
#include "ppp/fsm.h"
#include "ppp/ipcp.h"
#include "ppp/lcp.h"
#include "ppp/pool.h"
#include "ppp/users.h"

namespace ipseckit::ppp {

enum class Phase { dead, establish, authenticate, network, terminate };
std::string name(Phase p);

struct LinkConfig {
  Role role = Role::client;
  std::string name = "ipseckit";   // our CHAP Name; the server field matched in the users file
  LcpConfig lcp;                   // lcp.require_auth (server) / lcp.accept_auth (client)
  IpcpConfig ipcp;                 // role is taken from `role`
  FsmConfig fsm;
  AuthConfig auth;
  // client: our credentials
  std::string user;
  SecureBytes password;
  // server: who may log in and which addresses they get (not owned)
  const UserDb* users = nullptr;
  AddressPool* pool = nullptr;
  // §5.8 keepalive: an Echo-Request every interval (0: none); the link fails after
  // echo_failures unanswered ones.
  Millis echo_interval{30000};
  unsigned echo_failures = 4;
};

struct LinkInfo {
  std::string user;                         // who logged in (server) / who we are (client)
  std::optional<AuthProtocol> auth;         // how
  LcpAgreed lcp;
  IpcpAgreed ip;                            // local/peer address, DNS/NBNS
  std::optional<std::array<std::uint8_t, 16>> mppe_master_key;  // MS-CHAPv2, RFC 3079 §3.4
};

// up: IPCP opened (again after a renegotiation); down: once, the link is finished; ip: a packet.
struct LinkEvent {
  enum class Kind { up, down, ip };
  Kind kind = Kind::ip;
  std::optional<Error> error;  // down: why
  Bytes packet;                // ip: an IPv4 packet from the peer
};

struct LinkStats {
  std::uint64_t frames_in = 0, frames_out = 0, ip_in = 0, ip_out = 0, discarded = 0, protocol_rejects_sent = 0;
};

class Link final : private LcpOwner, private IpcpOwner {
 public:
  using Send = std::function<void(ByteView frame)>;
  using Sink = std::function<void(const LinkEvent&)>;

  Link(LinkConfig config, Env env, Send send, Sink sink);
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void open();                     // the carrier is up: start LCP
  void lower_down();               // the carrier went away
  void close(std::string reason);  // administrative close: LCP Terminate-Request
  void receive(ByteView frame);
  void tick();
  std::optional<Millis> next_deadline() const;
  // An IPv4 packet to the peer; "ppp.closed" unless IPCP is open, "ppp.mtu" over the peer's MRU.
  Status send_ip(ByteView packet);

  Phase phase() const { return m_phase; }
  bool is_up() const { return m_up; }
  bool is_dead() const { return m_reported_down; }
  const LinkInfo& info() const { return m_info; }
  const std::optional<Error>& failure() const { return m_failure; }
  const Fsm& lcp_fsm() const { return m_lcp.fsm(); }
  const Fsm& ipcp_fsm() const { return m_ipcp.fsm(); }
  const LinkStats& stats() const { return m_stats; }

 private:
  class Entry;
  // LcpOwner
  void lcp_send(const wire::CpPacket& p) override;
  void lcp_up() override;
  void lcp_down() override;
  void lcp_finished() override;
  void lcp_echo_reply() override { m_echo_outstanding = 0; }
  void lcp_failure(Error e) override { fail(std::move(e)); }
  void random(std::uint8_t* out, std::size_t n) override { m_env.random(out, n); }
  // IpcpOwner
  void ipcp_send(const wire::CpPacket& p) override;
  void ipcp_up() override;
  void ipcp_down() override;
  void ipcp_finished() override;
  void ipcp_failure(Error e) override { fail(std::move(e)); }

  void set_phase(Phase next);
  void send_frame(std::uint16_t protocol, ByteView info);
  void send_cp(std::uint16_t protocol, const wire::CpPacket& p);
  void on_lcp_packet(const wire::CpPacket& p, Millis now);
  void on_auth_packet(std::uint16_t protocol, const wire::CpPacket& p, Millis now);
  void protocol_reject(std::uint16_t protocol, ByteView info);
  void take_step(const Step& s, bool server);
  void enter_network(Millis now);
  void fail(Error e);
  void report_down();
  void settle();

  LinkConfig m_config;
  Env m_env;
  Send m_send;
  Sink m_sink;
  Lcp m_lcp;
  Ipcp m_ipcp;
  Phase m_phase = Phase::dead;
  bool m_up = false;
  bool m_reported_down = false;
  std::optional<Error> m_failure;
  bool m_close_pending = false;
  std::unique_ptr<AuthTask> m_auth_server;  // we authenticate the peer
  std::unique_ptr<AuthTask> m_auth_client;  // the peer authenticates us
  bool m_server_done = false;
  bool m_client_done = false;
  std::optional<wire::IpAddr> m_lease;      // the address taken from the pool
  std::optional<Millis> m_next_echo;
  unsigned m_echo_outstanding = 0;
  LinkInfo m_info;
  LinkStats m_stats;
  std::vector<LinkEvent> m_events;
  int m_depth = 0;
  bool m_draining = false;
};

}  // namespace ipseckit::ppp
