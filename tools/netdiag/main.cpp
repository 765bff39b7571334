// netdiag: `netdiag /test:ipsec [/v] [/debug]` (Windows spelling), `netdiag ipsec
// [--verbose] [--json]`, `netdiag filters [--specific] [--json]`, `netdiag sas [--json]` and
// `netdiag stats [--json]`.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/strings.h"
#include "netdiag/report.h"

using namespace ipseckit;
using namespace ipseckit::netdiag;

namespace {

int run_ipsec(const tool::StoreOptions& so, bool verbose, bool debug, bool as_json) {
  auto r = gather(so);
  if (as_json) std::fputs((ipsec_json(r, verbose || debug).dump(2) + "\n").c_str(), stdout);
  else std::fputs(ipsec_text(r, verbose, debug).c_str(), stdout);
  return result_word(r) == "Passed" ? tool::kExitOk : tool::kExitFailed;
}

int run_filters(const tool::StoreOptions& so, bool specific, bool as_json) {
  auto r = gather(so);
  if (!r.agent_running)
    return tool::fail(kTool, Error::make("failed", fmt::format("the policy agent is not running on {}", r.socket)));
  if (!r.spd) return tool::fail(kTool, Error::make("failed", "no effective SPD: " + r.spd_error));
  if (as_json) std::fputs((filters_json(*r.spd, specific).dump(2) + "\n").c_str(), stdout);
  else std::fputs(filters_text(*r.spd, specific).c_str(), stdout);
  return tool::kExitOk;
}

// Windows spelling: /test:ipsec /v /debug /q /? (case-insensitive, '-' works too).
int run_windows(int argc, char** argv, tool::StoreOptions so) {
  bool verbose = false, debug = false, ipsec = false, as_json = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      as_json = true;
      continue;
    }
    if (a == "--socket" && i + 1 < argc) {
      so.socket = argv[++i];
      continue;
    }
    std::string w = str::to_lower(a.substr(1));
    if (w == "v") verbose = true;
    else if (w == "debug") debug = true;
    else if (w == "q") continue;
    else if (w == "?" || w == "h") {
      std::puts("usage: netdiag /test:ipsec [/v] [/debug] [--json]\n       netdiag ipsec|filters|sas|stats ... (see netdiag --help)");
      return tool::kExitOk;
    } else if (w.rfind("test:", 0) == 0) {
      if (w.substr(5) != "ipsec") {
        tool::warn(kTool, fmt::format("test \"{}\" is not available here: only /test:ipsec", a.substr(6)));
        return tool::kExitUsage;
      }
      ipsec = true;
    } else {
      tool::warn(kTool, fmt::format("unknown option \"{}\" (argument {})", a, i));
      return tool::kExitUsage;
    }
  }
  if (!ipsec) {
    tool::warn(kTool, "only the IP Security test exists here: use /test:ipsec");
    return tool::kExitUsage;
  }
  return run_ipsec(so, verbose, debug, as_json);
}

}  // namespace

int main(int argc, char** argv) {
  tool::StoreOptions so;
  if (argc > 1 && argv[1][0] == '/') return run_windows(argc, argv, so);
  CLI::App app{"netdiag: IPsec diagnostics (policy agent, assigned policy, effective filters, SAs, statistics)", "netdiag"};
  app.set_version_flag("--version", std::string("netdiag (ipseckit) ") + IPSECKIT_VERSION);
  tool::add_store_options(app, so);
  app.require_subcommand(1);
  bool verbose = false, debug = false, as_json = false, specific = false;
  auto* ip = app.add_subcommand("ipsec", "The IP Security test: agent, assigned policy, dynamic rules, effective SPD");
  ip->add_flag("-v,--verbose", verbose, "Also the rules and the generic filter table");
  ip->add_flag("--debug", debug, "Also the specific (per-address) filters");
  ip->add_flag("--json", as_json, "JSON output");
  auto* fl = app.add_subcommand("filters", "The compiled SPD's filters");
  fl->add_flag("--specific", specific, "Specific filters (me expanded to this host's addresses)");
  fl->add_flag("--json", as_json, "JSON array, one object per filter");
  auto* sa = app.add_subcommand("sas", "Phase-1 and phase-2 SAs (ike/mm, ike/qm) and the data plane's SAs (esp/sa)");
  sa->add_flag("--json", as_json, "JSON object: main_mode, quick_mode, data_plane arrays");
  auto* st = app.add_subcommand("stats", "IKE (ikeview) and IPSec (espd) statistics");
  st->add_flag("--json", as_json, "JSON object: ike, ipsec (null when the daemon has not published)");
  bool done = false;
  int rc = tool::parse_cli(app, argc, argv, done);
  if (done) return rc;
  if (ip->parsed()) return run_ipsec(so, verbose, debug, as_json);
  if (sa->parsed()) return run_sas(so, as_json);
  if (st->parsed()) return run_stats(so, as_json);
  return run_filters(so, specific, as_json);
}
