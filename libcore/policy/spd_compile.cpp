// Generic filters, rules, QM/MM policies and authentication sets (see spd_compile.h).
#include "policy/spd_compile.h"

#include <fmt/format.h>

#include <map>
#include <unordered_set>
#include <utility>

#include "policy/spd_weight.h"

namespace ipseckit::policy {
namespace {

// One side of a policy filter before the address family is known.
struct Side {
  AddrKind kind = AddrKind::any;  // me and any have no family of their own
  SpdAddr addr;                   // subnet and DNS: the concrete prefix
  bool agnostic() const { return kind == AddrKind::me || kind == AddrKind::any; }
  SpdAddr realize(bool v6) const {
    if (kind == AddrKind::me) return SpdAddr::symbolic_me(v6);
    if (kind == AddrKind::any) return SpdAddr::any(v6);
    return addr;
  }
};

std::vector<Side> sides(const Address& a) {
  switch (a.kind) {
    case AddrKind::me:
    case AddrKind::any: return {Side{a.kind, {}}};
    case AddrKind::subnet: return {Side{a.kind, SpdAddr::of(a.prefix)}};
    case AddrKind::dns: {
      std::vector<Side> out;
      for (const auto& r : a.resolved) out.push_back(Side{a.kind, SpdAddr::of(wire::IpPrefix::host(r))});
      return out;
    }
  }
  return {};
}

// The tunnel endpoint of a rule for a filter of family v6 (me/any take the filter's family;
// a DNS endpoint uses its first address, as Windows resolves names to their first record).
std::optional<SpdAddr> tunnel_for(const std::optional<Address>& t, bool v6) {
  if (!t) return std::nullopt;
  switch (t->kind) {
    case AddrKind::me: return SpdAddr::symbolic_me(v6);
    case AddrKind::any: return SpdAddr::any(v6);
    case AddrKind::subnet: return SpdAddr::of(t->prefix);
    case AddrKind::dns:
      if (t->resolved.empty()) return std::nullopt;
      return SpdAddr::of(wire::IpPrefix::host(t->resolved.front()));
  }
  return std::nullopt;
}

SpdDirection generic_direction(const SpdFilter& f) {
  if (f.tunnel) return f.tunnel->me ? SpdDirection::inbound : SpdDirection::none;
  if (f.src.me) return SpdDirection::outbound;
  if (f.dst.me) return SpdDirection::inbound;
  return SpdDirection::none;
}

SpdFilter mirrored(const SpdFilter& f) {
  SpdFilter m = f;
  m.mirror = true;
  std::swap(m.src, m.dst);
  std::swap(m.src_port, m.dst_port);
  m.direction = generic_direction(m);
  m.weight = qm_filter_weight(m);
  return m;
}

struct PairHash {
  std::size_t operator()(const std::pair<SpdAddr, SpdAddr>& p) const {
    std::size_t h = 1469598103934665603ull;
    for (const SpdAddr* a : {&p.first, &p.second}) {
      for (auto b : a->prefix.addr.bytes()) h = (h ^ b) * 1099511628211ull;
      h = (h ^ a->prefix.len) * 1099511628211ull;
      h = (h ^ (a->me ? 2u : 0u) ^ (a->is_v6() ? 1u : 0u)) * 1099511628211ull;
    }
    return h;
  }
};

class Compiler {
 public:
  explicit Compiler(CompiledSpd& out) : m_out(out) {}

  void add_source(const PolicySet& set, std::string_view policy_name, std::string kind, std::string id) {
    const Policy* p = set.find_policy(policy_name);
    if (!p) {
      m_out.warnings.push_back(fmt::format("{} source '{}': policy '{}' not found", kind, id, policy_name));
      return;
    }
    const auto source = static_cast<std::uint32_t>(m_out.sources.size());
    m_out.sources.push_back(SpdSource{std::move(kind), std::move(id), p->name});
    const auto mm = static_cast<std::uint32_t>(m_out.mm_policies.size());
    m_out.mm_policies.push_back(SpdMmPolicy{p->name, source, p->isakmp});
    for (const auto& r : p->rules)
      if (r.active) add_rule(set, *p, r, source, mm);
    m_default_candidates.push_back({source, mm, p});
  }

  // Chooses the default response: the assigned policy's, else the newest dynamic set's.
  void pick_default_response() {
    const DefaultCandidate* pick = nullptr;
    for (const auto& c : m_default_candidates) {
      const auto& dr = c.policy->default_response;
      if (!dr.active || dr.offers.empty()) continue;
      const bool is_static = m_out.sources[c.source].kind == "static";
      if (!pick || is_static) pick = &c;
      if (is_static) break;
    }
    if (!pick) return;
    const auto& dr = pick->policy->default_response;
    SpdDefaultResponse out;
    out.source = pick->source;
    out.offers = dr.offers;
    out.auth = add_auth(pick->policy->name + "/(default response)", dr.auth);
    out.mm_policy = pick->mm;
    m_out.default_response = std::move(out);
  }

 private:
  struct DefaultCandidate {
    std::uint32_t source;
    std::uint32_t mm;
    const Policy* policy;
  };

  std::uint32_t add_auth(std::string name, const std::vector<AuthMethod>& methods) {
    SpdAuth a;
    a.name = std::move(name);
    a.methods = methods;
    if (a.methods.empty()) a.methods.push_back(AuthMethod{});  // empty means Kerberos
    for (auto& m : a.methods) m.psk.clear();                   // secrets stay in the store
    m_out.auth.push_back(std::move(a));
    return static_cast<std::uint32_t>(m_out.auth.size() - 1);
  }

  std::uint32_t add_qm_policy(const FilterAction& fa, std::uint32_t source) {
    auto key = std::make_pair(source, fa.name);
    if (auto it = m_qm_index.find(key); it != m_qm_index.end()) return it->second;
    m_out.qm_policies.push_back(SpdQmPolicy{fa.name, source, fa.inpass, fa.soft, fa.offers});
    auto idx = static_cast<std::uint32_t>(m_out.qm_policies.size() - 1);
    m_qm_index.emplace(std::move(key), idx);
    return idx;
  }

  void add_rule(const PolicySet& set, const Policy& p, const Rule& r, std::uint32_t source, std::uint32_t mm) {
    const FilterList* fl = set.find_filter_list(r.filter_list);
    const FilterAction* fa = set.find_filter_action(r.filter_action);
    if (!fl || !fa) {
      m_out.warnings.push_back(fmt::format("policy '{}' rule '{}': {} '{}' not found; rule skipped", p.name,
                                           r.name, fl ? "filter action" : "filter list",
                                           fl ? r.filter_action : r.filter_list));
      return;
    }
    SpdRule sr;
    sr.source = source;
    sr.policy = p.name;
    sr.rule = r.name;
    sr.filter_list = fl->name;
    sr.filter_action = fa->name;
    sr.action = fa->action;
    sr.inpass = fa->inpass;
    sr.soft = fa->soft;
    sr.tunnel = r.tunnel;
    sr.tunnel_src = r.tunnel_src;
    sr.conn = r.conn;
    sr.mm_policy = mm;
    sr.aggressive_mode = r.aggressive_mode;
    sr.local_id = r.local_id;
    sr.peer_id = r.peer_id;
    if (fa->action == ActionType::negotiate) {
      sr.qm_policy = add_qm_policy(*fa, source);
      sr.auth = add_auth(p.name + "/" + r.name, r.auth);
    }
    m_out.rules.push_back(std::move(sr));
    const auto rule_idx = static_cast<std::uint32_t>(m_out.rules.size() - 1);
    const std::size_t first = m_out.filters.size();
    for (std::size_t i = 0; i < fl->filters.size(); ++i) add_filter(fl->filters[i], rule_idx, static_cast<std::uint32_t>(i));
    if (fa->action == ActionType::negotiate) {
      if (r.mm_filters.empty()) add_mm_filters(rule_idx, first);
      else add_explicit_mm_filters(rule_idx, r.mm_filters);
    }
  }

  // ipseccmd -1f: the rule's own main-mode filters replace the derived ones. Expanded like
  // quick-mode filters (DNS names per address, me/any per family, mirrored in both directions).
  void add_explicit_mm_filters(std::uint32_t rule_idx, const std::vector<Filter>& filters) {
    std::unordered_set<std::pair<SpdAddr, SpdAddr>, PairHash> seen;
    for (std::size_t i = 0; i < filters.size(); ++i) {
      const Filter& f = filters[i];
      const auto index = static_cast<std::uint32_t>(i);
      for (const Side& s : sides(f.src)) {
        for (const Side& d : sides(f.dst)) {
          for (bool v6 : {false, true}) {
            if ((!s.agnostic() && s.addr.is_v6() != v6) || (!d.agnostic() && d.addr.is_v6() != v6)) continue;
            const SpdAddr src = s.realize(v6), dst = d.realize(v6);
            add_mm_filter(rule_idx, index, false, src, dst, seen);
            if (f.mirrored && !(src == dst)) add_mm_filter(rule_idx, index, true, dst, src, seen);
          }
        }
      }
    }
  }

  void add_filter(const Filter& f, std::uint32_t rule_idx, std::uint32_t index) {
    const SpdRule& r = m_out.rules[rule_idx];
    for (const Side& s : sides(f.src)) {
      for (const Side& d : sides(f.dst)) {
        bool fams[2] = {true, true};  // [0] IPv4, [1] IPv6
        if (!s.agnostic() && !d.agnostic() && s.addr.is_v6() != d.addr.is_v6()) {
          m_out.warnings.push_back(fmt::format("policy '{}' rule '{}': filter {} of '{}' mixes IPv4 and IPv6; skipped",
                                               r.policy, r.rule, index, r.filter_list));
          continue;
        }
        if (!s.agnostic()) fams[s.addr.is_v6() ? 0 : 1] = false;
        if (!d.agnostic()) fams[d.addr.is_v6() ? 0 : 1] = false;
        for (int fam = 0; fam < 2; ++fam) {
          if (!fams[fam]) continue;
          const bool v6 = fam == 1;
          SpdFilter g;
          g.rule = rule_idx;
          g.index = index;
          g.src = s.realize(v6);
          g.dst = d.realize(v6);
          g.protocol = f.protocol;
          g.src_port = f.src_port;
          g.dst_port = f.dst_port;
          g.action = r.action;
          g.outbound_action = r.action;
          g.inbound_action = (r.action == ActionType::negotiate && r.inpass) ? ActionType::permit : r.action;
          g.soft = r.soft;
          g.tunnel = tunnel_for(r.tunnel, v6);
          if (r.tunnel && !g.tunnel) continue;  // a DNS endpoint without addresses (validate() rejects it)
          g.conn = r.conn;
          g.qm_policy = r.qm_policy;
          g.auth = r.auth;
          g.mm_policy = r.mm_policy;
          g.direction = generic_direction(g);
          g.weight = qm_filter_weight(g);
          const bool same = g.src == g.dst && g.src_port == g.dst_port;
          const bool mirror = f.mirrored && !g.tunnel && !same;
          m_out.filters.push_back(g);
          if (mirror) m_out.filters.push_back(mirrored(g));
        }
      }
    }
  }

  void add_mm_filter(std::uint32_t rule_idx, std::uint32_t index, bool mirror, const SpdAddr& src, const SpdAddr& dst,
                     std::unordered_set<std::pair<SpdAddr, SpdAddr>, PairHash>& seen) {
    if (!seen.insert({src, dst}).second) return;
    const SpdRule& r = m_out.rules[rule_idx];
    SpdMmFilter m;
    m.rule = rule_idx;
    m.index = index;
    m.mirror = mirror;
    m.src = src;
    m.dst = dst;
    m.direction = src.me ? SpdDirection::outbound : dst.me ? SpdDirection::inbound : SpdDirection::none;
    m.conn = r.conn;
    m.weight = mm_filter_weight(src, dst);
    m.mm_policy = r.mm_policy;
    m.auth = r.auth;
    m_out.mm_filters.push_back(m);
  }

  // polagent PACreateMMFilter: transport filters give their own addresses; tunnel rules give
  // me <-> tunnel endpoint, mirrored.
  void add_mm_filters(std::uint32_t rule_idx, std::size_t first) {
    std::unordered_set<std::pair<SpdAddr, SpdAddr>, PairHash> seen;
    for (std::size_t i = first; i < m_out.filters.size(); ++i) {
      const SpdFilter& g = m_out.filters[i];
      if (g.tunnel) {
        const SpdAddr me = SpdAddr::symbolic_me(g.tunnel->is_v6());
        add_mm_filter(rule_idx, kSpdNone, false, me, *g.tunnel, seen);
        if (!(me == *g.tunnel)) add_mm_filter(rule_idx, kSpdNone, true, *g.tunnel, me, seen);
      } else {
        add_mm_filter(rule_idx, g.index, g.mirror, g.src, g.dst, seen);
      }
    }
  }

  CompiledSpd& m_out;
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> m_qm_index;
  std::vector<DefaultCandidate> m_default_candidates;
};

}  // namespace

SpdAddr SpdAddr::any(bool v6) {
  return {v6 ? wire::IpPrefix{wire::IpAddr::v6({}), 0} : wire::IpPrefix::any_v4(), false};
}

SpdAddr SpdAddr::symbolic_me(bool v6) {
  return {wire::IpPrefix::host(v6 ? wire::IpAddr::v6({}) : wire::IpAddr::v4(0)), true};
}

std::string_view direction_name(SpdDirection d) {
  switch (d) {
    case SpdDirection::none: return "none";
    case SpdDirection::outbound: return "outbound";
    case SpdDirection::inbound: return "inbound";
  }
  return "?";
}

CompiledSpd compile_spd(const SpdInputs& in) {
  CompiledSpd out;
  out.generation = in.generation;
  Compiler c(out);
  for (auto it = in.dynamic.rbegin(); it != in.dynamic.rend(); ++it)
    c.add_source(it->set, kDynamicPolicyName, "dynamic", it->id);
  if (in.assigned_set && !in.assigned_policy.empty()) {
    out.assigned_policy = in.assigned_policy;
    c.add_source(*in.assigned_set, in.assigned_policy, "static", "policy/" + in.assigned_policy);
  }
  c.pick_default_response();
  specialize_spd(out, in.addresses);
  return out;
}

}  // namespace ipseckit::policy
