// Dynamic mode (no -w): one run of ipsecpol as policy-model objects. See ipsecpol_apply.h.
#include <fmt/format.h>

#include <array>

#include "policy/defaults.h"
#include "policy/ipsecpol_apply.h"
#include "policy/ipsecpol_build.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

using namespace ipsecpol_detail;

void note_ignored_static_flags(const IpsecpolCommand& cmd, std::vector<std::string>& notes) {
  // ipseccmd parses the static-mode flags in dynamic mode too and then ignores them.
  if (cmd.policy_name) notes.push_back("-p applies to static mode (-w) only; ignored");
  if (cmd.assign || cmd.unassign || cmd.delete_policy)
    notes.push_back("-x, -y and -o apply to static mode (-w) only; ignored");
}

Status default_response(const IpsecpolCommand& cmd, Policy& p) {
  if (auto special = cmd.special_action()) {
    for (const auto& n : cmd.negpolicies) {
      if (n.kind != *special) continue;
      return t2p_error(T2p::general_parse_error,
                       fmt::format("{} cannot be used with -f DEFAULT: the default response rule always negotiates "
                                   "security",
                                   cite(n.text, n.position)),
                       n.position);
    }
  }
  p.default_response.active = true;
  p.default_response.offers = command_offers(cmd, false);
  p.default_response.auth = command_auth(cmd);
  return {};
}

}  // namespace

Result<DynamicBuildResult> build_dynamic(const IpsecpolCommand& cmd, const IpsecpolBuildOptions& opt) {
  if (cmd.mode != IpsecpolMode::dynamic_mode)
    return Error::make("usage", "build_dynamic needs a dynamic-mode command (no -w)");
  DynamicBuildResult out;
  IdSource ids(opt, out.set);
  Policy p = new_policy(std::string(kDynamicPolicyName));
  p.id = ids.next();
  p.changed = now(opt);
  p.isakmp = ipsecpol_isakmp(cmd);
  // Dynamic ipseccmd plumbs no default response unless -f DEFAULT asks for it.
  p.default_response.active = false;
  note_ignored_static_flags(cmd, out.notes);

  if (cmd.is_default_response()) {
    IPSECKIT_TRY(default_response(cmd, p));
    if (cmd.rule_name) out.notes.push_back("-r is ignored with -f DEFAULT");
    if (!cmd.mm_filters.empty()) out.notes.push_back("-1f is ignored with -f DEFAULT (it has no filters)");
  } else {
    const std::string base = cmd.rule_name ? *cmd.rule_name : "ipsecpol " + ids.next();
    // Group the filters by action: the rule's own (negotiate or -n PASS/BLOCK/INPASS), and
    // the ( ) pass-through and [ ] block filterspecs. XP applies -n PASS/BLOCK/INPASS to every
    // transport filter, overriding ( ) and [ ].
    const bool special = cmd.special_action().has_value();
    std::array<std::vector<FilterSpec>, 3> groups;  // none, permit, block
    for (const auto& f : cmd.filters) {
      auto g = special ? FilterSpecAction::none : f.action;
      if (special && f.action != FilterSpecAction::none) {
        out.notes.push_back(
            fmt::format("{}: -n PASS/BLOCK/INPASS applies to every filter; its {} wrapper is "
                        "overridden",
                        describe(f), f.action == FilterSpecAction::permit ? "( )" : "[ ]"));
      }
      groups[static_cast<std::size_t>(g)].push_back(f);
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].empty()) continue;
      const auto kind = static_cast<FilterSpecAction>(g);
      const std::string name = kind == FilterSpecAction::none     ? base
                               : kind == FilterSpecAction::permit ? base + " (pass-through)"
                                                                  : base + " (block)";
      FilterList fl;
      fl.id = ids.next();
      fl.name = name + " filter list";
      fl.filters = rule_filters(groups[g], cmd.tunnel_mode(), out.notes);
      FilterAction fa;
      if (kind == FilterSpecAction::none) {
        fa = action_from_command(cmd, false);  // the SPD keeps PFS per offer
      } else {
        fa.action = kind == FilterSpecAction::permit ? ActionType::permit : ActionType::block;
      }
      fa.id = ids.next();
      fa.name = name + " filter action";
      Rule r;
      r.id = ids.next();
      r.name = name;
      r.filter_list = fl.name;
      r.filter_action = fa.name;
      r.auth = command_auth(cmd);
      r.tunnel = cmd.tunnel;
      r.tunnel_src = cmd.tunnel_src;
      r.conn = cmd.conn.value_or(ConnType::all);
      r.active = true;
      // -1f: explicit main-mode filters for the negotiating rule (pass/block rules need none).
      if (kind == FilterSpecAction::none)
        for (const auto& f : cmd.mm_filters) r.mm_filters.push_back(f.filter);
      out.set.filter_lists.push_back(std::move(fl));
      out.set.filter_actions.push_back(std::move(fa));
      p.rules.push_back(std::move(r));
      out.rules.push_back(name);
    }
  }
  out.set.policies.push_back(std::move(p));
  IPSECKIT_TRY(validate(out.set));
  return out;
}

}  // namespace ipseckit::policy
