// The l2tpd daemon: one L2TP node on one UDP socket, one ppp::Link per call, one TUN for all
// calls, driven by a poll loop (UDP, TUN, signals, store watch, timers). The glue is the
// one tests/unit/l2tp/lac_lns_test.cpp shows: Link frames <-> Node::send_data / Event::data,
// Link down -> CDN, session down -> Link::lower_down.
//
// Server (LNS): the TUN holds our PPP address (--local, default the pool's first address)
// as a /32; each call whose IPCP is up gets a host route to its client address on the TUN;
// packets read from the TUN go to the call whose client address is their destination.
// Client (LAC): after IPCP the TUN holds the address we were given, with a host route to the
// server's PPP address and the --route prefixes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/secure_bytes.h"
#include "common/tool_common.h"
#include "l2tp/node.h"
#include "ppp/link.h"
#include "ppp/pool.h"
#include "ppp/users.h"
#include "sys/rtnl.h"
#include "wire/ip_address.h"

namespace ipseckit::l2tpd {

struct DaemonOptions {
  bool server = true;
  tool::StoreOptions store;
  std::optional<wire::IpAddr> listen;  // local UDP address (default any)
  std::uint16_t port = 1701;
  SecureBytes tunnel_secret;  // tunnel authentication + hidden AVPs
  bool ipsec = true;
  SecureBytes psk;  // the L2TP/IPsec policy's pre-shared key (empty: certificates, as Windows 2000)
  std::string tun_name;  // may end in %d
  // The PPP MTU/MRU (and the TUN's). With IPsec the L2TP datagrams go through espd's TUN
  // (MTU 1400, leaving room for ESP-in-UDP): 1400 - IP 20 - UDP 8 - L2TP 8 - PPP 4 = 1360,
  // so that no L2TP datagram is fragmented (a non-first fragment has no ports to match the
  // UDP 1701 filter). Without IPsec 1400.
  unsigned mtu = 0;  // 0: 1360 with IPsec, 1400 without
  // --keepalive S: an LCP Echo-Request every S seconds (the call is cleared after 4 unanswered,
  // RFC 1661 §5.8) and an L2TP HELLO after S seconds of silence (RFC 2661 §6.5); 0: defaults
  // (30 s and 60 s)
  unsigned keepalive_s = 0;
  // --retransmits N: an unacknowledged control message is retransmitted N times (1, 2, 4, 8, 8...
  // s apart, RFC 2661 §5.8) before the tunnel is given up; 0: the default 5 (about 31 s)
  unsigned retransmits = 0;
  // server
  ppp::MemoryUserDb users;
  wire::IpAddr pool_first, pool_last;
  std::optional<wire::IpAddr> local;  // our PPP address (default pool_first, taken out of the pool)
  std::optional<wire::IpAddr> dns1, dns2;
  std::size_t max_sessions = 10000;
  std::string host_name = "ipseckit";
  // client
  l2tp::PeerAddr peer;
  std::string user;
  SecureBytes password;
  std::vector<wire::IpPrefix> routes;
};

// Runs until SIGTERM/SIGINT (exit 0) or, for a client, until its call ends (exit 1 with the
// reason on stderr). Returns the exit status.
int run_daemon(DaemonOptions opt);

}  // namespace ipseckit::l2tpd
