// Fuzz target: bytes split on blanks and NULs into argv -> parse_ipsecpol_command, then the
// builders: static commands applied to an empty store and to the built-in policies (a
// failed apply must leave the store untouched, a successful one must validate), the result
// exported as an ipsecpol script and the script replayed (when the script notes no loss, the
// replay must recreate the policy); dynamic commands built. The same
// bytes also go through the batch and script splitters.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "policy/defaults.h"
#include "policy/ipsecpol.h"

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

std::vector<wire::IpAddr> resolve(const std::string& name) {
  std::vector<wire::IpAddr> out;
  if (name.size() % 3 == 0) return out;  // some names fail
  out.push_back(wire::IpAddr::v4(0xC0000200u + static_cast<std::uint32_t>(name.size() & 0xff)));
  if (name.size() % 3 == 2) out.push_back(*wire::IpAddr::parse("2001:db8::9"));
  return out;
}

IpsecpolBuildOptions options() {
  IpsecpolBuildOptions o;
  o.now = 1;
  return o;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}

// A policy with its rules' lists and actions resolved, without what the script does not
// carry (ids, timestamps, descriptions, list and action names).
struct Canon {
  Policy policy;
  std::vector<std::pair<std::vector<Filter>, FilterAction>> rules;
  bool operator==(const Canon&) const = default;
};

Canon canon(const PolicySet& set, const std::string& name) {
  Canon c;
  const Policy* p = set.find_policy(name);
  if (!p) fail("policy missing after replay", name);
  c.policy = *p;
  c.policy.id.clear();
  c.policy.changed = 0;
  c.policy.description.clear();
  for (auto& r : c.policy.rules) {
    const FilterList* fl = set.find_filter_list(r.filter_list);
    const FilterAction* fa = set.find_filter_action(r.filter_action);
    if (!fl || !fa) fail("dangling rule", r.name);
    FilterAction a = *fa;
    a.id.clear();
    a.name.clear();
    a.description.clear();
    c.rules.emplace_back(fl->filters, a);
    r.id.clear();
    r.filter_list.clear();
    r.filter_action.clear();
  }
  return c;
}

// Replays an exported script on an empty store. When the script notes nothing it cannot
// express (no REM line besides its first), the policy must come back equal.
void replay(const std::string& script, const PolicySet& original, const std::string& name) {
  std::size_t rems = 0;
  for (const auto& line : str::split(script, "\n"))
    if (line.substr(0, 4) == "REM ") ++rems;
  const bool exact = rems == 1;
  PolicySet store;
  for (const auto& line : split_script(script)) {
    auto cmd = parse_ipsecpol_command(line.args, resolve);
    if (!cmd) {
      if (exact) fail("exported line does not parse", cmd.error().message + "\n" + script);
      continue;
    }
    if (cmd->mode != IpsecpolMode::static_mode) fail("exported line is not static", script);
    auto r = apply_static(store, *cmd, options());
    if (!r && exact) fail("exported line does not apply", r.error().message + "\n" + script);
  }
  if (exact && !(canon(store, name) == canon(original, name))) fail("script does not recreate the policy", script);
}

void run_static(PolicySet store, const IpsecpolCommand& cmd, bool check_export) {
  const PolicySet before = store;
  auto r = apply_static(store, cmd, options());
  if (!r) {
    if (!(store == before)) fail("failed apply_static changed the store", r.error().message);
    return;
  }
  if (auto v = validate(store); !v) fail("apply_static left an invalid store", v.error().message);
  if (!r->policy.empty() && store.find_policy(r->policy)) {
    const std::string script = export_ipsecpol_script(store, r->policy, true, r->assign);
    if (check_export) replay(script, store, r->policy);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)split_batch_file(text);
  (void)split_script(text);
  std::vector<std::string> args;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) args.push_back(cur);
  if (args.size() > 64) args.resize(64);

  auto cmd = parse_ipsecpol_command(args, resolve);
  if (!cmd) {
    if (cmd.error().code != "usage") fail("parse error with code", cmd.error().code);
    return 0;
  }
  if (cmd->mode == IpsecpolMode::static_mode) {
    run_static(PolicySet{}, *cmd, true);
    static const PolicySet builtins = builtin_policies();
    run_static(builtins, *cmd, false);
  } else if (cmd->mode == IpsecpolMode::dynamic_mode) {
    auto d = build_dynamic(*cmd, options());
    if (d) {
      if (auto v = validate(d->set); !v) fail("build_dynamic returned an invalid set", v.error().message);
      for (const auto& p : d->set.policies) (void)export_ipsecpol_script(d->set, p.name, false);
    }
  }
  return 0;
}
