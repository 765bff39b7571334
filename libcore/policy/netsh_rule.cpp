// Rules: add/set/delete rule (nshipsec staticadd.cpp HandleStaticAddRule/CreateNewRule,
// staticset.cpp, staticdelete.cpp HandleStaticDeleteRule).
//
// Rule ids as netsh shows them: the policy's rules numbered from 1 in policy order; the
// default response rule comes after them (id = number of rules + 1) and cannot be deleted.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

constexpr std::array<std::string_view, 3> kConnTypes{"all", "lan", "dialup"};
constexpr std::array<ConnType, 3> kConnValues{ConnType::all, ConnType::lan, ConnType::dialup};

// tunnel, conntype, activate, description, authentication: the parts add and set share.
Status apply_rule_fields(Rule& r, const NetshArgs& args, const NetshOptions& opt) {
  if (const auto* a = args.get("tunnel")) {
    auto t = netsh_tunnel(*a, opt);
    if (!t) return t.error();
    r.tunnel = std::move(*t);
  }
  if (const auto* a = args.get("conntype")) {
    auto i = netsh_keyword(*a, kConnTypes);
    if (!i) return i.error();
    r.conn = kConnValues[*i];
  }
  if (const auto* a = args.get("activate")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    r.active = *b;
  }
  if (const auto* a = args.get("description")) r.description = a->value;
  auto auth = netsh_auth(args);
  if (!auth) return auth.error();
  if (*auth) r.auth = std::move(**auth);  // replaced wholesale
  return {};
}

// The rule's filter list must exist and hold filters; its filter action must exist.
Status check_references(const PolicySet& set, const NetshArgs& args) {
  if (const auto* a = args.get("filteraction"); a && !set.find_filter_action(a->value))
    return netsh_failed(fmt::format("filter action '{}' does not exist", a->value), a->offset);
  if (const auto* a = args.get("filterlist")) {
    const auto* l = set.find_filter_list(a->value);
    if (!l) return netsh_failed(fmt::format("filter list '{}' does not exist", a->value), a->offset);
    if (l->filters.empty())
      return netsh_failed(fmt::format("filter list '{}' has no filters; add a filter first", a->value), a->offset);
  }
  return {};
}

Result<Policy*> find_policy(NetshCommandContext& c, const NetshArgs& args) {
  const auto& a = *args.get("policy");
  Policy* p = c.set.find_policy(a.value);
  if (!p) return netsh_failed(fmt::format("policy '{}' does not exist", a.value), a.offset);
  return p;
}

// id= as a number (checked before the store is consulted); nullopt when the rule is named.
Result<std::optional<std::uint64_t>> rule_id(const NetshArgs& args) {
  const auto* a = args.get("id");
  if (!a) return std::optional<std::uint64_t>{};
  auto n = netsh_uint(*a, 1, 0xFFFFFFFF);
  if (!n) return n.error();
  return std::optional<std::uint64_t>{*n};
}

// The index of the rule named by name= or id=; rules.size() for id = rules + 1, the default
// response rule (each caller says why it cannot be used).
Result<std::size_t> find_rule(const Policy& p, const NetshArgs& args, std::optional<std::uint64_t> id) {
  if (id) {
    const auto* a = args.get("id");
    if (*id > p.rules.size() + 1)
      return netsh_failed(fmt::format("policy '{}' has no rule with id {} (ids 1..{}, the last being the default "
                                      "response rule)",
                                      p.name, *id, p.rules.size() + 1),
                          a->offset);
    return static_cast<std::size_t>(*id - 1);
  }
  const auto& a = *args.get("name");
  for (std::size_t i = 0; i < p.rules.size(); ++i)
    if (p.rules[i].name == a.value) return i;
  return netsh_failed(fmt::format("policy '{}' has no rule '{}'", p.name, a.value), a.offset);
}

constexpr std::array<NetshTagSpec, 11> kAdd{{
    {"name", 0, true},
    {"policy", 1, true},
    {"filterlist", 2, true},
    {"filteraction", 3, true},
    {"tunnel", 4},
    {"conntype", 5},
    {"activate", 6},
    {"description", 7},
    {"kerberos", 8},
    {"psk", 9},
    {"rootca", 10, false, true},
}};

Status add_rule(NetshCommandContext& c, const NetshArgs& args) {
  Rule r;
  auto name = netsh_name(*args.get("name"));
  if (!name) return name.error();
  r.name = *name;
  r.filter_list = args.get("filterlist")->value;
  r.filter_action = args.get("filteraction")->value;
  r.auth = {AuthMethod{}};  // Kerberos unless kerberos=, psk= or rootca= say otherwise
  IPSECKIT_TRY(apply_rule_fields(r, args, c.opt));
  auto p = find_policy(c, args);
  if (!p) return p.error();
  if (std::any_of((*p)->rules.begin(), (*p)->rules.end(), [&](const Rule& x) { return x.name == r.name; }))
    return netsh_failed(fmt::format("policy '{}' already has a rule '{}'", (*p)->name, r.name));
  IPSECKIT_TRY(check_references(c.set, args));
  r.id = c.new_id();
  c.summary = fmt::format("added rule '{}' to policy '{}' ({} -> {}{})", r.name, (*p)->name, r.filter_list,
                          r.filter_action, r.tunnel ? ", tunnel " + r.tunnel->str() : "");
  (*p)->rules.push_back(std::move(r));
  c.touch(**p);
  return {};
}

constexpr std::array<NetshTagSpec, 13> kSet{{
    {"name", 0, true},
    {"id", 0, true},
    {"policy", 1, true},
    {"newname", 2},
    {"description", 3},
    {"filterlist", 4},
    {"filteraction", 5},
    {"tunnel", 6},
    {"conntype", 7},
    {"activate", 8},
    {"kerberos", 9},
    {"psk", 10},
    {"rootca", 11, false, true},
}};

Status set_rule(NetshCommandContext& c, const NetshArgs& args) {
  // Values first (usage errors whatever the store holds), then the store.
  auto id = rule_id(args);
  if (!id) return id.error();
  Policy* p = c.set.find_policy(args.get("policy")->value);
  Result<std::size_t> i = p ? find_rule(*p, args, *id) : Result<std::size_t>(std::size_t{0});
  Rule r = p && i && *i < p->rules.size() ? p->rules[*i] : Rule{};
  IPSECKIT_TRY(apply_rule_fields(r, args, c.opt));
  std::optional<std::string> newname;
  if (const auto* a = args.get("newname")) {
    auto n = netsh_name(*a);
    if (!n) return n.error();
    newname = *n;
  }
  if (!p) return find_policy(c, args).error();
  if (!i) return i.error();
  if (*i == p->rules.size())
    return netsh_failed(
        fmt::format("id={} is the default response rule of policy '{}'; use set defaultrule", *i + 1, p->name),
        args.get("id")->offset);
  IPSECKIT_TRY(check_references(c.set, args));
  if (const auto* a = args.get("filterlist")) r.filter_list = a->value;
  if (const auto* a = args.get("filteraction")) r.filter_action = a->value;
  if (newname) {
    for (std::size_t k = 0; k < p->rules.size(); ++k)
      if (k != *i && p->rules[k].name == *newname)
        return netsh_failed(fmt::format("newname={}: policy '{}' already has a rule '{}'", *newname, p->name, *newname),
                            args.get("newname")->offset);
    r.name = *newname;
  }
  c.summary = fmt::format("changed rule '{}' of policy '{}'", r.name, p->name);
  p->rules[*i] = std::move(r);
  c.touch(*p);
  return {};
}

constexpr std::array<NetshTagSpec, 3> kDelete{{{"name", 0, true}, {"id", 0, true}, {"policy", 1, true}}};

Status delete_rule(NetshCommandContext& c, const NetshArgs& args) {
  auto id = rule_id(args);
  if (!id) return id.error();
  auto p = find_policy(c, args);
  if (!p) return p.error();
  const auto* name = args.get("name");
  if (name && !name->tagged && str::iequals(name->value, "all")) {
    c.summary = fmt::format("deleted all {} rule(s) of policy '{}' (the default response rule stays)",
                            (*p)->rules.size(), (*p)->name);
    (*p)->rules.clear();
    c.touch(**p);
    return {};
  }
  auto i = find_rule(**p, args, *id);
  if (!i) return i.error();
  if (*i == (*p)->rules.size())
    return netsh_failed(fmt::format("id={} is the default response rule of policy '{}', which cannot be deleted "
                                    "(set defaultrule activate=no turns it off)",
                                    *i + 1, (*p)->name),
                        args.get("id")->offset);
  c.summary = fmt::format("deleted rule '{}' from policy '{}'", (*p)->rules[*i].name, (*p)->name);
  (*p)->rules.erase((*p)->rules.begin() + static_cast<std::ptrdiff_t>(*i));
  c.touch(**p);
  return {};
}

constexpr std::array<NetshCommandDef, 3> kCommands{{
    {"add", "rule", kAdd, add_rule},
    {"set", "rule", kSet, set_rule},
    {"delete", "rule", kDelete, delete_rule},
}};

}  // namespace

std::span<const NetshCommandDef> netsh_rule_commands() {
  return kCommands;
}

}  // namespace ipseckit::policy
