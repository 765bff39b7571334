// espd's piece of the host's network configuration (ARCHITECTURE.md "Data plane"): the TUN
// device, the policy-routing rule `not fwmark M lookup T` (priority P) and the routes in
// table T that send protected destinations into the TUN. Everything is undone on
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
};

class NetSetup {
 public:
  static Result<NetSetup> create(const NetOptions& opt);
  NetSetup(NetSetup&&) = default;
  NetSetup& operator=(NetSetup&&) = delete;
  ~NetSetup();

  int tun_fd() const { return m_tun.fd(); }
  const std::string& tun_name() const { return m_tun.name(); }
  bool tun_vnet() const { return m_tun.vnet_hdr(); }
  // Makes table T hold exactly these IPv4 destinations (others are skipped: IPv4 data plane).
  void set_routes(const std::set<wire::IpPrefix>& dsts);
  const std::set<wire::IpPrefix>& routes() const { return m_routes; }

 private:
  NetSetup(NetOptions opt, sys::TunDevice tun) : m_opt(std::move(opt)), m_tun(std::move(tun)) {}
  sys::rtnl::Rule rule() const;
  sys::rtnl::Route route(const wire::IpPrefix& p) const;
  NetOptions m_opt;
  sys::TunDevice m_tun;
  std::set<wire::IpPrefix> m_routes;
  bool m_rule = false;
};

}  // namespace ipseckit::espd
