#include <fmt/format.h>

#include <cstdio>

#include "base/log.h"
#include "l2tpd/commands.h"
#include "l2tpd/daemon.h"
#include "l2tpd/secrets.h"

namespace ipseckit::l2tpd {

int usage_error(const std::string& option, const std::string& value, const std::string& why) {
  std::fputs(fmt::format("{}: {} '{}': {}\n", kTool, option, value, why).c_str(), stderr);
  return tool::kExitUsage;
}

void add_link_options(CLI::App& s, LinkArgs& a) {
  s.add_option("--tunnel-secret-file", a.tunnel_secret_file, "L2TP tunnel authentication secret (mode 600)");
  s.add_option("--keepalive", a.keepalive,
               "seconds between LCP echoes and before an L2TP HELLO (default 30 and 60); "
               "4 unanswered echoes clear the call")
      ->check(CLI::Range(1u, 3600u));
  s.add_option("--retransmits", a.retransmits,
               "retransmissions of an unacknowledged control message before the tunnel is given up "
               "(default 5: about 31 s)")
      ->check(CLI::Range(1u, 10u));
  s.add_option("--psk-file", a.psk_file, "IKE pre-shared key of the L2TP/IPsec policy (mode 600)");
  s.add_flag("--no-ipsec", a.no_ipsec, "plain L2TP: do not plumb the L2TP/IPsec policy");
}

int apply_link_args(const LinkArgs& a, DaemonOptions& o) {
  o.ipsec = !a.no_ipsec;
  o.keepalive_s = a.keepalive;
  o.retransmits = a.retransmits;
  if (!a.tunnel_secret_file.empty()) {
    auto s = read_secret_file(a.tunnel_secret_file, "tunnel secret file");
    if (!s) return tool::fail(kTool, s.error());
    o.tunnel_secret = std::move(s.value());
  }
  if (!a.psk_file.empty()) {
    if (a.no_ipsec) return usage_error("--psk-file", a.psk_file, "makes no sense with --no-ipsec");
    auto k = read_secret_file(a.psk_file, "pre-shared key file");
    if (!k) return tool::fail(kTool, k.error());
    o.psk = std::move(k.value());
  }
  return 0;
}

bool setup_logging(const Common& common) {
  log::Level l{};
  if (!log::parse_level(common.log_level, l)) return false;
  log::set_ident(kTool);
  log::set_level(l);
  return true;
}

}  // namespace ipseckit::l2tpd
