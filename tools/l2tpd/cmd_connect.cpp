// l2tpd connect: the LAC (client), as a Windows L2TP/IPsec client dials.
#include <fmt/format.h>

#include "l2tpd/commands.h"
#include "l2tpd/daemon.h"
#include "l2tpd/secrets.h"

namespace ipseckit::l2tpd {

namespace {

struct ConnectArgs {
  std::string peer, user, password_file, tun = "l2tpc%d", host_name = "ipseckit";
  std::vector<std::string> routes;
  unsigned port = 1701;
  LinkArgs link;
};

int run_connect(const ConnectArgs& a, const Common& common) {
  if (!setup_logging(common)) return usage_error("--log-level", common.log_level, "not a log level");
  DaemonOptions o;
  o.server = false;
  o.store = common.store;
  o.tun_name = a.tun;
  o.port = static_cast<std::uint16_t>(a.port);
  o.host_name = a.host_name;
  // PEER: ADDR or ADDR:PORT
  std::string addr = a.peer;
  std::uint16_t peer_port = 1701;
  if (const auto colon = a.peer.find(':'); colon != std::string::npos) {
    addr = a.peer.substr(0, colon);
    const std::string p = a.peer.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) == 0 ||
        std::stoul(p) > 65535)
      return usage_error("PEER", a.peer, "bad port");
    peer_port = static_cast<std::uint16_t>(std::stoul(p));
  }
  auto ip = wire::IpAddr::parse_v4(addr);
  if (!ip) return usage_error("PEER", a.peer, "expected an IPv4 address, optionally with :PORT");
  o.peer = l2tp::PeerAddr{*ip, peer_port};
  for (const auto& r : a.routes) {
    auto p = wire::IpPrefix::parse(r);
    if (!p || !p->addr.is_v4()) return usage_error("--route", r, "not an IPv4 prefix");
    o.routes.push_back(*p);
  }
  o.user = a.user;
  auto pw = read_secret_file(a.password_file, "password file");
  if (!pw) return tool::fail(kTool, pw.error());
  o.password = std::move(pw.value());
  if (int rc = apply_link_args(a.link, o)) return rc;
  return run_daemon(std::move(o));
}

}  // namespace

Runner add_connect(CLI::App& app, Common& common) {
  auto a = std::make_shared<ConnectArgs>();
  auto* s = app.add_subcommand("connect", "connect to an LNS (client) and stay in the foreground");
  s->add_option("PEER", a->peer, "the LNS: IPv4 address, optionally :PORT")->required();
  s->add_option("--user", a->user, "PPP user name")->required();
  s->add_option("--password-file", a->password_file, "file whose first line is the password (mode 600)")->required();
  add_link_options(*s, a->link);
  s->add_option("--route", a->routes, "a prefix to route through the PPP link (repeatable)");
  s->add_option("--port", a->port, "local UDP port (default 1701)")->check(CLI::Range(1u, 65535u));
  s->add_option("--tun", a->tun, "TUN device name, may end in %d (default l2tpc%d)");
  s->add_option("--host-name", a->host_name, "Host Name AVP (default ipseckit)");
  s->add_option("--log-level", common.log_level, "audit, control, diag, raw or private (default control)");
  tool::add_store_options(*s, common.store);
  return Runner{s, [a, &common] { return run_connect(*a, common); }};
}

}  // namespace ipseckit::l2tpd
