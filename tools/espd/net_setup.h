// espd's piece of the host's network configuration (ARCHITECTURE.md "Data plane"): the TUN
// device, the policy-routing rules `not fwmark M lookup T` (priority P; one IPv4, one IPv6)
// and the routes (IPv4 and IPv6) in table T that send protected destinations into the TUN. Everything is undone on
// destruction; leftovers of a crashed run (the rule, routes in T) are removed at start.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "base/result.h"
#include "sys/mark.h"
#include "sys/rtnl.h"
#include "sys/tun.h"
#include "wire/ip_address.h"

namespace ipseckit::espd {

struct NetOptions {
  std::string tun = "ipsec0";
  std::uint32_t mark = sys::kDaemonMark;
  std::uint32_t table = 220;
  std::uint32_t priority = 220;
  unsigned mtu = 1400;
  bool offload = true;  // TUN with IFF_VNET_HDR + TSO (tun_io.h), if the kernel agrees
  unsigned queues = 1;  // > 1: IFF_MULTI_QUEUE, one queue per worker (espd --workers)
};

class NetSetup {
 public:
  static Result<NetSetup> create(const NetOptions& opt);
  NetSetup(NetSetup&&) = default;
  NetSetup& operator=(NetSetup&&) = delete;
  ~NetSetup();

  int tun_fd(std::size_t queue = 0) const { return m_tun.fd(queue); }
  const std::string& tun_name() const { return m_tun.name(); }
  bool tun_vnet() const { return m_tun.vnet_hdr(); }
  // Makes table T hold exactly these destinations (IPv6 ones only when the IPv6 rule exists).
  void set_routes(const std::set<wire::IpPrefix>& dsts);
  const std::set<wire::IpPrefix>& routes() const { return m_routes; }

 private:
  NetSetup(NetOptions opt, sys::TunDevice tun) : m_opt(std::move(opt)), m_tun(std::move(tun)) {}
  sys::rtnl::Rule rule(bool v6) const;
  sys::rtnl::Route route(const wire::IpPrefix& p) const;
  NetOptions m_opt;
  sys::TunDevice m_tun;
  std::set<wire::IpPrefix> m_routes;
  bool m_rule = false;
  bool m_rule6 = false;
};

}  // namespace ipseckit::espd
