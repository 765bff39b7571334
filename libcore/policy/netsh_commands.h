// The static commands, one table per object kind, and what they share. Internal to the
// netsh_* files; the entry point is run_netsh_script (netsh_script.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "policy/netsh_args.h"
#include "policy/netsh_script.h"

namespace ipseckit::policy {

// An assignment request while the script runs: by policy id, so renames and deletions that
// follow are resolved at the end.
struct NetshPendingAssignment {
  std::string policy_id;  // empty: the policy was deleted; `name` is final
  std::string name;       // name when requested (kept for an unassign of a policy deleted later)
  bool assign = true;
  int line = 0;
};

// What a command works on: the script's working copy and its running state.
struct NetshCommandContext {
  PolicySet& set;
  const NetshOptions& opt;
  std::int64_t now = 0;
  int line = 0;
  std::vector<NetshPendingAssignment>& assignments;
  std::string summary;  // set by the command: what it did

  std::string new_id() const;
  void touch(Policy& p) const { p.changed = now; }
  void request(const Policy& p, bool assign) { assignments.push_back({p.id, p.name, assign, line}); }
  // The policy is being deleted: unassign it under its current name.
  void request_unassign_deleted(const Policy& p) { assignments.push_back({{}, p.name, false, line}); }
};

using NetshHandler = Status (*)(NetshCommandContext&, const NetshArgs&);

struct NetshCommandDef {
  std::string_view verb;    // add, set, delete, restorepolicyexamples
  std::string_view object;  // policy, filterlist, ...; empty for restorepolicyexamples
  std::span<const NetshTagSpec> tags;
  NetshHandler run;
};

std::span<const NetshCommandDef> netsh_policy_commands();        // netsh_policy.cpp
std::span<const NetshCommandDef> netsh_filterlist_commands();    // netsh_filterlist.cpp
std::span<const NetshCommandDef> netsh_filteraction_commands();  // netsh_filteraction.cpp
std::span<const NetshCommandDef> netsh_rule_commands();          // netsh_rule.cpp

// ------------------------------------------------------------------ shared helpers (netsh_common.cpp)

Error netsh_usage(std::string msg, int position = -1);
Error netsh_failed(std::string msg, int position = -1);
// "tag=value: why" (code "usage", position = the word).
Error netsh_bad_value(const NetshArg& a, const Error& why);

Result<bool> netsh_bool(const NetshArg& a);
Result<std::uint64_t> netsh_uint(const NetshArg& a, std::uint64_t min, std::uint64_t max);
// A keyword value (action=, conntype=, location=, ...): index into candidates.
Result<std::size_t> netsh_keyword(const NetshArg& a, std::span<const std::string_view> candidates);
// A non-empty object name.
Result<std::string> netsh_name(const NetshArg& a);

// kerberos=, psk=, rootca= in command-line order (= preference); nullopt when none is given.
Result<std::optional<std::vector<AuthMethod>>> netsh_auth(const NetshArgs& args);
// An address word resolved to the model: DNS names through the injected resolver.
Result<Address> netsh_resolve(const NetshArg& a, const NetshAddress& addr, const NetshOptions& opt);
// tunnel=: IPv4/IPv6/DNS; 0 or 0.0.0.0 = no tunnel (transport mode).
Result<std::optional<Address>> netsh_tunnel(const NetshArg& a, const NetshOptions& opt);

// qmpfs= on every offer (PFS with the main-mode group).
void netsh_set_pfs(std::vector<QmOffer>& offers, bool on);

// The object named by a name= (exact, case-sensitive as polstore) or guid= argument.
bool netsh_same_guid(std::string_view id, std::string_view given);
template <class T>
T* netsh_find(std::vector<T>& objects, const NetshArg& a) {
  const bool by_guid = a.tag == "guid";
  for (auto& o : objects)
    if (by_guid ? netsh_same_guid(o.id, a.value) : o.name == a.value) return &o;
  return nullptr;
}
// "rule 'R' of policy 'P', ..." for every rule using the list / action; empty when unused.
std::string netsh_users_of_list(const PolicySet& set, std::string_view list);
std::string netsh_users_of_action(const PolicySet& set, std::string_view action);

}  // namespace ipseckit::policy
