// ipseckit's own subcommands: export, import, check, netsh.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "ipsecpol/commands.h"
#include "ipsecpol/session.h"
#include "policy/ipsecpol_export.h"
#include "policy/json.h"
#include "policy/lint.h"
#include "policy/netsh_script.h"
#include "sys/resolve.h"

namespace ipseckit::ipsecpol {
namespace {

Result<std::string> read_input(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make("failed", fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  ss << in.rdbuf();
  return ss.str();
}

Status write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fputs(text.c_str(), stdout);
    return {};
  }
  // Write beside the target, then rename: never a half-written export.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error::make("failed", fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return Error::make("failed", fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return {};
}

int do_export(const tool::StoreOptions& so, const std::string& policy, const std::string& format,
              const std::string& out_path, bool assign, bool secrets) {
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  if (secrets && !c->info().admin)
    return tool::fail(kTool, Error::make("forbidden", "--secrets: only root (or the agent's --admin-group) may read "
                                                      "pre-shared keys"));
  auto st = load_static(*c, secrets);
  if (!st) return tool::fail(kTool, st.error());
  if (!policy.empty() && !st->set.find_policy(policy))
    return tool::fail(kTool, Error::make("failed", fmt::format("policy '{}' does not exist", policy)));
  std::string text;
  if (format == "json") {
    policy::PolicySet set = policy.empty() ? st->set : st->set.extract(policy);
    text = policy::to_json_text(set, {secrets ? policy::PskOutput::key : policy::PskOutput::hidden});
  } else {
    std::vector<std::string> names;
    if (!policy.empty()) names.push_back(policy);
    else
      for (const auto& p : st->set.policies) names.push_back(p.name);
    for (const auto& n : names)
      text += policy::export_ipsecpol_script(st->set, n, secrets, assign && st->assigned == n);
  }
  if (auto w = write_output(out_path, text); !w) return tool::fail(kTool, w.error());
  return tool::kExitOk;
}

int do_import(const tool::StoreOptions& so, const std::string& path, bool replace, const std::string& assign) {
  auto text = read_input(path);
  if (!text) return tool::fail(kTool, text.error());
  auto in = policy::policy_set_from_text(*text);
  if (!in) return tool::fail(kTool, Error::make("usage", fmt::format("{}: {}", path, in.error().message)));
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  auto st = edit_static(*c, [&](const policydb::StaticState&, policy::PolicySet& work) -> Result<StaticEdit> {
    if (!replace) {
      for (const auto& p : in->policies)
        if (work.find_policy(p.name))
          return Error::make("failed", fmt::format("policy '{}' already exists (use --replace)", p.name));
      for (const auto& l : in->filter_lists)
        if (work.find_filter_list(l.name))
          return Error::make("failed", fmt::format("filter list '{}' already exists (use --replace)", l.name));
      for (const auto& a : in->filter_actions)
        if (work.find_filter_action(a.name))
          return Error::make("failed", fmt::format("filter action '{}' already exists (use --replace)", a.name));
    }
    work.merge(*in);
    StaticEdit e;
    e.touch_changed = false;
    if (!assign.empty()) {
      e.assign = policydb::AssignChange::assign;
      e.assign_policy = assign;
    }
    return e;
  });
  if (!st) return tool::fail(kTool, st.error());
  std::fputs(fmt::format("imported {} policies, {} filter lists, {} filter actions\n", in->policies.size(),
                         in->filter_lists.size(), in->filter_actions.size())
                 .c_str(),
             stdout);
  return tool::kExitOk;
}

int do_check(const tool::StoreOptions& so, const std::string& policy, const std::string& file, bool as_json) {
  policy::PolicySet set;
  if (!file.empty()) {
    auto text = read_input(file);
    if (!text) return tool::fail(kTool, text.error());
    auto in = policy::policy_set_from_text(*text);
    if (!in) return tool::fail(kTool, Error::make("usage", fmt::format("{}: {}", file, in.error().message)));
    set = *in;
  } else {
    auto c = tool::connect(so);
    if (!c) return tool::fail(kTool, c.error());
    auto st = load_static(*c, c->info().admin);
    if (!st) return tool::fail(kTool, st.error());
    set = st->set;
  }
  auto findings = policy::lint(set, policy);
  bool error = false;
  nlohmann::json arr = nlohmann::json::array();
  std::string text;
  for (const auto& f : findings) {
    error = error || f.severity == policy::LintSeverity::error;
    if (as_json) {
      arr.push_back({{"severity", policy::severity_name(f.severity)},
                     {"code", f.code},
                     {"policy", f.path.policy},
                     {"rule", f.path.rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.path.rule)},
                     {"filter_list", f.path.filter_list.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.path.filter_list)},
                     {"filter_action",
                      f.path.filter_action.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.path.filter_action)},
                     {"filter", f.path.filter < 0 ? nlohmann::json(nullptr) : nlohmann::json(f.path.filter)},
                     {"offer", f.path.offer < 0 ? nlohmann::json(nullptr) : nlohmann::json(f.path.offer)},
                     {"path", f.path.str()},
                     {"message", f.message},
                     {"example", f.example.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.example)}});
    } else {
      text += fmt::format("{}: {} [{}]: {}{}\n", policy::severity_name(f.severity), f.path.str(), f.code, f.message,
                          f.example.empty() ? "" : " (e.g. " + f.example + ")");
    }
  }
  if (as_json) {
    std::fputs((arr.dump(2) + "\n").c_str(), stdout);
  } else {
    std::fputs(text.c_str(), stdout);
    std::fputs(fmt::format("{} finding(s)\n", findings.size()).c_str(), stderr);
  }
  return error ? tool::kExitFailed : tool::kExitOk;
}

int do_netsh(const tool::StoreOptions& so, const std::string& path) {
  auto text = read_input(path);
  if (!text) return tool::fail(kTool, text.error());
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  std::vector<policy::NetshStep> steps;
  auto st = edit_static(*c, [&](const policydb::StaticState& cur, policy::PolicySet& work) -> Result<StaticEdit> {
    policy::NetshOptions opt;
    opt.resolve = [](const std::string& n) { return sys::resolve_host(n); };
    opt.new_id = [] { return crypto::random_guid(); };
    auto r = policy::run_netsh_script(*text, work, opt);
    if (!r) return Error::make(r.error().code, fmt::format("{}: {}", path, r.error().message));
    steps = r->steps;
    StaticEdit e;
    std::optional<std::string> assigned = cur.assigned;
    for (const auto& [from, to] : r->renamed_policies)
      if (assigned == from) assigned = to;
    for (const auto& a : r->assignments) {
      if (a.assign) {
        e.assign = policydb::AssignChange::assign;
        e.assign_policy = a.policy;
        assigned = a.policy;
      } else if (assigned == a.policy) {
        e.assign = policydb::AssignChange::unassign;
        assigned.reset();
      }
    }
    if (e.assign == policydb::AssignChange::keep && assigned != cur.assigned && assigned) {
      e.assign = policydb::AssignChange::assign;  // the assigned policy was renamed
      e.assign_policy = *assigned;
    }
    return e;
  });
  if (!st) return tool::fail(kTool, st.error());
  for (const auto& s : steps) std::fputs(fmt::format("line {}: {}\n", s.line, s.summary).c_str(), stdout);
  std::fputs("Ok.\n", stdout);
  return tool::kExitOk;
}

}  // namespace

int run_subcommand(int argc, const char* const* argv) {
  CLI::App app{"ipsecpol extensions: export, import, check, netsh", "ipsecpol"};
  app.require_subcommand(1);
  tool::StoreOptions so;
  tool::add_store_options(app, so);
  bool as_json = false;
  app.add_flag("--json", as_json, "JSON output (check)");

  std::string policy, format = "json", out_path;
  bool assign = false;
  auto* ex = app.add_subcommand("export", "Write policies as JSON or as an ipsecpol script");
  ex->add_option("--policy", policy, "Only this policy (and the lists and actions it uses)");
  ex->add_option("--format", format, "json (default) or ipsecpol")->check(CLI::IsMember({"json", "ipsecpol"}));
  ex->add_option("-o,--output", out_path, "Write to FILE instead of stdout");
  ex->add_flag("--assign", assign, "ipsecpol format: end with -x when the policy is the assigned one");
  bool secrets = false;
  ex->add_flag("--secrets", secrets, "Include pre-shared keys (root only); otherwise they are written as (hidden)");

  std::string in_path, assign_name;
  bool replace = false;
  auto* im = app.add_subcommand("import", "Read policies in the JSON form (all or nothing)");
  im->add_option("file", in_path, "The JSON file, - for stdin")->required();
  im->add_flag("--replace", replace, "Replace objects of the same name");
  im->add_option("--assign", assign_name, "Assign this policy afterwards");

  std::string check_file;
  auto* ck = app.add_subcommand("check", "Lint policies");
  ck->add_option("--policy", policy, "Only this policy");
  ck->add_option("--file", check_file, "Check a JSON file instead of the store");
  ck->add_flag("--json", as_json, "JSON array of findings");

  std::string netsh_path;
  auto* ns = app.add_subcommand("netsh", "Run a netsh ipsec static script (all or nothing)");
  ns->add_option("file", netsh_path, "The script, - for stdin")->required();

  bool done = false;
  int rc = tool::parse_cli(app, argc, argv, done);
  if (done) return rc;
  if (ex->parsed()) return do_export(so, policy, format, out_path, assign, secrets);
  if (im->parsed()) return do_import(so, in_path, replace, assign_name);
  if (ck->parsed()) return do_check(so, policy, check_file, as_json);
  if (ns->parsed()) return do_netsh(so, netsh_path);
  return tool::kExitUsage;
}

}  // namespace ipseckit::ipsecpol
