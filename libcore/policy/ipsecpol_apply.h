// From a parsed ipsecpol command to policy-model objects: the pure builders behind
// `ipsecpol -w REG ...` (static mode, windows-cli.md §1.9) and `ipsecpol -f ...` (dynamic
// mode). They touch no store and no network: the caller reads the store, calls these, and
// writes the result (the assignment, -x/-y/-d, is a store key the tool writes; it is
// returned as flags).
//
// Static mode, as ipseccmd's StorePolicy/IPSECPolicyToStorage do it:
//  * -p names the policy; one that does not exist is created (policy::new_policy: poll from
//    -p minutes x 60, else 180 min; default main-mode offers; the default response rule).
//  * -r names the rule; an existing rule of that name has only the supplied parts replaced
//    (-f its filters, -n/-soft its filter action, -a its authentication, -t its endpoint,
//    -lan/-dialup its connection type); otherwise a new rule is added. A rule without -r is
//    named "ipsecpol {GUID}".
//  * The rule's filter list and filter action are named after the rule, as ipseccmd names
//    them: "<rule> filter list", "<rule> filter action" (made unique if taken).
//  * -n: offers in order (default ESP[3DES,SHA] ESP[3DES,MD5] ESP[DES,SHA] ESP[DES,MD5]);
//    PASS / BLOCK make a permit / block action, INPASS sets "accept unsecured inbound".
//    In the store PFS belongs to the filter action, so PFS on any offer applies to all.
//  * -t: tunnel rule. Tunnel filters are one-way: ipseccmd stores a mirrored ('+') tunnel
//    filterspec with the mirror flag cleared, and so do we (with a note).
//  * -1s -1k -1p -1e rewrite the policy's ISAKMP settings (defaults for what is not given);
//    -soft marks the filter action soft and sets the main-mode soft SA expiry to 300 s when
//    none is set (-1e wins).
//  * -f DEFAULT updates (and activates) the default response rule: offers from -n, methods
//    from -a.
//  * -o deletes the policy, its rules' filter lists and filter actions; -x / -y / -d are
//    returned for the caller to apply.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "policy/ipsecpol_cmdline.h"
#include "policy/model.h"

namespace ipseckit::policy {

struct IpsecpolBuildOptions {
  // New object ids ("{GUID}"). Unset: deterministic ids "{00000000-0000-4000-8000-NNNNNNNNNNNN}"
  // numbered after the highest such id already in the set.
  std::function<std::string()> new_id;
  // Policy::changed of what is created or modified. Unset: the current time.
  std::optional<std::int64_t> now;
};

struct StaticApplyResult {
  std::string policy;  // the -p policy ("" when only -y was given)
  std::string rule;    // the rule created or updated, if any
  bool policy_created = false;
  bool rule_created = false;
  bool default_response_updated = false;
  bool policy_deleted = false;
  bool assign = false;             // -x: make `policy` the assigned policy
  bool unassign = false;           // -y: unassign the assigned policy
  bool unassign_active = false;    // -d
  std::vector<std::string> notes;  // what was ignored or adjusted, for the user
};

// Applies one static-mode command to `store` (all or nothing: on error `store` is
// unchanged). The result is validated with policy::validate.
Result<StaticApplyResult> apply_static(PolicySet& store, const IpsecpolCommand& cmd,
                                       const IpsecpolBuildOptions& opt = {});

struct DynamicBuildResult {
  PolicySet set;                   // one policy named kDynamicPolicyName
  std::vector<std::string> rules;  // names of the rules built
  std::vector<std::string> notes;
};

// One dynamic-mode run as objects: a policy kDynamicPolicyName (default response rule off
// unless -f DEFAULT) holding the run's rule, its filter list and action, and the run's main
// mode offers (given or default). Filterspecs wrapped in ( ) or [ ] become a second / third
// rule "<rule> (pass-through)" / "<rule> (block)" with a permit / block action, since a model
// rule has one action; -n PASS/BLOCK/INPASS applies to every filter, as in XP.
Result<DynamicBuildResult> build_dynamic(const IpsecpolCommand& cmd, const IpsecpolBuildOptions& opt = {});

// The ISAKMP settings a run asks for: -1s offers (or the defaults) with the -1k lifetime
// and quick-mode limit (-1p: limit 1), -1e or, with -soft, 300 s soft SA expiry.
IsakmpPolicy ipsecpol_isakmp(const IpsecpolCommand& cmd);

}  // namespace ipseckit::policy
