// Static mode (-w): ipseccmd's StorePolicy and IPSECPolicyToStorage (pol2stor.cpp) on the
// policy model. See ipsecpol_apply.h for the semantics.
#include <fmt/format.h>

#include <algorithm>

#include "policy/defaults.h"
#include "policy/ipsecpol_apply.h"
#include "policy/ipsecpol_build.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

using namespace ipsecpol_detail;

std::size_t list_uses(const PolicySet& s, const std::string& name) {
  std::size_t n = 0;
  for (const auto& p : s.policies)
    for (const auto& r : p.rules)
      if (r.filter_list == name) ++n;
  return n;
}

std::size_t action_uses(const PolicySet& s, const std::string& name) {
  std::size_t n = 0;
  for (const auto& p : s.policies)
    for (const auto& r : p.rules)
      if (r.filter_action == name) ++n;
  return n;
}

class StaticApply {
 public:
  StaticApply(PolicySet& work, const IpsecpolCommand& cmd, const IpsecpolBuildOptions& opt, StaticApplyResult& res)
      : m_work(work), m_cmd(cmd), m_opt(opt), m_res(res), m_ids(opt, work) {}

  Status delete_policy(const std::string& name);
  Status apply(const std::string& name);

 private:
  Policy& policy() { return m_work.policies[m_policy]; }
  Status update_default_response();
  void add_rule(const std::string& name);
  void update_rule(std::size_t index);
  FilterList& own_list(Rule& r);
  FilterAction& own_action(Rule& r);
  void apply_negpolicies(FilterAction& fa);

  PolicySet& m_work;
  const IpsecpolCommand& m_cmd;
  const IpsecpolBuildOptions& m_opt;
  StaticApplyResult& m_res;
  IdSource m_ids;
  std::size_t m_policy = 0;
};

Status StaticApply::delete_policy(const std::string& name) {
  auto it =
      std::find_if(m_work.policies.begin(), m_work.policies.end(), [&](const Policy& p) { return p.name == name; });
  if (it == m_work.policies.end()) {
    // Polstore returns ERROR_FILE_NOT_FOUND, printed as "Error converting policy: 0x2".
    return Error::make("not_found", fmt::format("Error converting policy: 0x2 (there is no policy \"{}\")", name));
  }
  const Policy gone = *it;
  m_work.policies.erase(it);
  // ipseccmd deletes every rule's filter list and action even when another policy uses them
  // (its usage text warns about it); we keep what another rule still references.
  for (const auto& r : gone.rules) {
    if (list_uses(m_work, r.filter_list) == 0) {
      std::erase_if(m_work.filter_lists, [&](const FilterList& l) { return l.name == r.filter_list; });
    } else {
      m_res.notes.push_back(fmt::format("filter list \"{}\" is still used by another policy; kept", r.filter_list));
    }
    if (action_uses(m_work, r.filter_action) == 0) {
      std::erase_if(m_work.filter_actions, [&](const FilterAction& a) { return a.name == r.filter_action; });
    } else {
      m_res.notes.push_back(fmt::format("filter action \"{}\" is still used by another policy; kept", r.filter_action));
    }
  }
  m_res.policy_deleted = true;
  return {};
}

Status StaticApply::apply(const std::string& name) {
  auto it =
      std::find_if(m_work.policies.begin(), m_work.policies.end(), [&](const Policy& p) { return p.name == name; });
  if (it == m_work.policies.end()) {
    Policy p = new_policy(name);
    p.id = m_ids.next();
    // ipseccmd's MakeDefaultResponseRule (XP text2pol/pol2stor) stores the default response
    // rule inactive (dwActiveFlag = FALSE); `-f DEFAULT` activates it.
    p.default_response.active = false;
    if (m_cmd.poll_minutes) p.poll_interval_seconds = *m_cmd.poll_minutes * 60;
    m_work.policies.push_back(std::move(p));
    m_policy = m_work.policies.size() - 1;
    m_res.policy_created = true;
  } else {
    m_policy = static_cast<std::size_t>(it - m_work.policies.begin());
    if (m_cmd.poll_minutes) policy().poll_interval_seconds = *m_cmd.poll_minutes * 60;
  }
  if (m_cmd.sets_isakmp()) {
    policy().isakmp = ipsecpol_isakmp(m_cmd);
  } else if (m_cmd.soft && policy().isakmp.soft_sa_expiry_seconds == 0) {
    policy().isakmp.soft_sa_expiry_seconds = kDefaultSoftSaExpirySeconds;
  }
  if (m_cmd.is_default_response()) {
    IPSECKIT_TRY(update_default_response());
  } else {
    const std::string rule = m_cmd.rule_name ? *m_cmd.rule_name : "ipsecpol " + m_ids.next();
    auto& rules = policy().rules;
    auto r = std::find_if(rules.begin(), rules.end(), [&](const Rule& x) { return x.name == rule; });
    if (r == rules.end())
      add_rule(rule);
    else
      update_rule(static_cast<std::size_t>(r - rules.begin()));
    m_res.rule = rule;
  }
  policy().changed = now(m_opt);
  return {};
}

Status StaticApply::update_default_response() {
  auto& d = policy().default_response;
  const auto special = m_cmd.special_action();
  if (special) {
    const auto& np = *std::find_if(m_cmd.negpolicies.begin(), m_cmd.negpolicies.end(),
                                   [&](const NegPolicy& n) { return n.kind == *special; });
    return t2p_error(T2p::general_parse_error,
                     fmt::format("{} cannot be used with -f DEFAULT: the default response rule always negotiates "
                                 "security",
                                 cite(np.text, np.position)),
                     np.position);
  }
  d.active = true;
  if (!m_cmd.negpolicies.empty()) d.offers = command_offers(m_cmd, true);
  if (!m_cmd.auth.empty()) d.auth = m_cmd.auth;
  if (m_cmd.rule_name) m_res.notes.push_back("-r is ignored with -f DEFAULT (the default response rule is updated)");
  if (m_cmd.soft || m_cmd.conn)
    m_res.notes.push_back("-soft, -lan and -dialup do not apply to the default response rule; ignored");
  m_res.default_response_updated = true;
  return {};
}

void StaticApply::add_rule(const std::string& name) {
  FilterList fl;
  fl.id = m_ids.next();
  fl.name = unique_list_name(m_work, name + " filter list");
  fl.filters = rule_filters(m_cmd.filters, m_cmd.tunnel_mode(), m_res.notes);
  FilterAction fa = action_from_command(m_cmd, true);
  fa.id = m_ids.next();
  fa.name = unique_action_name(m_work, name + " filter action");
  Rule r;
  r.id = m_ids.next();
  r.name = name;
  r.filter_list = fl.name;
  r.filter_action = fa.name;
  r.auth = command_auth(m_cmd);
  r.tunnel = m_cmd.tunnel;
  r.tunnel_src = m_cmd.tunnel_src;
  r.conn = m_cmd.conn.value_or(ConnType::all);
  r.active = true;
  m_work.filter_lists.push_back(std::move(fl));
  m_work.filter_actions.push_back(std::move(fa));
  policy().rules.push_back(std::move(r));
  m_res.rule_created = true;
}

// "If a rule with that name already exists, that rule is modified to reflect the
// information supplied ... if only -f is specified ... only the filters of that rule will
// be replaced" (ipseccmd usage).
void StaticApply::update_rule(std::size_t index) {
  // own_list/own_action add to the set's lists and actions, never to the policy's rules, so
  // this reference stays valid; they repoint r at a new object when the old one is shared.
  Rule& r = policy().rules[index];
  if (m_cmd.tunnel) {
    r.tunnel = m_cmd.tunnel;
    r.tunnel_src = m_cmd.tunnel_src;
  }
  if (!m_cmd.filters.empty()) {
    auto filters = rule_filters(m_cmd.filters, r.tunnel.has_value(), m_res.notes);
    own_list(r).filters = std::move(filters);
  }
  if (!m_cmd.negpolicies.empty()) apply_negpolicies(own_action(r));
  if (m_cmd.soft) {
    FilterAction& fa = own_action(r);
    if (fa.action == ActionType::negotiate) fa.soft = true;
  }
  if (!m_cmd.auth.empty()) r.auth = m_cmd.auth;
  if (m_cmd.conn) r.conn = *m_cmd.conn;
  r.active = true;  // UpdateRule sets dwActiveFlag
}

void StaticApply::apply_negpolicies(FilterAction& fa) {
  FilterAction built = action_from_command(m_cmd, true);
  fa.action = built.action;
  fa.inpass = built.inpass;
  fa.offers = std::move(built.offers);
  if (fa.action != ActionType::negotiate) fa.soft = false;
}

// The rule's filter list, if no other rule uses it; else a new one of its own.
FilterList& StaticApply::own_list(Rule& r) {
  if (list_uses(m_work, r.filter_list) == 1) {
    if (auto* l = m_work.find_filter_list(r.filter_list)) return *l;
  }
  FilterList fl;
  fl.id = m_ids.next();
  fl.name = unique_list_name(m_work, r.name + " filter list");
  if (const auto* old = m_work.find_filter_list(r.filter_list)) {
    m_res.notes.push_back(
        fmt::format("filter list \"{}\" is shared with other rules; rule \"{}\" now has its own "
                    "list \"{}\"",
                    old->name, r.name, fl.name));
  }
  r.filter_list = fl.name;
  m_work.filter_lists.push_back(std::move(fl));
  return m_work.filter_lists.back();
}

FilterAction& StaticApply::own_action(Rule& r) {
  if (action_uses(m_work, r.filter_action) == 1) {
    if (auto* a = m_work.find_filter_action(r.filter_action)) return *a;
  }
  FilterAction fa;
  if (const auto* old = m_work.find_filter_action(r.filter_action)) {
    fa = *old;  // start from the shared action, so unsupplied parts stay as they were
    fa.description.clear();
  }
  fa.id = m_ids.next();
  fa.name = unique_action_name(m_work, r.name + " filter action");
  if (m_work.find_filter_action(r.filter_action)) {
    m_res.notes.push_back(
        fmt::format("filter action \"{}\" is shared with other rules; rule \"{}\" now has its own "
                    "action \"{}\"",
                    r.filter_action, r.name, fa.name));
  }
  r.filter_action = fa.name;
  m_work.filter_actions.push_back(std::move(fa));
  return m_work.filter_actions.back();
}

}  // namespace

Result<StaticApplyResult> apply_static(PolicySet& store, const IpsecpolCommand& cmd, const IpsecpolBuildOptions& opt) {
  if (cmd.mode != IpsecpolMode::static_mode)
    return Error::make("usage", "apply_static needs a static-mode (-w) command");
  StaticApplyResult res;
  res.unassign = cmd.unassign;
  res.unassign_active = cmd.unassign_active;
  // StorePolicy: -y unassigns first; with no filters that is all it does (XP returns there
  // even when -o was given too, silently ignoring it; -y -o deletes here as well).
  if (cmd.unassign && cmd.filters.empty() && !cmd.delete_policy) return res;
  if (!cmd.policy_name || cmd.policy_name->empty()) return usage_error("You must supply a policy name");
  const std::string& name = *cmd.policy_name;
  res.policy = name;

  PolicySet work = store;
  StaticApply a(work, cmd, opt, res);
  if (cmd.delete_policy) {
    IPSECKIT_TRY(a.delete_policy(name));
  } else if (cmd.filters.empty()) {
    // -x alone: just assign an existing policy.
    if (!work.find_policy(name))
      return Error::make("not_found", fmt::format("Error converting policy: 0x2 (there is no policy \"{}\")", name));
    res.assign = cmd.assign;
    return res;
  } else {
    IPSECKIT_TRY(a.apply(name));
    res.assign = cmd.assign;
  }
  if (!cmd.mm_filters.empty())
    res.notes.push_back(
        "-1f: main-mode filters are not stored with a policy (they are derived from its rules); "
        "ignored");
  if (cmd.confirm) res.notes.push_back("-confirm applies to dynamic mode only; ignored");
  IPSECKIT_TRY(validate(work));
  store = std::move(work);
  return res;
}

}  // namespace ipseckit::policy
