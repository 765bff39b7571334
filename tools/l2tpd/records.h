// What l2tpd keeps in the state store (all volatile keys; see man/l2tpd.8 "STORE KEYS"):
//
//   l2tp/tunnel/<T>          one L2TP tunnel of a running l2tpd (T: our tunnel ID)
//   l2tp/session/<T>-<S>     one call on it (S: our session ID) with its PPP state and counters
//   l2tp/node/<PID>          the daemon's L2TP node counters (tunnels, half-open, sessions,
//                            malformed, unknown_tunnel, wrong_peer, refused_tunnels), each second
//   l2tp/request/disconnect/<ID>   written by `l2tpd disconnect ID`; the daemon that owns ID
//                            clears the call (CDN) or the tunnel (StopCCN) and deletes it
//   dynamic/{GUID}           the automatic L2TP/IPsec policy while the daemon runs with IPsec
//
// Every record carries the daemon's pid; records of daemons that are gone are removed by the
// next l2tpd that starts on the same store and skipped by `l2tpd sessions`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secure_bytes.h"
#include "policy/defaults.h"
#include "store/client.h"
#include "wire/ip_address.h"

namespace ipseckit::l2tpd {

inline constexpr const char* kTunnelPrefix = "l2tp/tunnel/";
inline constexpr const char* kSessionPrefix = "l2tp/session/";
inline constexpr const char* kNodePrefix = "l2tp/node/";
inline constexpr const char* kDisconnectPrefix = "l2tp/request/disconnect/";

std::string session_id(std::uint16_t tunnel, std::uint16_t session);  // "T-S"

struct TunnelRecord {
  std::uint16_t tunnel_id = 0, peer_tunnel_id = 0;
  std::string peer;       // "ADDR:PORT"
  std::string role;       // "lns" | "lac"
  std::string state;      // "established", "closing", ...
  std::string peer_host;  // the peer's Host Name AVP
  bool ipsec = false;
  store::Json to_json() const;
};

struct SessionRecord {
  std::uint16_t tunnel_id = 0, session_id = 0, peer_session_id = 0;
  std::string peer;
  std::string role;
  std::string state;  // "connecting", "authenticating", "established"
  std::string user;
  std::string address;        // the client's IPCP address ("" until IPCP is up)
  std::string local_address;  // our end of the PPP link
  std::string auth;           // "MS-CHAPv2", ...
  std::string interface;      // the TUN
  std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0, dropped = 0;
  bool ipsec = false;
  store::Json to_json() const;
};

// Writes and removes the daemon's records; store failures are logged, never fatal.
class Records {
 public:
  explicit Records(store::Client& c) : m_c(c) {}
  void put_tunnel(const TunnelRecord& t);
  void del_tunnel(std::uint16_t id);
  void put_sessions(const std::vector<SessionRecord>& s);  // one transaction
  void del_session(std::uint16_t tunnel, std::uint16_t session);
  // l2tp/node/<our pid>: the node's counters (pid and updated added here).
  void put_node(store::Json counters);
  // Removes records and requests of l2tpd processes that no longer exist.
  void remove_stale();
  // Deletes everything this process wrote (on exit).
  void remove_own();

  // The automatic L2TP/IPsec policy (policy::l2tp_policy) as dynamic/{GUID}.
  Status plumb_ipsec(const policy::L2tpPolicyOptions& opt);
  void unplumb_ipsec();
  const std::string& ipsec_key() const { return m_ipsec_key; }

 private:
  void run(const store::Txn& t, const char* what);
  store::Client& m_c;
  std::string m_ipsec_id;
  std::string m_ipsec_key;
};

bool process_alive(std::int64_t pid);

// The automatic L2TP/IPsec policy's options for this daemon: server or client (towards
// `server`), certificate authentication, or the pre-shared key `psk` when it is not empty.
policy::L2tpPolicyOptions l2tp_policy_options(bool is_server, const wire::IpAddr& server, const SecureBytes& psk);
// DF on the L2TP socket, no local fragmentation (IP_PMTUDISC_DO): a non-first fragment has no
// UDP ports, would not match the UDP 1701 filter and could leave in clear (RFC 4301 §7).
Status never_fragment(int udp_fd);

}  // namespace ipseckit::l2tpd
