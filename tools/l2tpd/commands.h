// l2tpd's subcommands, one file each (STYLE.md #13). Each add_* registers its subcommand and
// returns the function that runs it once parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "common/tool_common.h"

namespace ipseckit::l2tpd {

inline constexpr const char* kTool = "l2tpd";

struct Common {
  tool::StoreOptions store;
  std::string log_level = "control";
};

struct Runner {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

Runner add_serve(CLI::App& app, Common& common);
Runner add_connect(CLI::App& app, Common& common);
Runner add_sessions(CLI::App& app, Common& common);
Runner add_disconnect(CLI::App& app, Common& common);
Runner add_user(CLI::App& app, Common& common);

// Usage error (exit 2) naming the option and the offending value.
int usage_error(const std::string& option, const std::string& value, const std::string& why);
struct DaemonOptions;
// --tunnel-secret-file and --psk-file (both refused when group/world-readable) into the
// daemon's options; 0, or the exit status after reporting the error.
int load_secrets(const std::string& tunnel_secret_file, const std::string& psk_file, bool no_ipsec,
                 DaemonOptions& o);
// Applies --log-level and the "l2tpd" log ident.
bool setup_logging(const Common& common);

}  // namespace ipseckit::l2tpd
