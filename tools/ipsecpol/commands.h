// The ipsecpol tool's commands, one file each.
#pragma once

#include <string>
#include <vector>

#include "common/tool_common.h"

namespace ipseckit::ipsecpol {

inline constexpr const char* kTool = "ipsecpol";

// Windows syntax (everything that is not one of our subcommands). Returns the exit code.
int run_windows(const std::vector<std::string>& args, const tool::StoreOptions& store);
// `show ...` query mode (also reached through Windows syntax).
int run_show(const std::vector<std::string>& words, bool json, const tool::StoreOptions& store);
// Our extensions: export, import, check, netsh (CLI11).
int run_subcommand(int argc, const char* const* argv);

void print_short_usage(std::FILE* out);
void print_extended_usage(std::FILE* out);

}  // namespace ipseckit::ipsecpol
