// Filter analyses of `ipsecpol check`: each policy is compiled alone (no host addresses) and
// its generic filters are compared in evaluation order (weight descending, then the
// documented tie order of spd_compile.h).
//
// Why shadowing only needs filters with identical addresses: if A covers B, A's prefixes are
// no longer than B's, and the mask weight strictly grows with the prefix length in steps of
// at least 1 << 16, more than all the flag bits together (0x3107). So weight(A) >= weight(B)
// forces equal prefix lengths, i.e. equal prefixes; A may then differ only in protocol and
// ports (wildcards where B is specific) and in tunnel bits.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "policy/json.h"
#include "policy/spd_compile.h"
#include "policy/spd_lint.h"

namespace ipseckit::policy {
namespace {

using Original = std::pair<std::uint32_t, std::uint32_t>;  // (rule, filter index)

bool addr_covers(const SpdAddr& outer, const SpdAddr& inner) {
  if (outer.me) return inner.me;
  if (inner.me) return outer.is_any();
  return outer.prefix.contains(inner.prefix);
}

bool addr_overlaps(const SpdAddr& a, const SpdAddr& b) {
  if (a.me || b.me) return (a.me && b.me) || a.is_any() || b.is_any();
  return a.prefix.contains(b.prefix) || b.prefix.contains(a.prefix);
}

bool covers(const SpdFilter& a, const SpdFilter& b) {
  return addr_covers(a.src, b.src) && addr_covers(a.dst, b.dst) && (a.protocol == 0 || a.protocol == b.protocol) &&
         (a.src_port == 0 || a.src_port == b.src_port) && (a.dst_port == 0 || a.dst_port == b.dst_port);
}

bool carries_ports(std::uint8_t proto) { return proto == 0 || proto == 6 || proto == 17 || proto == 132; }

bool overlaps(const SpdFilter& a, const SpdFilter& b) {
  if (a.is_v6() != b.is_v6()) return false;
  if (a.protocol != 0 && b.protocol != 0 && a.protocol != b.protocol) return false;
  if (a.src_port != 0 && b.src_port != 0 && a.src_port != b.src_port) return false;
  if (a.dst_port != 0 && b.dst_port != 0 && a.dst_port != b.dst_port) return false;
  const bool ports = a.src_port || a.dst_port || b.src_port || b.dst_port;
  if (ports && !carries_ports(a.protocol ? a.protocol : b.protocol)) return false;
  return addr_overlaps(a.src, b.src) && addr_overlaps(a.dst, b.dst);
}

// An address inside both sides: "me", "*" (any address), or a host of the narrower prefix
// (not its network address when it has host bits to spare).
std::string example_addr(const SpdAddr& a, const SpdAddr& b) {
  if (a.me || b.me) return "me";
  const wire::IpPrefix& p = a.prefix.len >= b.prefix.len ? a.prefix : b.prefix;
  if (p.len == 0) return "*";
  if (p.len >= p.addr.bit_width()) return p.addr.str();
  if (p.addr.is_v4()) return wire::IpAddr::v4(p.addr.v4_value() | 1u).str();
  auto bytes = p.addr.bytes();
  bytes[15] = static_cast<std::uint8_t>(bytes[15] | 1);
  return wire::IpAddr::v6(bytes).str();
}

std::string example_tuple(const SpdFilter& a, const SpdFilter& b) {
  auto num = [](unsigned x, unsigned y) { return x ? std::to_string(x) : y ? std::to_string(y) : std::string("*"); };
  return fmt::format("{}:{} -> {}:{} proto {}", example_addr(a.src, b.src), num(a.src_port, b.src_port),
                     example_addr(a.dst, b.dst), num(a.dst_port, b.dst_port), num(a.protocol, b.protocol));
}

std::string action_text(const SpdFilter& f) {
  if (f.action == ActionType::negotiate && f.inbound_action == ActionType::permit) return "negotiate, inbound clear allowed";
  return std::string(action_name(f.action));
}

class FilterAnalysis {
 public:
  FilterAnalysis(const CompiledSpd& spd, std::vector<LintFinding>& out)
      : m_spd(spd), m_g(spd.filters), m_out(out), m_order(spd.filters.size(), 0), m_pos(spd.filters.size(), 0) {
    std::iota(m_order.begin(), m_order.end(), 0u);
    std::stable_sort(m_order.begin(), m_order.end(), [&](std::uint32_t a, std::uint32_t b) { return m_g[a].weight > m_g[b].weight; });
    for (std::uint32_t i = 0; i < m_order.size(); ++i) m_pos[m_order[i]] = i;
    for (std::uint32_t i = 0; i < m_g.size(); ++i) m_first.emplace(original(i), i);
  }

  void shadowing() {
    std::map<std::tuple<bool, SpdAddrKey, SpdAddrKey>, std::vector<std::uint32_t>> groups;
    for (std::uint32_t i : m_order) groups[{m_g[i].is_v6(), key(m_g[i].src), key(m_g[i].dst)}].push_back(i);
    std::map<Original, std::pair<int, int>> counts;  // entries, shadowed entries
    std::map<Original, std::uint32_t> shadower;
    for (std::uint32_t i = 0; i < m_g.size(); ++i) ++counts[original(i)].first;
    for (const auto& [k, members] : groups) {
      for (std::size_t j = 1; j < members.size(); ++j) {
        for (std::size_t i = 0; i < j; ++i) {
          if (!covers(m_g[members[i]], m_g[members[j]])) continue;
          const Original o = original(members[j]);
          ++counts[o].second;
          shadower.emplace(o, members[i]);
          break;
        }
      }
    }
    for (const auto& [o, c] : counts) {
      if (c.second < c.first) continue;
      m_fully_shadowed.insert(o);
      const std::uint32_t by = shadower.at(o);
      const std::uint32_t first = first_entry(o);
      std::string msg = fmt::format("{} can never match: {} covers it with weight {} >= {}", describe(first),
                                    describe(by), m_g[by].weight, m_g[first].weight);
      if (action_text(m_g[by]) != action_text(m_g[first]))
        msg += fmt::format("; its action ({}) never applies", action_text(m_g[first]));
      m_out.push_back(LintFinding{LintSeverity::warning, "shadowed-filter", path(first), msg, {}});
    }
  }

  void overlaps_between_rules(const std::string& policy) {
    if (m_g.size() > kLintOverlapFilterLimit) {
      m_out.push_back(LintFinding{LintSeverity::warning, "analysis-limit", LintPath{policy, {}, {}, {}, -1, -1},
                                  fmt::format("{} filters: overlap analysis skipped (limit {})", m_g.size(),
                                              kLintOverlapFilterLimit),
                                  {}});
      return;
    }
    std::set<std::pair<Original, Original>> reported;
    std::size_t more = 0;
    for (std::uint32_t i = 0; i < m_g.size(); ++i) {
      for (std::uint32_t j = i + 1; j < m_g.size(); ++j) {
        const SpdFilter& a = m_g[i];
        const SpdFilter& b = m_g[j];
        if (a.rule == b.rule || (a.inbound_action == b.inbound_action && a.outbound_action == b.outbound_action)) continue;
        if (!overlaps(a, b)) continue;
        const std::uint32_t win = m_pos[i] < m_pos[j] ? i : j;
        const std::uint32_t lose = win == i ? j : i;
        if (m_fully_shadowed.count(original(lose))) continue;
        if (!reported.insert(std::minmax(original(i), original(j))).second) continue;
        if (reported.size() > kLintOverlapFindingLimit) {
          ++more;
          continue;
        }
        const bool exception = covers(m_g[lose], m_g[win]);
        std::string msg = fmt::format("{} and {} overlap; where they do, rule '{}' applies (weight {} vs {})",
                                      describe(win), describe(lose), rule_name(win), m_g[win].weight, m_g[lose].weight);
        if (exception) msg += fmt::format(", an exception carved out of rule '{}'", rule_name(lose));
        m_out.push_back(LintFinding{LintSeverity::warning, exception ? "overlap-exception" : "overlap-conflict", path(lose),
                                    msg, example_tuple(a, b)});
      }
    }
    if (more)
      m_out.push_back(LintFinding{LintSeverity::warning, "overlap-conflict", LintPath{policy, {}, {}, {}, -1, -1},
                                  fmt::format("{} more overlapping filter pairs not listed", more), {}});
  }

 private:
  using SpdAddrKey = std::tuple<bool, std::array<std::uint8_t, 16>, std::uint8_t>;
  static SpdAddrKey key(const SpdAddr& a) { return {a.me, a.prefix.addr.bytes(), a.prefix.len}; }

  Original original(std::uint32_t i) const { return {m_g[i].rule, m_g[i].index}; }
  std::uint32_t first_entry(const Original& o) const { return m_first.at(o); }
  const std::string& rule_name(std::uint32_t i) const { return m_spd.rules[m_g[i].rule].rule; }
  std::string describe(std::uint32_t i) const {
    const SpdFilter& f = m_g[i];
    const SpdRule& r = m_spd.rules[f.rule];
    return fmt::format("filter {}{} of list '{}' (rule '{}', {})", f.index, f.mirror ? " (mirrored)" : "", r.filter_list,
                       r.rule, action_text(f));
  }
  LintPath path(std::uint32_t i) const {
    const SpdRule& r = m_spd.rules[m_g[i].rule];
    return LintPath{r.policy, r.rule, r.filter_list, {}, static_cast<int>(m_g[i].index), -1};
  }

  const CompiledSpd& m_spd;
  const std::vector<SpdFilter>& m_g;
  std::vector<LintFinding>& m_out;
  std::vector<std::uint32_t> m_order, m_pos;
  std::map<Original, std::uint32_t> m_first;  // first generic entry of each policy filter
  std::set<Original> m_fully_shadowed;
};

std::optional<bool> family_v6(const Address& a) {
  if (a.kind == AddrKind::subnet) return a.prefix.addr.is_v6();
  if (a.kind == AddrKind::dns && !a.resolved.empty()) return a.resolved.front().is_v6();
  return std::nullopt;
}

bool model_covers(const Address& outer, const Address& inner) {
  auto all_in = [&](auto&& pred) {
    return !inner.resolved.empty() && std::all_of(inner.resolved.begin(), inner.resolved.end(), pred);
  };
  switch (outer.kind) {
    case AddrKind::any: return true;
    case AddrKind::me: return inner.kind == AddrKind::me;
    case AddrKind::subnet:
      if (inner.kind == AddrKind::subnet) return outer.prefix.contains(inner.prefix);
      if (inner.kind == AddrKind::dns) return all_in([&](const wire::IpAddr& a) { return outer.prefix.contains(a); });
      return false;
    case AddrKind::dns: {
      auto listed = [&](const wire::IpAddr& a) {
        return std::find(outer.resolved.begin(), outer.resolved.end(), a) != outer.resolved.end();
      };
      if (inner.kind == AddrKind::dns) return all_in(listed);
      return inner.kind == AddrKind::subnet && inner.prefix.is_host() && listed(inner.prefix.addr);
    }
  }
  return false;
}

}  // namespace

void lint_filters(const PolicySet& set, const Policy& p, std::vector<LintFinding>& out) {
  std::set<std::string> lists;
  for (const Rule& r : p.rules) {
    const FilterList* fl = r.active ? set.find_filter_list(r.filter_list) : nullptr;
    if (!fl || !lists.insert(fl->name).second) continue;
    for (std::size_t i = 0; i < fl->filters.size(); ++i) {
      const auto s = family_v6(fl->filters[i].src), d = family_v6(fl->filters[i].dst);
      if (s && d && *s != *d)
        out.push_back(LintFinding{LintSeverity::error, "mixed-family", LintPath{p.name, {}, fl->name, {}, static_cast<int>(i), -1},
                                  fmt::format("filter {} pairs an IPv{} source with an IPv{} destination; it is dropped",
                                              i, *s ? 6 : 4, *d ? 6 : 4),
                                  {}});
    }
  }
  SpdInputs in;
  in.assigned_set = set.extract(p.name);
  in.assigned_policy = p.name;
  const CompiledSpd spd = compile_spd(in);
  FilterAnalysis a(spd, out);
  a.shadowing();
  a.overlaps_between_rules(p.name);
}

void lint_tunnel_rules(const PolicySet& set, const Policy& p, std::vector<LintFinding>& out) {
  std::size_t tunnel_filters = 0;
  for (const Rule& r : p.rules)
    if (const FilterList* fl = set.find_filter_list(r.filter_list); r.active && r.tunnel && fl) tunnel_filters += fl->filters.size();
  const bool check_reverse = tunnel_filters <= kLintOverlapFilterLimit;
  if (!check_reverse)
    out.push_back(LintFinding{LintSeverity::warning, "analysis-limit", LintPath{p.name, {}, {}, {}, -1, -1},
                              fmt::format("{} tunnel filters: return-traffic check skipped (limit {})", tunnel_filters,
                                          kLintOverlapFilterLimit),
                              {}});
  for (const Rule& r : p.rules) {
    const FilterList* fl = set.find_filter_list(r.filter_list);
    if (!r.active || !r.tunnel || !fl) continue;
    for (std::size_t i = 0; i < fl->filters.size(); ++i) {
      const Filter& f = fl->filters[i];
      const LintPath path{p.name, r.name, fl->name, {}, static_cast<int>(i), -1};
      if (f.mirrored)
        out.push_back(LintFinding{LintSeverity::warning, "mirrored-tunnel-filter", path,
                                  fmt::format("filter {} is mirrored, but tunnel filters are never mirrored (the return "
                                              "traffic needs its own rule whose tunnel endpoint is this gateway)",
                                              i),
                                  {}});
      if (!check_reverse) continue;
      bool reverse = false;
      for (const Rule& r2 : p.rules) {
        const FilterList* l2 = set.find_filter_list(r2.filter_list);
        if (&r2 == &r || !r2.active || !r2.tunnel || !l2) continue;
        reverse = std::any_of(l2->filters.begin(), l2->filters.end(),
                              [&](const Filter& g) { return model_covers(g.src, f.dst) && model_covers(g.dst, f.src); });
        if (reverse) break;
      }
      if (!reverse)
        out.push_back(LintFinding{LintSeverity::warning, "tunnel-missing-reverse", path,
                                  fmt::format("rule '{}' tunnels {} -> {} to {}, but no tunnel rule carries the return "
                                              "traffic {} -> {}; add a rule with that filter and this gateway's address "
                                              "as its tunnel endpoint",
                                              r.name, f.src.str(), f.dst.str(), r.tunnel->str(), f.dst.str(), f.src.str()),
                                  {}});
    }
  }
}

}  // namespace ipseckit::policy
