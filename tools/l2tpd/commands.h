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

// The options serve and connect share: the L2TP tunnel secret, keepalives and retransmissions,
// and the L2TP/IPsec policy's pre-shared key (or none with --no-ipsec).
struct LinkArgs {
  std::string tunnel_secret_file, psk_file;
  unsigned keepalive = 0;
  unsigned retransmits = 0;
  bool no_ipsec = false;
};
void add_link_options(CLI::App& s, LinkArgs& a);
struct DaemonOptions;
// LinkArgs into the daemon's options, --tunnel-secret-file and --psk-file read (both refused
// when group/world-readable); 0, or the exit status after reporting the error.
int apply_link_args(const LinkArgs& a, DaemonOptions& o);
// Applies --log-level and the "l2tpd" log ident.
bool setup_logging(const Common& common);

}  // namespace ipseckit::l2tpd
