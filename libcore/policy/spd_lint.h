// Internal to lint.cpp: the filter analyses of `ipsecpol check` (spd_lint_filters.cpp).
#pragma once

#include <vector>

#include "policy/lint.h"
#include "policy/model.h"

namespace ipseckit::policy {

// shadowed-filter, overlap-conflict, overlap-exception, mixed-family, analysis-limit.
void lint_filters(const PolicySet& set, const Policy& p, std::vector<LintFinding>& out);
// mirrored-tunnel-filter, tunnel-missing-reverse.
void lint_tunnel_rules(const PolicySet& set, const Policy& p, std::vector<LintFinding>& out);

// Above this many generic filters the pairwise overlap analysis stops (analysis-limit).
inline constexpr std::size_t kLintOverlapFilterLimit = 20000;
// At most this many overlap findings per policy; the rest are summarised in one finding.
inline constexpr std::size_t kLintOverlapFindingLimit = 100;

}  // namespace ipseckit::policy
