// `ipsecpol check`: findings about a policy set that validate() accepts but that will not do
// what its author probably meant, or that are weak by today's standards.
//
// Codes (stable; severity in brackets):
//   unknown-policy [error]          the policy named on the command line does not exist
//   missing-filter-list [error]     a rule names a filter list that does not exist
//   missing-filter-action [error]   a rule names a filter action that does not exist
//   negotiate-without-offers [error] a negotiate filter action (or an active default response
//                                   rule) has no security methods, so nothing can be agreed
//   empty-filter-list [warning]     an active rule's filter list has no filters: it never applies
//   mixed-family [error]            a filter pairs an IPv4 with an IPv6 address; it is dropped
//   shadowed-filter [warning]       every packet the filter matches is taken first by a filter
//                                   of higher or equal weight that fully covers it
//   overlap-conflict [warning]      filters of two rules with different actions partly overlap;
//                                   `example` holds a five-tuple in the overlap
//   overlap-exception [warning]     a more specific filter of one rule carves an exception with
//                                   a different action out of another rule's filter
//   weak-algorithm [warning]        DES, 3DES, MD5, SHA-1 or DH group 1/2/5 in an offer
//   esp-null [warning]              ESP with NULL encryption (authenticated, not encrypted)
//   short-psk [warning]             a pre-shared key shorter than 20 characters (never printed)
//   aggressive-mode [warning]       a negotiating rule allows IKE Aggressive Mode (JSON form only)
//   kerberos-only [warning]         Kerberos is the only method: Linux peers cannot use it
//   ports-without-protocol [warning] ports on a filter whose protocol is not TCP or UDP
//   mirrored-tunnel-filter [warning] tunnel filters are never mirrored; the flag is ignored
//   tunnel-missing-reverse [warning] no tunnel rule carries the return traffic of a tunnel filter
//   unused-filter-list [warning]    no rule uses the list (whole-set checks only)
//   unused-filter-action [warning]  no rule uses the action (whole-set checks only)
//   analysis-limit [warning]        the overlap or tunnel return-traffic analysis was skipped on a
//                                   very large policy (more than 20000 filters)
//
// Filter analyses compile each policy alone (spd_compile.h) and work on its generic filters,
// with "me" symbolic: "me" overlaps "me" and "any", never a subnet (the host's addresses are
// not known when checking).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"

namespace ipseckit::policy {

enum class LintSeverity : std::uint8_t { warning, error };

struct LintPath {
  std::string policy;
  std::string rule;           // "(default response)" for the default response rule
  std::string filter_list;
  std::string filter_action;
  int filter = -1;            // index in the filter list
  int offer = -1;             // index in the offers (main-mode offers when only policy is set)
  // policy "P" / rule "R" / filter list "L" [2] / filter action "A" offer 1
  std::string str() const;
  friend bool operator==(const LintPath&, const LintPath&) = default;
};

struct LintFinding {
  LintSeverity severity = LintSeverity::warning;
  std::string code;
  LintPath path;
  std::string message;
  std::string example;  // overlap findings: "10.1.0.1:* -> me:80 proto 6" ("*" = any address/port/protocol)
};

// Checks one policy (and the lists and actions its rules use), or, with an empty name, every
// policy, filter list and filter action of the set.
std::vector<LintFinding> lint(const PolicySet& set, const std::string& policy_name_or_empty_for_all);

std::string_view severity_name(LintSeverity s);  // "warning" | "error"

}  // namespace ipseckit::policy
