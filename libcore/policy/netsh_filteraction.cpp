// Filter actions: add/set/delete filteraction (nshipsec staticadd.cpp
// HandleStaticAddFilterActions, staticset.cpp, staticdelete.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "policy/defaults.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

constexpr std::array<std::string_view, 3> kActions{"permit", "block", "negotiate"};
constexpr std::array<ActionType, 3> kActionTypes{ActionType::permit, ActionType::block, ActionType::negotiate};

Result<bool> optional_bool(const NetshArgs& args, std::string_view tag, bool fallback) {
  const auto* a = args.get(tag);
  if (!a) return fallback;
  return netsh_bool(*a);
}

// Applies action, qmsecmethods, qmpfs, inpass and soft over `fa` (defaults for add).
// qmsecmethods, inpass and soft mean something only to negotiate; they are still checked.
Status apply_action(FilterAction& fa, const NetshArgs& args) {
  if (const auto* a = args.get("action")) {
    auto i = netsh_keyword(*a, kActions);
    if (!i) return i.error();
    fa.action = kActionTypes[*i];
  }
  std::optional<std::vector<QmOffer>> offers;
  if (const auto* a = args.get("qmsecmethods")) {
    auto m = parse_netsh_qm_methods(a->value);
    if (!m) return netsh_bad_value(*a, m.error());
    offers = std::move(*m);
  }
  const bool had_pfs = !fa.offers.empty() && fa.offers.front().pfs.enabled;
  auto pfs = optional_bool(args, "qmpfs", had_pfs);
  if (!pfs) return pfs.error();
  auto inpass = optional_bool(args, "inpass", fa.inpass);
  if (!inpass) return inpass.error();
  auto soft = optional_bool(args, "soft", fa.soft);
  if (!soft) return soft.error();

  if (fa.action != ActionType::negotiate) {
    fa.offers.clear();
    fa.inpass = fa.soft = false;
    return {};
  }
  if (offers) fa.offers = std::move(*offers);
  if (fa.offers.empty()) fa.offers = default_netsh_qm_offers();
  netsh_set_pfs(fa.offers, *pfs);
  fa.inpass = *inpass;
  fa.soft = *soft;
  return {};
}

void touch_users(NetshCommandContext& c, std::string_view action) {
  for (auto& p : c.set.policies)
    for (const auto& r : p.rules)
      if (r.filter_action == action) c.touch(p);
}

constexpr std::array<NetshTagSpec, 7> kAdd{{
    {"name", 0, true},
    {"description", 1},
    {"qmpfs", 2},
    {"inpass", 3},
    {"soft", 4},
    {"action", 5},
    {"qmsecmethods", 6},
}};

Status add_filteraction(NetshCommandContext& c, const NetshArgs& args) {
  auto name = netsh_name(*args.get("name"));
  if (!name) return name.error();
  FilterAction fa;
  fa.id = c.new_id();
  fa.name = *name;
  fa.action = ActionType::negotiate;
  if (const auto* a = args.get("description")) fa.description = a->value;
  IPSECKIT_TRY(apply_action(fa, args));
  if (c.set.find_filter_action(fa.name)) return netsh_failed(fmt::format("filter action '{}' already exists", fa.name));
  c.summary = fmt::format("added filter action '{}' ({})", fa.name, kActions[static_cast<std::size_t>(fa.action)]);
  c.set.filter_actions.push_back(std::move(fa));
  return {};
}

constexpr std::array<NetshTagSpec, 9> kSet{{
    {"name", 0, true},
    {"guid", 0, true},
    {"newname", 1},
    {"description", 2},
    {"qmpfs", 3},
    {"inpass", 4},
    {"soft", 5},
    {"action", 6},
    {"qmsecmethods", 7},
}};

Status set_filteraction(NetshCommandContext& c, const NetshArgs& args) {
  const NetshArg& who = args.has("guid") ? *args.get("guid") : *args.get("name");
  FilterAction* found = netsh_find(c.set.filter_actions, who);
  // Values are checked (usage errors) before a missing action is reported.
  FilterAction fa = found ? *found : FilterAction{};
  if (const auto* a = args.get("description")) fa.description = a->value;
  IPSECKIT_TRY(apply_action(fa, args));
  if (const auto* a = args.get("newname"))
    if (auto n = netsh_name(*a); !n) return n.error();
  if (!found) return netsh_failed(fmt::format("filter action {}='{}' does not exist", who.tag, who.value), who.offset);
  if (const auto* a = args.get("newname")) {
    const std::string n = a->value;
    if (n != fa.name && c.set.find_filter_action(n))
      return netsh_failed(fmt::format("newname={}: filter action '{}' already exists", n, n), a->offset);
    // Rules name their action; Windows links by GUID, so a rename carries the rules along.
    for (auto& p : c.set.policies)
      for (auto& r : p.rules)
        if (r.filter_action == fa.name) r.filter_action = n;
    fa.name = n;
  }
  touch_users(c, fa.name);
  c.summary = fmt::format("changed filter action '{}'", fa.name);
  *found = std::move(fa);
  return {};
}

constexpr std::array<NetshTagSpec, 1> kDelete{{{"name", 0, true}}};

Status delete_filteraction(NetshCommandContext& c, const NetshArgs& args) {
  const auto& a = *args.get("name");
  if (!a.tagged && str::iequals(a.value, "all")) {
    std::vector<std::string> kept;
    std::size_t deleted = 0;
    std::erase_if(c.set.filter_actions, [&](const FilterAction& x) {
      if (!netsh_users_of_action(c.set, x.name).empty()) {
        kept.push_back(x.name);
        return false;
      }
      ++deleted;
      return true;
    });
    c.summary = fmt::format("deleted {} filter action(s)", deleted);
    if (!kept.empty()) c.summary += "; kept (used by rules): " + str::join(kept, ", ");
    return {};
  }
  if (!c.set.find_filter_action(a.value))
    return netsh_failed(fmt::format("filter action '{}' does not exist", a.value), a.offset);
  if (auto users = netsh_users_of_action(c.set, a.value); !users.empty())
    return netsh_failed(
        fmt::format("filter action '{}' is in use by {}; delete or change the rule first", a.value, users), a.offset);
  std::erase_if(c.set.filter_actions, [&](const FilterAction& x) { return x.name == a.value; });
  c.summary = fmt::format("deleted filter action '{}'", a.value);
  return {};
}

constexpr std::array<NetshCommandDef, 3> kCommands{{
    {"add", "filteraction", kAdd, add_filteraction},
    {"set", "filteraction", kSet, set_filteraction},
    {"delete", "filteraction", kDelete, delete_filteraction},
}};

}  // namespace

std::span<const NetshCommandDef> netsh_filteraction_commands() {
  return kCommands;
}

}  // namespace ipseckit::policy
