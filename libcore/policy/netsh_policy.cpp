// Policies and store-wide commands: add/set/delete policy, set defaultrule, delete all,
// set store, set batch, restorepolicyexamples (nshipsec staticadd.cpp, staticset.cpp,
// staticdelete.cpp, staticmisc.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "base/strings.h"
#include "policy/defaults.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

constexpr std::uint64_t kMaxMmLifetimeMinutes = 71582788;  // P1_Min_LIFE_MAX
constexpr std::uint64_t kMaxPollMinutes = 43200;           // POLLING_Min_MAX
constexpr std::uint64_t kMaxQmPerMm = 2147483647;          // QMPERMM_MAX

// Main-mode settings given on add/set policy, applied over what the policy has.
Status apply_isakmp(Policy& p, const NetshArgs& args, bool adding) {
  auto& offers = p.isakmp.offers;
  const std::uint32_t old_life = offers.empty() ? 480 * 60 : offers.front().lifetime_seconds;
  const std::uint32_t old_limit = offers.empty() || p.isakmp.mm_pfs ? 0 : offers.front().qm_limit;
  std::uint32_t life = adding ? 480 * 60 : old_life;
  std::uint32_t limit = adding ? 0 : old_limit;
  if (const auto* a = args.get("mmsecmethods")) {
    auto m = parse_netsh_mm_methods(a->value);
    if (!m) return netsh_bad_value(*a, m.error());
    offers = std::move(*m);
  } else if (adding) {
    offers = default_netsh_mm_offers();
  }
  if (const auto* a = args.get("mmlifetime")) {
    auto n = netsh_uint(*a, 1, kMaxMmLifetimeMinutes);
    if (!n) return n.error();
    life = static_cast<std::uint32_t>(*n * 60);
  }
  if (const auto* a = args.get("qmpermm")) {
    auto n = netsh_uint(*a, 0, kMaxQmPerMm);
    if (!n) return n.error();
    limit = static_cast<std::uint32_t>(*n);
  }
  if (const auto* a = args.get("mmpfs")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    p.isakmp.mm_pfs = *b;
  }
  if (p.isakmp.mm_pfs) limit = 1;  // main-mode PFS = one quick mode per main mode
  for (auto& o : offers) {
    o.lifetime_seconds = life;
    o.qm_limit = limit;
  }
  return {};
}

// description, activatedefaultrule, pollinginterval.
Status apply_policy_fields(Policy& p, const NetshArgs& args) {
  if (const auto* a = args.get("description")) p.description = a->value;
  if (const auto* a = args.get("activatedefaultrule")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    p.default_response.active = *b;
  }
  if (const auto* a = args.get("pollinginterval")) {
    auto n = netsh_uint(*a, 0, kMaxPollMinutes);
    if (!n) return n.error();
    p.poll_interval_seconds = static_cast<std::uint32_t>(*n * 60);
  }
  return {};
}

// ------------------------------------------------------------------ add / set / delete policy

constexpr std::array<NetshTagSpec, 9> kAddPolicy{{
    {"name", 0, true},
    {"description", 1},
    {"mmpfs", 2},
    {"qmpermm", 3},
    {"mmlifetime", 4},
    {"activatedefaultrule", 5},
    {"pollinginterval", 6},
    {"assign", 7},
    {"mmsecmethods", 8},
}};

Status add_policy(NetshCommandContext& c, const NetshArgs& args) {
  auto name = netsh_name(*args.get("name"));
  if (!name) return name.error();
  Policy p = new_policy(*name);
  p.id = c.new_id();
  p.default_response = default_response_rule();
  IPSECKIT_TRY(apply_isakmp(p, args, true));
  IPSECKIT_TRY(apply_policy_fields(p, args));
  bool assign = false;
  if (const auto* a = args.get("assign")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    assign = *b;
  }
  if (c.set.find_policy(p.name)) return netsh_failed(fmt::format("policy '{}' already exists", p.name));
  c.touch(p);
  if (assign) c.request(p, true);
  c.summary = fmt::format("added policy '{}'{}", p.name, assign ? " (assign requested)" : "");
  c.set.policies.push_back(std::move(p));
  return {};
}

constexpr std::array<NetshTagSpec, 12> kSetPolicy{{
    {"name", 0, true},
    {"guid", 0, true},
    {"newname", 1},
    {"description", 2},
    {"mmpfs", 3},
    {"qmpermm", 4},
    {"mmlifetime", 5},
    {"activatedefaultrule", 6},
    {"pollinginterval", 7},
    {"assign", 8},
    {"gponame", 9},
    {"mmsecmethods", 10},
}};

Status set_policy(NetshCommandContext& c, const NetshArgs& args) {
  const NetshArg& who = args.has("guid") ? *args.get("guid") : *args.get("name");
  if (const auto* a = args.get("gponame"))
    return netsh_usage("gponame= applies to the domain store; only the local store exists", a->offset);
  Policy* found = netsh_find(c.set.policies, who);
  // Values are checked (usage errors) before a missing policy is reported.
  Policy p = found ? *found : new_policy(who.value);
  IPSECKIT_TRY(apply_isakmp(p, args, false));
  IPSECKIT_TRY(apply_policy_fields(p, args));
  std::optional<bool> assign;
  if (const auto* a = args.get("assign")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    assign = *b;
  }
  std::optional<std::string> newname;
  if (const auto* a = args.get("newname")) {
    auto n = netsh_name(*a);
    if (!n) return n.error();
    newname = *n;
  }
  if (!found) return netsh_failed(fmt::format("policy {}='{}' does not exist", who.tag, who.value), who.offset);
  if (newname) {
    if (*newname != p.name && c.set.find_policy(*newname))
      return netsh_failed(fmt::format("newname={}: policy '{}' already exists", *newname, *newname),
                          args.get("newname")->offset);
    p.name = *newname;
  }
  c.touch(p);
  if (assign) c.request(p, *assign);
  c.summary = fmt::format("changed policy '{}'", p.name);
  if (assign) c.summary += *assign ? " (assign requested)" : " (unassign requested)";
  *found = std::move(p);
  return {};
}

// Windows deletes a policy "completely": its rules, then every filter list and filter
// action those rules used that no other rule still uses (nshipsec DeletePolicy).
std::string delete_policy_at(NetshCommandContext& c, std::size_t index) {
  Policy p = std::move(c.set.policies[index]);
  c.set.policies.erase(c.set.policies.begin() + static_cast<std::ptrdiff_t>(index));
  c.request_unassign_deleted(p);
  std::set<std::string> lists, actions;
  for (const auto& r : p.rules) {
    if (netsh_users_of_list(c.set, r.filter_list).empty()) lists.insert(r.filter_list);
    if (netsh_users_of_action(c.set, r.filter_action).empty()) actions.insert(r.filter_action);
  }
  std::erase_if(c.set.filter_lists, [&](const FilterList& l) { return lists.count(l.name) != 0; });
  std::erase_if(c.set.filter_actions, [&](const FilterAction& a) { return actions.count(a.name) != 0; });
  std::string out = fmt::format("policy '{}'", p.name);
  if (!lists.empty() || !actions.empty())
    out += fmt::format(" with its {} unshared filter list(s) and {} filter action(s)", lists.size(), actions.size());
  return out;
}

constexpr std::array<NetshTagSpec, 1> kDeleteNamed{{{"name", 0, true}}};

Status delete_policy(NetshCommandContext& c, const NetshArgs& args) {
  const auto& a = *args.get("name");
  if (!a.tagged && str::iequals(a.value, "all")) {
    std::vector<std::string> done;
    while (!c.set.policies.empty()) done.push_back(delete_policy_at(c, 0));
    c.summary = done.empty() ? "no policy to delete" : "deleted " + str::join(done, ", ");
    return {};
  }
  for (std::size_t i = 0; i < c.set.policies.size(); ++i)
    if (c.set.policies[i].name == a.value) {
      c.summary = "deleted " + delete_policy_at(c, i);
      return {};
    }
  return netsh_failed(fmt::format("policy '{}' does not exist", a.value), a.offset);
}

// ------------------------------------------------------------------ set defaultrule

constexpr std::array<NetshTagSpec, 7> kSetDefaultRule{{
    {"policy", 0, true},
    {"qmpfs", 1},
    {"activate", 2},
    {"qmsecmethods", 3},
    {"kerberos", 4},
    {"psk", 5},
    {"rootca", 6, false, true},
}};

Status set_defaultrule(NetshCommandContext& c, const NetshArgs& args) {
  const auto& who = *args.get("policy");
  Policy* found = netsh_find(c.set.policies, who);
  DefaultResponseRule d = found ? found->default_response : default_response_rule();
  const bool had_pfs = !d.offers.empty() && d.offers.front().pfs.enabled;
  bool pfs = had_pfs;
  if (const auto* a = args.get("qmsecmethods")) {
    auto m = parse_netsh_qm_methods(a->value);
    if (!m) return netsh_bad_value(*a, m.error());
    d.offers = std::move(*m);
  }
  if (const auto* a = args.get("qmpfs")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    pfs = *b;
  }
  netsh_set_pfs(d.offers, pfs);
  if (const auto* a = args.get("activate")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    d.active = *b;
  }
  auto auth = netsh_auth(args);
  if (!auth) return auth.error();
  if (*auth) d.auth = std::move(**auth);
  if (!found) return netsh_failed(fmt::format("policy '{}' does not exist", who.value), who.offset);
  found->default_response = std::move(d);
  c.touch(*found);
  c.summary = fmt::format("changed the default response rule of policy '{}'", found->name);
  return {};
}

// ------------------------------------------------------------------ store-wide

Status delete_all(NetshCommandContext& c, const NetshArgs&) {
  const auto counts = fmt::format("deleted {} policies, {} filter lists and {} filter actions", c.set.policies.size(),
                                  c.set.filter_lists.size(), c.set.filter_actions.size());
  for (const auto& p : c.set.policies) c.request_unassign_deleted(p);
  c.set = PolicySet{};
  c.summary = counts;
  return {};
}

constexpr std::array<NetshTagSpec, 2> kSetStore{{{"location", 0, true}, {"domain", 1}}};

Status set_store(NetshCommandContext& c, const NetshArgs& args) {
  static constexpr std::array<std::string_view, 3> kLocations{"local", "persistent", "domain"};
  const auto& a = *args.get("location");
  auto i = netsh_keyword(a, kLocations);
  if (!i) return i.error();
  if (*i != 0)
    return netsh_usage(fmt::format("location={}: only the local store exists here (location=local)", a.value),
                       a.offset);
  if (const auto* d = args.get("domain")) return netsh_usage("domain= applies only to location=domain", d->offset);
  c.summary = "using the local store";
  return {};
}

constexpr std::array<NetshTagSpec, 1> kSetBatch{{{"mode", 0, true}}};

Status set_batch(NetshCommandContext& c, const NetshArgs& args) {
  static constexpr std::array<std::string_view, 2> kModes{"enable", "disable"};
  auto i = netsh_keyword(*args.get("mode"), kModes);
  if (!i) return i.error();
  c.summary = "batch mode has no effect here: every script is applied all or nothing";
  return {};
}

constexpr std::array<NetshTagSpec, 1> kRestore{{{"release", 0, true}}};

Status restore_examples(NetshCommandContext& c, const NetshArgs& args) {
  static constexpr std::array<std::string_view, 2> kReleases{"win2k", "win2003"};
  const auto& a = *args.get("release");
  auto i = netsh_keyword(a, kReleases);
  if (!i) return i.error();
  if (*i != 0)
    return netsh_usage("release=win2003: only the Windows 2000 example policies exist here (release=win2k)", a.offset);
  c.set.merge(builtin_policies());
  c.summary = fmt::format("restored the Windows 2000 example policies ({}, {}, {})", kBuiltinClient, kBuiltinServer,
                          kBuiltinSecureServer);
  return {};
}

constexpr std::array<NetshCommandDef, 8> kCommands{{
    {"add", "policy", kAddPolicy, add_policy},
    {"set", "policy", kSetPolicy, set_policy},
    {"delete", "policy", kDeleteNamed, delete_policy},
    {"set", "defaultrule", kSetDefaultRule, set_defaultrule},
    {"delete", "all", {}, delete_all},
    {"set", "store", kSetStore, set_store},
    {"set", "batch", kSetBatch, set_batch},
    {"restorepolicyexamples", "", kRestore, restore_examples},
}};

}  // namespace

std::span<const NetshCommandDef> netsh_policy_commands() {
  return kCommands;
}

}  // namespace ipseckit::policy
