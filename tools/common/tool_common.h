// Shared by every tool (STYLE.md #13, #15): the store options added in one place, connecting,
// and one way to report errors. stdout is data only; diagnostics go to stderr prefixed with
// the tool's name; exit 0 success, 1 failed, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/client.h"

namespace ipseckit::tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct StoreOptions {
  std::string socket;
  std::string state_dir;
};

// --socket PATH, --state-dir DIR
void add_store_options(CLI::App& app, StoreOptions& opt);

// Connects (auto-starting the agent unless autostart is false).
Result<store::Client> connect(const StoreOptions& opt, bool autostart = true);

// "usage" errors exit 2, everything else 1.
int exit_code(const Error& e);
// Prints "<tool>: <message>" on stderr and returns exit_code(e).
int fail(std::string_view tool, const Error& e);
void warn(std::string_view tool, std::string_view message);

// Runs app.parse with the project's exit codes (CLI11's --help exits 0, errors exit 2).
int parse_cli(CLI::App& app, int argc, const char* const* argv, bool& done);

}  // namespace ipseckit::tool
