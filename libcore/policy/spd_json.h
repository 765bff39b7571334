// The JSON form of the compiled SPD: the document the agent stores under spd/ and netdiag,
// ikeview and espd read. to_json -> compiled_spd_from_json is an exact round trip.
//
// Top level: format ("ipseckit-spd"), version (1), generation, assigned_policy (string or
// null), sources [{kind, id, policy}], addresses (the "me" set), rules, qm_policies,
// mm_policies, auth, filters (generic), specific, mm_filters, mm_specific, default_response
// (object or null), warnings.
//
// Quick-mode filter (filters[], specific[]) — netdiag's contract is the first group:
//   policy, rule (names), src, dst ("me" for this host, else CIDR "198.51.100.0/24"; any is
//   "0.0.0.0/0" or "::/0"), protocol (0 = any), src_port, dst_port (0 = any), action
//   ("permit" | "block" | "negotiate"), tunnel (endpoint address, "me", "any", or null),
//   weight;
//   filter_list, rule_id (index into rules), index (position in the filter list), mirror
//   (the reversed copy of a mirrored filter), family (4 | 6), direction ("outbound" |
//   "inbound" | null), inbound_action, outbound_action, soft, conn ("all" | "lan" |
//   "dialup"), qm_policy, auth, mm_policy (indexes or null);
//   specific filters add generic (index into filters), src_addr and dst_addr (the matched
//   prefix, also when src/dst is "me").
// Main-mode filter (mm_filters[], mm_specific[]): policy, rule, rule_id, index (null for
//   tunnel rules), mirror, family, direction, src, dst, conn, weight, mm_policy, auth;
//   specific ones add generic, src_addr, dst_addr.
// rules[]: policy, rule, filter_list, filter_action, source, action, inpass, soft, tunnel,
//   tunnel_source (policy address form, see json.h), conn, qm_policy, auth, mm_policy.
// qm_policies[]: name, source, inpass, soft, offers (json.h offer form).
// mm_policies[]: name, source, isakmp {offers, mm_pfs, soft_sa_expiry_seconds}.
// auth[]: name, methods (json.h method form; pre-shared keys only as key_ref).
// default_response: source, offers, auth, mm_policy.
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "policy/spd_types.h"

namespace ipseckit::policy {

inline constexpr const char* kSpdJsonFormat = "ipseckit-spd";
inline constexpr int kSpdJsonVersion = 1;

nlohmann::json to_json(const CompiledSpd& spd);
Result<CompiledSpd> compiled_spd_from_json(const nlohmann::json& j);

// One filter as it appears in the document (spd gives the rule names).
nlohmann::json filter_json(const CompiledSpd& spd, const SpdFilter& f, bool specific);
nlohmann::json mm_filter_json(const CompiledSpd& spd, const SpdMmFilter& f, bool specific);

}  // namespace ipseckit::policy
