// Windows-syntax runs: dynamic mode, static mode (-w REG), -u, batch files (-file).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "crypto/random.h"
#include "ipsecpol/commands.h"
#include "ipsecpol/session.h"
#include "policy/ipsecpol.h"
#include "policy/json.h"
#include "policydb/static_store.h"
#include "sys/resolve.h"

namespace ipseckit::ipsecpol {
namespace {

using policy::IpsecpolCommand;
using policy::IpsecpolMode;

void success() { std::fputs("\nThe command completed successfully.\n", stdout); }

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) tool::warn(kTool, "note: " + n);
}

policy::IpsecpolBuildOptions build_options() {
  policy::IpsecpolBuildOptions o;
  o.new_id = [] { return crypto::random_guid(); };
  return o;
}

Status check_local(const IpsecpolCommand& cmd) {
  if (!cmd.machine.empty())
    return Error::make("failed", fmt::format("remote machines are not supported (\\\\{}): run ipsecpol on that machine",
                                             cmd.machine));
  return {};
}

bool confirm(const policy::PolicySet& set) {
  std::fputs(policy::to_json_text(set, {policy::PskOutput::hidden}).c_str(), stdout);
  std::fputs("Continue? [y/n]: ", stdout);
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

int run_dynamic(const IpsecpolCommand& cmd, const tool::StoreOptions& so) {
  auto built = policy::build_dynamic(cmd, build_options());
  if (!built) return tool::fail(kTool, built.error());
  print_notes(built->notes);
  if (cmd.confirm && !confirm(built->set)) {
    tool::warn(kTool, "not plumbed: cancelled at the prompt");
    return tool::kExitFailed;
  }
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  if (auto a = require_admin(*c); !a) return tool::fail(kTool, a.error());
  // -r naming an existing dynamic rule replaces it (scripts can re-run safely).
  auto existing = load_dynamic(*c, true);
  if (!existing) return tool::fail(kTool, existing.error());
  const policydb::DynamicEntry* old = nullptr;
  if (cmd.rule_name) {
    for (const auto& d : *existing)
      for (const auto& p : d.set.policies)
        for (const auto& r : p.rules)
          if (r.name == *cmd.rule_name) old = &d;
  }
  auto txn = old ? policydb::plan_dynamic_replace(*old, built->set)
                 : policydb::plan_dynamic_add(crypto::random_guid(), built->set);
  if (!txn) return tool::fail(kTool, txn.error());
  if (auto r = c->txn(*txn); !r) return tool::fail(kTool, r.error());
  success();
  return tool::kExitOk;
}

int run_static(const IpsecpolCommand& cmd, const tool::StoreOptions& so) {
  if (cmd.storage == policy::StorageType::directory)
    return tool::fail(kTool, Error::make("failed", "-w DS: the directory (Active Directory) store is not supported "
                                                   "here; use -w REG for the local store"));
  if (cmd.storage == policy::StorageType::cache)
    return tool::fail(kTool, Error::make("failed", "-w C: the policy cache is not a store here; use -w REG"));
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  std::vector<std::string> notes;
  auto st = edit_static(*c, [&](const policydb::StaticState& cur, policy::PolicySet& work) -> Result<StaticEdit> {
    auto r = policy::apply_static(work, cmd, build_options());
    if (!r) return r.error();
    notes = r->notes;
    StaticEdit e;
    if (r->assign) {
      e.assign = policydb::AssignChange::assign;
      e.assign_policy = r->policy;
    } else if (r->unassign_active) {
      e.assign = policydb::AssignChange::unassign;
    } else if (r->unassign) {
      const std::string name = cmd.policy_name.value_or(r->policy);
      if (cur.assigned && *cur.assigned == name) e.assign = policydb::AssignChange::unassign;
      else notes.push_back(fmt::format("policy '{}' is not the assigned policy; nothing to unassign", name));
    }
    return e;
  });
  if (!st) return tool::fail(kTool, st.error());
  print_notes(notes);
  success();
  return tool::kExitOk;
}

int run_delete_dynamic(const tool::StoreOptions& so) {
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  if (auto a = require_admin(*c); !a) return tool::fail(kTool, a.error());
  if (auto r = c->txn(policydb::plan_dynamic_clear()); !r) return tool::fail(kTool, r.error());
  success();
  return tool::kExitOk;
}

policy::Resolver resolver() {
  return [](const std::string& name) { return sys::resolve_host(name); };
}

int run_parsed(const IpsecpolCommand& cmd, const tool::StoreOptions& so, bool json);

int run_batch(const std::string& path, const tool::StoreOptions& so) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    tool::warn(kTool, fmt::format("{} could not be opened for read! ({})", path, std::strerror(errno)));
    return tool::kExitFailed;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  int worst = tool::kExitOk;
  for (const auto& line : policy::split_batch_file(ss.str())) {
    int rc;
    auto cmd = policy::parse_ipsecpol_command(line.args, resolver());
    if (!cmd) {
      tool::warn(kTool, fmt::format("{} line {}: {}", path, line.line, cmd.error().message));
      rc = tool::exit_code(cmd.error());
    } else if (cmd->mode == IpsecpolMode::batch) {
      tool::warn(kTool, fmt::format("{} line {}: -file cannot be nested", path, line.line));
      rc = tool::kExitUsage;
    } else {
      rc = run_parsed(*cmd, so, false);
    }
    worst = std::max(worst, rc);
  }
  return worst;
}

int run_parsed(const IpsecpolCommand& cmd, const tool::StoreOptions& so, bool as_json) {
  if (cmd.mode != IpsecpolMode::usage && cmd.mode != IpsecpolMode::extended_usage) {
    if (auto l = check_local(cmd); !l) return tool::fail(kTool, l.error());
  }
  switch (cmd.mode) {
    case IpsecpolMode::usage:
      print_short_usage(stderr);
      return tool::kExitUsage;
    case IpsecpolMode::extended_usage:
      print_extended_usage(stdout);
      return tool::kExitOk;
    case IpsecpolMode::batch: return run_batch(cmd.batch_file, so);
    case IpsecpolMode::subcommand:
      tool::warn(kTool, fmt::format("'{}' must be the first argument", cmd.subcommand));
      return tool::kExitUsage;
    case IpsecpolMode::show: {
      std::vector<std::string> words;
      if (cmd.show.filters) words.emplace_back("filters");
      if (cmd.show.policies) words.emplace_back("policies");
      if (cmd.show.auth) words.emplace_back("auth");
      if (cmd.show.stats) words.emplace_back("stats");
      if (cmd.show.sas) words.emplace_back("sas");
      return run_show(words, as_json, so);
    }
    case IpsecpolMode::delete_dynamic: return run_delete_dynamic(so);
    case IpsecpolMode::dynamic_mode: return run_dynamic(cmd, so);
    case IpsecpolMode::static_mode: return run_static(cmd, so);
  }
  return tool::kExitFailed;
}

}  // namespace

int run_windows(const std::vector<std::string>& args, const tool::StoreOptions& so) {
  auto cmd = policy::parse_ipsecpol_command(args, resolver());
  if (!cmd) {
    std::fputs((cmd.error().message + "\n\n").c_str(), stderr);
    print_short_usage(stderr);
    return tool::exit_code(cmd.error());
  }
  return run_parsed(*cmd, so, false);
}

}  // namespace ipseckit::ipsecpol
