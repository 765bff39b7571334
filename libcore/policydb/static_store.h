// The static ("-w REG") policy store as PolicySet <-> store entries and transactions.
// Pure functions: callers list the prefixes, decode, change the PolicySet, plan a txn whose
// compares cover every key that was read, and retry on conflict.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "store/types.h"

namespace ipseckit::policydb {

struct StaticState {
  policy::PolicySet set;                        // PSKs filled in when secrets were readable
  std::optional<std::string> assigned;          // name of the assigned policy
  std::map<std::string, std::uint64_t> revisions;  // every key read, with its revision
};

// The prefixes a loader must list (secrets only when it may read them).
std::vector<std::string> static_prefixes(bool with_secrets);

// Decodes listed entries (any mix of the static prefixes, "assigned" and secret/psk/).
// An undecodable document is an error naming its key.
Result<StaticState> decode_static(const std::vector<store::Entry>& entries);

enum class AssignChange { keep, assign, unassign };

struct PlanOptions {
  AssignChange assign = AssignChange::keep;
  std::string assign_policy;                         // with AssignChange::assign
  std::function<std::string()> new_guid;             // for new secret keys; required
  std::int64_t now = 0;                              // for "assigned.since" and "changed"
  bool touch_changed = true;  // set Policy::changed = now on policies that differ (not on import)
};

// Compares every key in before.revisions (and revision 0 for every key it creates); puts
// changed objects, deletes removed ones, writes new/changed PSKs to secret/psk/{GUID} and
// removes PSK secrets no longer referenced. `after` is validated first.
Result<store::Txn> plan_static_write(const StaticState& before, const policy::PolicySet& after,
                                     const PlanOptions& opt);

// Dynamic (volatile) rules: one PolicySet per dynamic/{GUID}.
struct DynamicEntry {
  std::string id;  // the GUID part of the key
  policy::PolicySet set;
  std::uint64_t revision = 0;
};
Result<std::vector<DynamicEntry>> decode_dynamic(const std::vector<store::Entry>& entries);
// Puts dynamic/{id} (PSKs moved to secret/dynamic/{id}/<n>), compare revision 0.
Result<store::Txn> plan_dynamic_add(const std::string& id, const policy::PolicySet& set);
// Replaces an existing dynamic entry (same id), comparing its revision.
Result<store::Txn> plan_dynamic_replace(const DynamicEntry& old, const policy::PolicySet& set);
store::Txn plan_dynamic_clear();

}  // namespace ipseckit::policydb
