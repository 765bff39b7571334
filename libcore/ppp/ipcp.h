// IPCP (RFC 1332) with the DNS and NBNS options of RFC 1877, plugged into the §4 automaton.
//
// Server (the LNS): requests IP-Address = its own address; answers the client's IP-Address
// with Configure-Nak carrying the assigned address (pool or per-user static) until the client
// asks for exactly that one, and the DNS/NBNS options likewise with the configured servers
// (Configure-Reject when none is configured). VJ compression and the deprecated
// IP-Addresses option are rejected. A request without IP-Address gets a Nak proposing one.
// Client (the LAC): requests IP-Address 0.0.0.0 and, if asked to, Primary/Secondary DNS
// 0.0.0.0, takes the values of the server's Nak, drops what the server rejects; accepts the
// server's own non-zero IP-Address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "ppp/common.h"
#include "ppp/fsm.h"
#include "wire/ip_address.h"

namespace ipseckit::ppp {

struct IpcpConfig {
  Role role = Role::client;
  // server
  wire::IpAddr local;                        // our end of the link
  std::optional<wire::IpAddr> dns1, dns2, nbns1, nbns2;
  // client
  bool request_dns = true;
  bool request_nbns = false;
  std::optional<wire::IpAddr> want;          // the address to ask for (default 0.0.0.0: assign one)
  unsigned max_failure = 5;
};

struct IpcpAgreed {
  wire::IpAddr local;   // our address
  wire::IpAddr peer;    // the peer's address
  std::optional<wire::IpAddr> dns1, dns2, nbns1, nbns2;  // client: what the server gave us
};

class IpcpOwner {
 public:
  virtual ~IpcpOwner() = default;
  virtual void ipcp_send(const wire::CpPacket& p) = 0;
  virtual void ipcp_up() = 0;
  virtual void ipcp_down() = 0;
  virtual void ipcp_finished() = 0;
  virtual void ipcp_failure(Error e) = 0;
};

class Ipcp final : public FsmHandler {
 public:
  Ipcp(IpcpConfig config, FsmConfig fsm, IpcpOwner& owner);
  Fsm& fsm() { return m_fsm; }
  const Fsm& fsm() const { return m_fsm; }
  // Server: the address the client gets (before open()).
  void set_peer_address(const wire::IpAddr& a) { m_assigned = a; }
  const IpcpAgreed& agreed() const { return m_agreed; }

  Bytes request_options() override;
  std::optional<Verdict> check_request(ByteView options, Bytes& reply) override;
  void acked(ByteView options) override;
  bool naked(ByteView options) override;
  bool rejected(ByteView options) override;
  void send(const wire::CpPacket& p) override { m_owner.ipcp_send(p); }
  void this_layer_up() override { m_owner.ipcp_up(); }
  void this_layer_down() override { m_owner.ipcp_down(); }
  void this_layer_finished() override { m_owner.ipcp_finished(); }

 private:
  std::optional<Verdict> check_as_server(const std::vector<wire::CpOption>& opts, Bytes& reply);
  std::optional<Verdict> check_as_client(const std::vector<wire::CpOption>& opts, Bytes& reply);

  IpcpConfig m_config;
  IpcpOwner& m_owner;
  Fsm m_fsm;
  IpcpAgreed m_agreed;
  std::optional<wire::IpAddr> m_assigned;   // server: the client's address
  // client: what we request now (nullopt: no longer requested after a Reject)
  std::optional<wire::IpAddr> m_req_addr;
  std::optional<wire::IpAddr> m_req_dns1, m_req_dns2, m_req_nbns1, m_req_nbns2;
  bool m_send_addr = true;
  unsigned m_naks_sent = 0;
};

}  // namespace ipseckit::ppp
