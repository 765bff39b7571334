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

int load_secrets(const std::string& tunnel_secret_file, const std::string& psk_file, bool no_ipsec,
                 DaemonOptions& o) {
  if (!tunnel_secret_file.empty()) {
    auto s = read_secret_file(tunnel_secret_file, "tunnel secret file");
    if (!s) return tool::fail(kTool, s.error());
    o.tunnel_secret = std::move(s.value());
  }
  if (!psk_file.empty()) {
    if (no_ipsec) return usage_error("--psk-file", psk_file, "makes no sense with --no-ipsec");
    auto k = read_secret_file(psk_file, "pre-shared key file");
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
