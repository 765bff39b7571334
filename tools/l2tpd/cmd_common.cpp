#include <fmt/format.h>

#include <cstdio>

#include "base/log.h"
#include "l2tpd/commands.h"

namespace ipseckit::l2tpd {

int usage_error(const std::string& option, const std::string& value, const std::string& why) {
  std::fputs(fmt::format("{}: {} '{}': {}\n", kTool, option, value, why).c_str(), stderr);
  return tool::kExitUsage;
}

bool setup_logging(const Common& common) {
  log::Level l{};
  if (!log::parse_level(common.log_level, l)) return false;
  log::set_ident(kTool);
  log::set_level(l);
  return true;
}

}  // namespace ipseckit::l2tpd
