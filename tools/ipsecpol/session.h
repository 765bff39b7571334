// Reading and changing policy in the store, with optimistic concurrency: read, change,
// write in one txn that compares every key read, retry on conflict.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "policy/model.h"
#include "policy/spd_types.h"
#include "policydb/static_store.h"
#include "store/client.h"

namespace ipseckit::ipsecpol {

Result<policydb::StaticState> load_static(store::Client& c, bool with_secrets);

struct StaticEdit {
  policydb::AssignChange assign = policydb::AssignChange::keep;
  std::string assign_policy;
  bool touch_changed = true;
};
// fn changes `work` (a copy of current.set) and says what to do with the assignment.
using StaticEditor = std::function<Result<StaticEdit>(const policydb::StaticState& current, policy::PolicySet& work)>;
// Retries fn on conflict (a few times); the store changes all-or-nothing.
Status edit_static(store::Client& c, const StaticEditor& fn);

Result<std::vector<policydb::DynamicEntry>> load_dynamic(store::Client& c, bool with_secrets);

// The effective SPD the agent compiled (spd/current); error "not_found" before the first one.
Result<policy::CompiledSpd> load_spd(store::Client& c);

// Refuses, with a clear message, when this process may not change policy.
Status require_admin(const store::Client& c);

}  // namespace ipseckit::ipsecpol
