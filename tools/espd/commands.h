// espd's subcommands (STYLE.md #13): each adds itself to the CLI and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "common/tool_common.h"

namespace ipseckit::espd {

inline constexpr const char* kTool = "espd";

// espd sa add|del|list: manual keying (like `ip xfrm state`). The returned function runs the
// chosen sa subcommand and returns the exit status.
std::function<int()> add_sa_commands(CLI::App& sa, tool::StoreOptions& store);

}  // namespace ipseckit::espd
