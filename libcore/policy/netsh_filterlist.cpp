// Filter lists and their filters: add/set/delete filterlist, add/delete filter (nshipsec
// staticadd.cpp HandleStaticAddFilter*, staticset.cpp, staticdelete.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

bool ports_allowed(std::uint8_t proto) {
  return proto == 6 || proto == 17 || proto == 132;
}

// IPv6 or not, where known: an IP address, or a DNS name by its first address (as validate()).
std::optional<bool> family_v6(const Address& a) {
  if (a.kind == AddrKind::subnet) return a.prefix.addr.is_v6();
  if (a.kind == AddrKind::dns && !a.resolved.empty()) return a.resolved.front().is_v6();
  return std::nullopt;
}

// srcaddr=/srcmask= (or dst...) into an Address. `resolve` false keeps DNS names unresolved
// (delete filter matches by name).
Result<Address> filter_address(const NetshArg& addr_arg, const NetshArg* mask_arg, const NetshOptions& opt,
                               bool resolve) {
  auto addr = parse_netsh_address(addr_arg.value);
  if (!addr) return netsh_bad_value(addr_arg, addr.error());
  if (mask_arg) {
    const bool v6 = addr->kind == AddrKind::subnet && addr->ip.is_v6();
    auto len = parse_netsh_mask(mask_arg->value, v6);
    if (!len) return netsh_bad_value(*mask_arg, len.error());
    switch (addr->kind) {
      case AddrKind::subnet:
        if (addr->len)
          return netsh_usage(fmt::format("{}={}: the prefix is given twice ({} and {}=)", addr_arg.tag, addr_arg.value,
                                         addr_arg.tag, mask_arg->tag),
                             mask_arg->offset);
        addr->len = *len;
        break;
      case AddrKind::me:
      case AddrKind::dns:
        if (*len != 32)
          return netsh_usage(fmt::format("{}={}: '{}' is a single host; the mask must be 255.255.255.255",
                                         mask_arg->tag, mask_arg->value, addr_arg.value),
                             mask_arg->offset);
        break;
      case AddrKind::any:
        break;  // "any" is 0.0.0.0/0 whatever the mask says
    }
  }
  if (!resolve && addr->kind == AddrKind::dns) return Address::dns(addr->name, {});
  return netsh_resolve(addr_arg, *addr, opt);
}

// The filter described by add/delete filter's tags (description aside).
Result<Filter> filter_from(const NetshArgs& args, const NetshOptions& opt, bool resolve) {
  Filter f;
  auto src = filter_address(*args.get("srcaddr"), args.get("srcmask"), opt, resolve);
  if (!src) return src.error();
  auto dst = filter_address(*args.get("dstaddr"), args.get("dstmask"), opt, resolve);
  if (!dst) return dst.error();
  f.src = std::move(*src);
  f.dst = std::move(*dst);
  const auto sf = family_v6(f.src), df = family_v6(f.dst);
  if (sf && df && *sf != *df)
    return netsh_usage("srcaddr= and dstaddr= are of different address families", args.get("dstaddr")->offset);
  if (f.src.kind != AddrKind::any && f.src.kind == f.dst.kind && f.src.str() == f.dst.str())
    return netsh_usage(fmt::format("source and destination are the same ({})", f.src.str()),
                       args.get("dstaddr")->offset);
  if (const auto* a = args.get("protocol")) {
    auto p = parse_netsh_protocol(a->value);
    if (!p) return netsh_bad_value(*a, p.error());
    f.protocol = *p;
  }
  for (const char* tag : {"srcport", "dstport"}) {
    const auto* a = args.get(tag);
    if (!a) continue;
    auto port = parse_netsh_port(a->value);
    if (!port) return netsh_bad_value(*a, port.error());
    if (*port != 0 && !ports_allowed(f.protocol))
      return netsh_usage(fmt::format("{}={}: ports apply only to protocol TCP or UDP", a->tag, a->value), a->offset);
    (tag[0] == 's' ? f.src_port : f.dst_port) = *port;
  }
  if (const auto* a = args.get("mirrored")) {
    auto b = netsh_bool(*a);
    if (!b) return b.error();
    f.mirrored = *b;
  }
  return f;
}

bool same_address(const Address& a, const Address& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == AddrKind::subnet) return a.prefix == b.prefix;
  if (a.kind == AddrKind::dns) return str::iequals(a.dns_name, b.dns_name);
  return true;
}

bool same_filter(const Filter& a, const Filter& b) {
  return same_address(a.src, b.src) && same_address(a.dst, b.dst) && a.protocol == b.protocol &&
         a.src_port == b.src_port && a.dst_port == b.dst_port && a.mirrored == b.mirrored;
}

std::string describe(const Filter& f) {
  std::string s = fmt::format("{} {} {}", f.src.str(), f.mirrored ? "<->" : "->", f.dst.str());
  if (f.protocol) s += fmt::format(" protocol {}", f.protocol);
  if (f.src_port || f.dst_port) s += fmt::format(" ports {}->{}", f.src_port, f.dst_port);
  return s;
}

// ------------------------------------------------------------------ filter lists

constexpr std::array<NetshTagSpec, 2> kAddList{{{"name", 0, true}, {"description", 1}}};

Status add_filterlist(NetshCommandContext& c, const NetshArgs& args) {
  auto name = netsh_name(*args.get("name"));
  if (!name) return name.error();
  if (c.set.find_filter_list(*name)) return netsh_failed(fmt::format("filter list '{}' already exists", *name));
  FilterList l;
  l.id = c.new_id();
  l.name = *name;
  if (const auto* a = args.get("description")) l.description = a->value;
  c.summary = fmt::format("added filter list '{}'", l.name);
  c.set.filter_lists.push_back(std::move(l));
  return {};
}

constexpr std::array<NetshTagSpec, 4> kSetList{
    {{"name", 0, true}, {"guid", 0, true}, {"newname", 1}, {"description", 2}}};

Status set_filterlist(NetshCommandContext& c, const NetshArgs& args) {
  const NetshArg& who = args.has("guid") ? *args.get("guid") : *args.get("name");
  if (const auto* a = args.get("newname"))
    if (auto n = netsh_name(*a); !n) return n.error();
  FilterList* l = netsh_find(c.set.filter_lists, who);
  if (!l) return netsh_failed(fmt::format("filter list {}='{}' does not exist", who.tag, who.value), who.offset);
  if (const auto* a = args.get("newname")) {
    const auto n = &a->value;
    if (*n != l->name && c.set.find_filter_list(*n))
      return netsh_failed(fmt::format("newname={}: filter list '{}' already exists", *n, *n), a->offset);
    // Rules name their list; Windows links by GUID, so a rename carries the rules along.
    for (auto& p : c.set.policies)
      for (auto& r : p.rules)
        if (r.filter_list == l->name) {
          r.filter_list = *n;
          c.touch(p);
        }
    l->name = *n;
  }
  if (const auto* a = args.get("description")) l->description = a->value;
  c.summary = fmt::format("changed filter list '{}'", l->name);
  return {};
}

Status delete_filterlist(NetshCommandContext& c, const NetshArgs& args) {
  const auto& a = *args.get("name");
  if (!a.tagged && str::iequals(a.value, "all")) {
    std::vector<std::string> kept;
    std::size_t deleted = 0;
    std::erase_if(c.set.filter_lists, [&](const FilterList& l) {
      if (!netsh_users_of_list(c.set, l.name).empty()) {
        kept.push_back(l.name);
        return false;
      }
      ++deleted;
      return true;
    });
    c.summary = fmt::format("deleted {} filter list(s)", deleted);
    if (!kept.empty()) c.summary += "; kept (used by rules): " + str::join(kept, ", ");
    return {};
  }
  const FilterList* l = c.set.find_filter_list(a.value);
  if (!l) return netsh_failed(fmt::format("filter list '{}' does not exist", a.value), a.offset);
  if (auto users = netsh_users_of_list(c.set, a.value); !users.empty())
    return netsh_failed(
        fmt::format("filter list '{}' is in use by {}; delete or change the rule first", a.value, users), a.offset);
  std::erase_if(c.set.filter_lists, [&](const FilterList& x) { return x.name == a.value; });
  c.summary = fmt::format("deleted filter list '{}'", a.value);
  return {};
}

// ------------------------------------------------------------------ filters

constexpr std::array<NetshTagSpec, 10> kAddFilter{{
    {"filterlist", 0, true},
    {"srcaddr", 1, true},
    {"dstaddr", 2, true},
    {"description", 3},
    {"protocol", 4},
    {"mirrored", 5},
    {"srcmask", 6},
    {"dstmask", 7},
    {"srcport", 8},
    {"dstport", 9},
}};

Status add_filter(NetshCommandContext& c, const NetshArgs& args) {
  const auto& list_arg = *args.get("filterlist");
  auto list_name = netsh_name(list_arg);
  if (!list_name) return list_name.error();
  auto f = filter_from(args, c.opt, true);
  if (!f) return f.error();
  if (const auto* a = args.get("description")) f->description = a->value;
  FilterList* l = c.set.find_filter_list(*list_name);
  const bool created = l == nullptr;
  if (created) {  // Windows creates the list on first use
    FilterList n;
    n.id = c.new_id();
    n.name = *list_name;
    c.set.filter_lists.push_back(std::move(n));
    l = &c.set.filter_lists.back();
  }
  for (const auto& existing : l->filters)
    if (same_filter(existing, *f))
      return netsh_failed(fmt::format("filter list '{}' already has the filter {}", l->name, describe(*f)));
  c.summary = fmt::format("added filter {} to filter list '{}'{}", describe(*f), l->name, created ? " (created)" : "");
  l->filters.push_back(std::move(*f));
  for (auto& p : c.set.policies)
    for (const auto& r : p.rules)
      if (r.filter_list == l->name) c.touch(p);
  return {};
}

constexpr std::array<NetshTagSpec, 9> kDeleteFilter{{
    {"filterlist", 0, true},
    {"srcaddr", 1, true},
    {"dstaddr", 2, true},
    {"protocol", 3},
    {"srcmask", 4},
    {"dstmask", 5},
    {"srcport", 6},
    {"dstport", 7},
    {"mirrored", 8},
}};

Status delete_filter(NetshCommandContext& c, const NetshArgs& args) {
  const auto& list_arg = *args.get("filterlist");
  auto f = filter_from(args, c.opt, false);
  if (!f) return f.error();
  FilterList* l = c.set.find_filter_list(list_arg.value);
  if (!l) return netsh_failed(fmt::format("filter list '{}' does not exist", list_arg.value), list_arg.offset);
  const auto removed = std::erase_if(l->filters, [&](const Filter& x) { return same_filter(x, *f); });
  if (removed == 0) return netsh_failed(fmt::format("filter list '{}' has no filter {}", l->name, describe(*f)));
  c.summary = fmt::format("deleted filter {} from filter list '{}'", describe(*f), l->name);
  for (auto& p : c.set.policies)
    for (const auto& r : p.rules)
      if (r.filter_list == l->name) c.touch(p);
  return {};
}

constexpr std::array<NetshTagSpec, 1> kDeleteNamed{{{"name", 0, true}}};

constexpr std::array<NetshCommandDef, 5> kCommands{{
    {"add", "filterlist", kAddList, add_filterlist},
    {"set", "filterlist", kSetList, set_filterlist},
    {"delete", "filterlist", kDeleteNamed, delete_filterlist},
    {"add", "filter", kAddFilter, add_filter},
    {"delete", "filter", kDeleteFilter, delete_filter},
}};

}  // namespace

std::span<const NetshCommandDef> netsh_filterlist_commands() {
  return kCommands;
}

}  // namespace ipseckit::policy
