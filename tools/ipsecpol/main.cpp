// ipsecpol: Windows 2000 ipsecpol.exe / XP ipseccmd syntax, plus export/import/check/netsh.
// Global options of our own (--socket, --state-dir, --json) may come first; everything else
// is handed to the Windows grammar unchanged.
#include <cstring>
#include <string>
#include <vector>

#include "ipsecpol/commands.h"

using namespace ipseckit;

int main(int argc, char** argv) {
  tool::StoreOptions store;
  bool json = false;
  std::vector<std::string> args;
  int i = 1;
  // Leading long options of ours; Windows flags are single-dash, so no clash.
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name, std::string& out) {
      std::string n = name;
      if (a == n && i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      if (a.rfind(n + "=", 0) == 0) {
        out = a.substr(n.size() + 1);
        return true;
      }
      return false;
    };
    if (value("--socket", store.socket) || value("--state-dir", store.state_dir)) continue;
    if (a == "--json") {
      json = true;
      continue;
    }
    if (a == "--version") {
      std::printf("ipsecpol (ipseckit) %s\n", IPSECKIT_VERSION);
      return 0;
    }
    if (a == "--help") {
      ipsecpol::print_extended_usage(stdout);
      return 0;
    }
    break;
  }
  for (; i < argc; ++i) args.emplace_back(argv[i]);
  if (!args.empty() && (args[0] == "export" || args[0] == "import" || args[0] == "check" || args[0] == "netsh")) {
    // Re-assemble argv for CLI11: program, subcommand args, and the global options.
    std::vector<std::string> v{argv[0]};
    v.insert(v.end(), args.begin(), args.end());
    if (!store.socket.empty()) v.insert(v.end(), {"--socket", store.socket});
    if (!store.state_dir.empty()) v.insert(v.end(), {"--state-dir", store.state_dir});
    if (json) v.emplace_back("--json");
    std::vector<const char*> cv;
    for (const auto& s : v) cv.push_back(s.c_str());
    return ipsecpol::run_subcommand(static_cast<int>(cv.size()), cv.data());
  }
  if (!args.empty() && (args[0] == "show" || args[0] == "SHOW" || args[0] == "Show")) {
    // Query mode also takes our options after its keywords: `ipsecpol show all --json`.
    std::vector<std::string> words;
    for (std::size_t k = 1; k < args.size(); ++k) {
      if (args[k] == "--json") json = true;
      else if ((args[k] == "--socket" || args[k] == "--state-dir") && k + 1 < args.size())
        (args[k] == "--socket" ? store.socket : store.state_dir) = args[k + 1], ++k;
      else words.push_back(args[k]);
    }
    return ipsecpol::run_show(words, json, store);
  }
  if (json && !args.empty()) {
    tool::warn(ipsecpol::kTool, "--json applies to read commands (show, check, export) only");
    return tool::kExitUsage;
  }
  return ipsecpol::run_windows(args, store);
}
