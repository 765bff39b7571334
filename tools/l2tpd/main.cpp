// l2tpd: an L2TP (RFC 2661) LNS and LAC with its own userspace PPP. See man/l2tpd.8.
#include <cstdio>
#include <vector>

#include "l2tpd/commands.h"

using namespace ipseckit;

int main(int argc, char** argv) {
  CLI::App app{"l2tpd: L2TP/IPsec VPN server (serve) and client (connect) with userspace PPP over TUN", "l2tpd"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "l2tpd (ipseckit) " IPSECKIT_VERSION);
  l2tpd::Common common;
  std::vector<l2tpd::Runner> runners;
  for (auto add : {l2tpd::add_serve, l2tpd::add_connect, l2tpd::add_sessions, l2tpd::add_disconnect, l2tpd::add_user})
    runners.push_back(add(app, common));
  bool done = false;
  const int rc = tool::parse_cli(app, argc, argv, done);
  if (done) return rc;
  for (const auto& r : runners)
    if (r.sub->parsed()) return r.run();
  std::fputs("l2tpd: no subcommand\n", stderr);
  return tool::kExitUsage;
}
