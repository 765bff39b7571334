// espd's TUN, rule and routes (net_setup.h).
#include "net_setup.h"

#include <fstream>
#include <utility>

#include "base/log.h"
#include "sys/rtnl_dump.h"

namespace ipseckit::espd {

namespace rtnl = sys::rtnl;

rtnl::Rule NetSetup::rule(bool v6) const {
  rtnl::Rule r;
  r.v6 = v6;
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
  // Leftovers of a previous run that did not exit cleanly: every rule (IPv4 and IPv6) that
  // looks up table T (routes in T went with its TUN, which is not persistent).
  for (const bool v6 : {false, true}) {
    if (auto rules = rtnl::rule_list(v6); rules) {
      for (const auto& r : *rules) {
        if (r.table != opt.table) continue;
        if (auto s = rtnl::rule_del(r); s)
          log::msg(log::Subsys::net, log::Level::control, "removed a leftover {}rule (priority {}) of table {}",
                   v6 ? "IPv6 " : "", r.priority, opt.table);
      }
    } else {
      log::msg(log::Subsys::net, log::Level::audit, "{}", rules.error().message);
    }
  }
  sys::TunOptions to;
  to.name = opt.tun;
  to.vnet_hdr = opt.offload;
  to.queues = opt.queues;
  to.offload = opt.offload ? sys::tun_offload_flags() : 0;
  auto tun = sys::TunDevice::open(to);
  if (!tun) return tun.error();
  if (opt.queues > 1) {  // flows spread by hash, whichever worker decrypts their peer (sys/tun.h)
    if (auto s = tun->steer_by_hash(); !s)
      log::msg(log::Subsys::net, log::Level::audit, "{}: the kernel's own queue choice is kept", s.error().message);
  }
  if (opt.offload && !tun->offloads())
    log::msg(log::Subsys::net, log::Level::control, "TUN offloads refused ({}): one packet per read", tun->offload_error());
  NetSetup n(opt, std::move(*tun));
  // IPv6 stays on (the kernel neither routes into nor accepts from a TUN with disable_ipv6),
  // but the TUN gets no link-local address (addr_gen_mode 1: none), accepts no router
  // advertisements and sends no router solicitations: nothing of its own enters espd.
  const std::string conf = "/proc/sys/net/ipv6/conf/" + n.m_tun.name() + "/";
  for (const auto& [key, val] : {std::pair{"addr_gen_mode", "1"}, {"accept_ra", "0"}, {"router_solicitations", "0"},
                                 {"accept_dad", "0"}, {"disable_ipv6", "0"}})
    if (std::ofstream f(conf + key); f) f << val << "\n";
  IPSECKIT_TRY(rtnl::link_mtu(n.m_tun.name(), opt.mtu));
  IPSECKIT_TRY(rtnl::link_up(n.m_tun.name(), true));
  IPSECKIT_TRY(rtnl::rule_add(n.rule(false)));
  n.m_rule = true;
  if (auto s = rtnl::rule_add(n.rule(true)); s)
    n.m_rule6 = true;
  else  // a kernel without IPv6: the IPv4 data plane still works
    log::msg(log::Subsys::net, log::Level::audit, "IPv6 rule for table {}: {}", opt.table, s.error().message);
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
    if (m_routes.count(p) || (p.addr.is_v6() && !m_rule6)) continue;
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
  if (m_rule) (void)rtnl::rule_del(rule(false));
  if (m_rule6) (void)rtnl::rule_del(rule(true));
}

}  // namespace ipseckit::espd
