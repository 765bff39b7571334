// espd's TUN, rule and routes (net_setup.h).
#include "net_setup.h"

#include <fstream>

#include "base/log.h"
#include "sys/rtnl_dump.h"

namespace ipseckit::espd {

namespace rtnl = sys::rtnl;

rtnl::Rule NetSetup::rule() const {
  rtnl::Rule r;
  r.priority = m_opt.priority;
  r.table = m_opt.table;
  r.fwmark = m_opt.mark;
  r.invert = true;
  return r;
}

rtnl::Route NetSetup::route(const wire::IpPrefix& p) const {
  rtnl::Route r;
  r.dst = p;
  r.dev = m_tun.name();
  r.table = m_opt.table;
  return r;
}

Result<NetSetup> NetSetup::create(const NetOptions& opt) {
  // Leftovers of a previous run that did not exit cleanly: every rule that looks up table T
  // (routes in T went with its TUN, which is not persistent).
  if (auto rules = rtnl::rule_list(); rules) {
    for (const auto& r : *rules) {
      if (r.table != opt.table) continue;
      if (auto s = rtnl::rule_del(r); s)
        log::msg(log::Subsys::net, log::Level::control, "removed a leftover rule (priority {}) of table {}", r.priority,
                 opt.table);
    }
  } else {
    log::msg(log::Subsys::net, log::Level::audit, "{}", rules.error().message);
  }
  sys::TunOptions to;
  to.name = opt.tun;
  to.vnet_hdr = opt.offload;
  to.offload = opt.offload ? sys::tun_offload_flags() : 0;
  auto tun = sys::TunDevice::open(to);
  if (!tun) return tun.error();
  if (opt.offload && !tun->offloads())
    log::msg(log::Subsys::net, log::Level::control, "TUN offloads refused ({}): one packet per read", tun->offload_error());
  NetSetup n(opt, std::move(*tun));
  // IPv4 data plane: no IPv6 link-local address, router solicitations or MLD on the TUN.
  if (std::ofstream f("/proc/sys/net/ipv6/conf/" + n.m_tun.name() + "/disable_ipv6"); f) f << "1\n";
  IPSECKIT_TRY(rtnl::link_mtu(n.m_tun.name(), opt.mtu));
  IPSECKIT_TRY(rtnl::link_up(n.m_tun.name(), true));
  IPSECKIT_TRY(rtnl::rule_add(n.rule()));
  n.m_rule = true;
  return n;
}

void NetSetup::set_routes(const std::set<wire::IpPrefix>& dsts) {
  for (auto it = m_routes.begin(); it != m_routes.end();) {
    if (dsts.count(*it)) {
      ++it;
      continue;
    }
    if (auto s = rtnl::route_del(route(*it)); !s)
      log::msg(log::Subsys::net, log::Level::control, "removing route {} from table {}: {}", it->str(), m_opt.table,
               s.error().message);
    it = m_routes.erase(it);
  }
  for (const auto& p : dsts) {
    if (m_routes.count(p) || !p.addr.is_v4()) continue;
    if (auto s = rtnl::route_add(route(p)); !s) {
      log::msg(log::Subsys::net, log::Level::audit, "adding route {} dev {} table {}: {}", p.str(), m_tun.name(),
               m_opt.table, s.error().message);
      continue;
    }
    log::msg(log::Subsys::net, log::Level::diag, "route {} dev {} table {}", p.str(), m_tun.name(), m_opt.table);
    m_routes.insert(p);
  }
}

NetSetup::~NetSetup() {
  if (m_tun.queues() == 0) return;  // moved from
  for (const auto& p : m_routes) (void)rtnl::route_del(route(p));
  if (m_rule) (void)rtnl::rule_del(rule());
}

}  // namespace ipseckit::espd
