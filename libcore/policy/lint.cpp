// `ipsecpol check`: policy, rule, offer and authentication checks. The filter analyses
// (shadowing, overlaps, tunnels) are in spd_lint_filters.cpp.
#include "policy/lint.h"

#include <fmt/format.h>

#include <set>

#include "policy/spd_lint.h"

namespace ipseckit::policy {
namespace {

constexpr std::size_t kMinPskLength = 20;

LintFinding finding(LintSeverity sev, std::string code, LintPath path, std::string message) {
  return LintFinding{sev, std::move(code), std::move(path), std::move(message), {}};
}

std::string weak_cipher_hint(Cipher c) { return fmt::format("{} (use AES-128-GCM or AES-256)", windows_name(c)); }
std::string weak_hash_hint(Integrity i) { return fmt::format("{} (use SHA-256)", windows_name(i)); }
std::string weak_group_hint(DhGroup g) {
  return fmt::format("DH group {} (use group 14, 19 or 20)", static_cast<unsigned>(g));
}

void check_mm_offers(const Policy& p, std::vector<LintFinding>& out) {
  for (std::size_t i = 0; i < p.isakmp.offers.size(); ++i) {
    const MmOffer& o = p.isakmp.offers[i];
    std::vector<std::string> weak;
    if (is_weak(o.cipher)) weak.push_back(weak_cipher_hint(o.cipher));
    if (is_weak(o.hash)) weak.push_back(weak_hash_hint(o.hash));
    if (is_weak(o.group)) weak.push_back(weak_group_hint(o.group));
    if (weak.empty()) continue;
    LintPath path{p.name, {}, {}, {}, -1, static_cast<int>(i)};
    out.push_back(finding(LintSeverity::warning, "weak-algorithm", path,
                          fmt::format("main-mode offer {} uses weak algorithms: {}", i + 1, fmt::join(weak, ", "))));
  }
}

// Quick-mode offers of a filter action or of the default response rule (path names which).
void check_qm_offers(const std::vector<QmOffer>& offers, const LintPath& where, std::vector<LintFinding>& out) {
  for (std::size_t i = 0; i < offers.size(); ++i) {
    const QmOffer& o = offers[i];
    LintPath path = where;
    path.offer = static_cast<int>(i);
    std::vector<std::string> weak;
    if (o.esp && is_weak(o.esp->cipher)) weak.push_back("ESP " + weak_cipher_hint(o.esp->cipher));
    if (o.esp && is_weak(o.esp->integrity)) weak.push_back("ESP " + weak_hash_hint(o.esp->integrity));
    if (o.ah && is_weak(*o.ah)) weak.push_back("AH " + weak_hash_hint(*o.ah));
    if (o.pfs.enabled && is_weak(o.pfs.group)) weak.push_back("PFS " + weak_group_hint(o.pfs.group));
    if (!weak.empty())
      out.push_back(finding(LintSeverity::warning, "weak-algorithm", path,
                            fmt::format("offer {} uses weak algorithms: {}", i + 1, fmt::join(weak, ", "))));
    if (o.esp && o.esp->cipher == Cipher::none)
      out.push_back(finding(LintSeverity::warning, "esp-null", path,
                            fmt::format("offer {} is ESP with NULL encryption: traffic is authenticated but "
                                        "readable on the wire; use AES-128-GCM",
                                        i + 1)));
  }
}

void check_auth(const std::vector<AuthMethod>& auth, const LintPath& where, std::vector<LintFinding>& out) {
  bool kerberos_only = true;
  for (const auto& a : auth) {
    if (a.kind != AuthKind::kerberos) kerberos_only = false;
    if (a.kind == AuthKind::psk && !a.psk.empty() && a.psk.size() < kMinPskLength)
      out.push_back(finding(LintSeverity::warning, "short-psk", where,
                            fmt::format("the pre-shared key has {} characters; use at least {} random characters",
                                        a.psk.size(), kMinPskLength)));
  }
  if (kerberos_only)
    out.push_back(finding(LintSeverity::warning, "kerberos-only", where,
                          "Kerberos is the only authentication method: Linux and other non-Windows peers cannot "
                          "authenticate; add a pre-shared key or a certificate method"));
}

void check_action(const FilterAction& fa, const LintPath& where, std::vector<LintFinding>& out) {
  if (fa.action != ActionType::negotiate) return;
  if (fa.offers.empty())
    out.push_back(finding(LintSeverity::error, "negotiate-without-offers", where,
                          fmt::format("filter action '{}' negotiates security but has no security methods", fa.name)));
  check_qm_offers(fa.offers, where, out);
}

void check_default_response(const Policy& p, std::vector<LintFinding>& out) {
  const auto& dr = p.default_response;
  if (!dr.active) return;
  LintPath path{p.name, "(default response)", {}, {}, -1, -1};
  if (dr.offers.empty())
    out.push_back(finding(LintSeverity::error, "negotiate-without-offers", path,
                          "the default response rule is active but has no security methods"));
  check_qm_offers(dr.offers, path, out);
  check_auth(dr.auth, path, out);
}

void check_ports(const FilterList& fl, const std::string& policy, std::vector<LintFinding>& out) {
  for (std::size_t i = 0; i < fl.filters.size(); ++i) {
    const Filter& f = fl.filters[i];
    if ((f.src_port == 0 && f.dst_port == 0) || f.protocol == 6 || f.protocol == 17) continue;
    LintPath path{policy, {}, fl.name, {}, static_cast<int>(i), -1};
    out.push_back(finding(LintSeverity::warning, "ports-without-protocol", path,
                          fmt::format("filter {} has ports but protocol {}: it only matches packets that carry "
                                      "ports; set the protocol to TCP or UDP",
                                      i, f.protocol == 0 ? std::string("any") : std::to_string(f.protocol))));
  }
}

void check_policy(const PolicySet& set, const Policy& p, std::set<std::string>& lists_seen,
                  std::set<std::string>& actions_seen, std::vector<LintFinding>& out) {
  check_mm_offers(p, out);
  check_default_response(p, out);
  for (const Rule& r : p.rules) {
    LintPath path{p.name, r.name, r.filter_list, r.filter_action, -1, -1};
    const FilterList* fl = set.find_filter_list(r.filter_list);
    const FilterAction* fa = set.find_filter_action(r.filter_action);
    if (!fl)
      out.push_back(finding(LintSeverity::error, "missing-filter-list", path,
                            fmt::format("rule '{}' uses filter list '{}', which does not exist", r.name, r.filter_list)));
    if (!fa)
      out.push_back(finding(LintSeverity::error, "missing-filter-action", path,
                            fmt::format("rule '{}' uses filter action '{}', which does not exist", r.name, r.filter_action)));
    if (!r.active || !fl || !fa) continue;
    if (fl->filters.empty())
      out.push_back(finding(LintSeverity::warning, "empty-filter-list", path,
                            fmt::format("filter list '{}' has no filters: rule '{}' never applies", fl->name, r.name)));
    if (fa->action == ActionType::negotiate) check_auth(r.auth, path, out);
    if (fa->action == ActionType::negotiate && r.aggressive_mode)
      out.push_back(finding(LintSeverity::warning, "aggressive-mode", path,
                            fmt::format("rule '{}' allows IKE Aggressive Mode: identities travel in clear and an "
                                        "eavesdropper can test guesses of the pre-shared key offline (RFC 2409 5); "
                                        "use it only for peers that cannot do Main Mode",
                                        r.name)));
    if (lists_seen.insert(fl->name).second) check_ports(*fl, p.name, out);
    if (actions_seen.insert(fa->name).second) check_action(*fa, LintPath{p.name, {}, {}, fa->name, -1, -1}, out);
  }
  lint_tunnel_rules(set, p, out);
  lint_filters(set, p, out);
}

void check_unused(const PolicySet& set, std::vector<LintFinding>& out) {
  std::set<std::string> lists, actions;
  for (const auto& p : set.policies)
    for (const auto& r : p.rules) {
      lists.insert(r.filter_list);
      actions.insert(r.filter_action);
    }
  for (const auto& fl : set.filter_lists)
    if (!lists.count(fl.name))
      out.push_back(finding(LintSeverity::warning, "unused-filter-list", LintPath{{}, {}, fl.name, {}, -1, -1},
                            fmt::format("no rule uses filter list '{}'", fl.name)));
  for (const auto& fa : set.filter_actions)
    if (!actions.count(fa.name))
      out.push_back(finding(LintSeverity::warning, "unused-filter-action", LintPath{{}, {}, {}, fa.name, -1, -1},
                            fmt::format("no rule uses filter action '{}'", fa.name)));
}

}  // namespace

std::string_view severity_name(LintSeverity s) { return s == LintSeverity::error ? "error" : "warning"; }

std::string LintPath::str() const {
  std::vector<std::string> parts;
  if (!policy.empty()) parts.push_back(fmt::format("policy \"{}\"", policy));
  if (!rule.empty()) parts.push_back(fmt::format("rule \"{}\"", rule));
  if (!filter_list.empty())
    parts.push_back(filter >= 0 ? fmt::format("filter list \"{}\" [{}]", filter_list, filter)
                                : fmt::format("filter list \"{}\"", filter_list));
  if (!filter_action.empty()) parts.push_back(fmt::format("filter action \"{}\"", filter_action));
  if (offer >= 0) parts.push_back(fmt::format("offer {}", offer + 1));
  return fmt::format("{}", fmt::join(parts, " / "));
}

std::vector<LintFinding> lint(const PolicySet& set, const std::string& policy_name) {
  std::vector<LintFinding> out;
  std::set<std::string> lists_seen, actions_seen;
  if (!policy_name.empty()) {
    const Policy* p = set.find_policy(policy_name);
    if (!p) {
      out.push_back(finding(LintSeverity::error, "unknown-policy", LintPath{policy_name, {}, {}, {}, -1, -1},
                            fmt::format("no policy named '{}'", policy_name)));
      return out;
    }
    check_policy(set, *p, lists_seen, actions_seen, out);
    return out;
  }
  for (const auto& p : set.policies) check_policy(set, p, lists_seen, actions_seen, out);
  // Lists and actions no active rule reached are still checked on their own.
  for (const auto& fl : set.filter_lists)
    if (lists_seen.insert(fl.name).second) check_ports(fl, {}, out);
  for (const auto& fa : set.filter_actions)
    if (actions_seen.insert(fa.name).second) check_action(fa, LintPath{{}, {}, {}, fa.name, -1, -1}, out);
  check_unused(set, out);
  return out;
}

}  // namespace ipseckit::policy
