// Strict reader of the compiled SPD document: every field is required, unknown fields and
// wrong types are errors naming their path ("specific[3].src").
#include <fmt/format.h>


#include "policy/json.h"
#include "policy/json_fields.h"
#include "policy/spd_json.h"

namespace ipseckit::policy {
namespace {

using json = nlohmann::json;

Error bad(const std::string& path, const std::string& why) { return Error::make("parse", fmt::format("{}: {}", path, why)); }

// Every field of the SPD document is required; errors are parse errors.
class Fields : public JsonFields {
 public:
  Fields(const json& j, std::string path) : JsonFields(j, std::move(path), "parse", true) {}
  // An index or null (kSpdNone).
  Status index(std::string_view key, std::uint32_t& out) {
    auto v = get(key);
    if (!v) return v.error();
    if ((*v)->is_null()) {
      out = kSpdNone;
      return {};
    }
    return uint(key, out, kSpdNone - 1);
  }
};

std::string idx(const std::string& path, std::size_t i) { return json_index(path, i); }

Status read_action(Fields& o, std::string_view key, ActionType& out) {
  std::string s;
  IPSECKIT_TRY(o.str(key, s));
  for (auto a : {ActionType::permit, ActionType::block, ActionType::negotiate})
    if (s == action_name(a)) {
      out = a;
      return {};
    }
  return bad(o.at(key), fmt::format("'{}' is not permit, block or negotiate", s));
}

Status read_conn(Fields& o, ConnType& out) {
  std::string s;
  IPSECKIT_TRY(o.str("conn", s));
  for (auto c : {ConnType::all, ConnType::lan, ConnType::dialup})
    if (s == conn_type_name(c)) {
      out = c;
      return {};
    }
  return bad(o.at("conn"), fmt::format("'{}' is not all, lan or dialup", s));
}

Status read_direction(Fields& o, SpdDirection& out) {
  auto v = o.get("direction");
  if (!v) return v.error();
  if ((*v)->is_null()) {
    out = SpdDirection::none;
    return {};
  }
  for (auto d : {SpdDirection::outbound, SpdDirection::inbound})
    if ((*v)->is_string() && (*v)->get<std::string>() == direction_name(d)) {
      out = d;
      return {};
    }
  return bad(o.at("direction"), "expected null, \"outbound\" or \"inbound\"");
}

Result<wire::IpPrefix> read_prefix(const std::string& s, bool v6, const std::string& path) {
  auto p = wire::IpPrefix::parse(s);
  if (!p || s.find('/') == std::string::npos) return bad(path, fmt::format("'{}' is not an address/prefix", s));
  if (p->addr.is_v6() != v6) return bad(path, fmt::format("'{}' is not of the filter's family", s));
  return *p;
}

// src/dst (+ src_addr/dst_addr for specific filters).
Result<SpdAddr> read_addr(Fields& o, std::string_view key, bool v6, bool specific) {
  std::string s;
  IPSECKIT_TRY(o.str(key, s));
  const bool me = s == "me";
  if (!specific) {
    if (me) return SpdAddr::symbolic_me(v6);
    auto p = read_prefix(s, v6, o.at(key));
    if (!p) return p.error();
    return SpdAddr::of(*p);
  }
  const std::string concrete_key = std::string(key) + "_addr";
  std::string c;
  IPSECKIT_TRY(o.str(concrete_key, c));
  auto p = read_prefix(c, v6, o.at(concrete_key));
  if (!p) return p.error();
  if (!me) {
    auto written = read_prefix(s, v6, o.at(key));
    if (!written) return written.error();
    if (*written != *p) return bad(o.at(concrete_key), "differs from " + std::string(key));
  }
  return SpdAddr{*p, me};
}

Result<std::optional<SpdAddr>> read_tunnel(Fields& o, bool v6) {
  auto v = o.get("tunnel");
  if (!v) return v.error();
  if ((*v)->is_null()) return std::optional<SpdAddr>{};
  if (!(*v)->is_string()) return bad(o.at("tunnel"), "expected an address, \"me\", \"any\" or null");
  const auto s = (*v)->get<std::string>();
  if (s == "me") return std::optional<SpdAddr>(SpdAddr::symbolic_me(v6));
  if (s == "any") return std::optional<SpdAddr>(SpdAddr::any(v6));
  auto p = wire::IpPrefix::parse(s);
  if (!p) return bad(o.at("tunnel"), fmt::format("'{}' is not an address", s));
  return std::optional<SpdAddr>(SpdAddr::of(*p));
}

Status read_family(Fields& o, bool& v6) {
  unsigned fam = 0;
  IPSECKIT_TRY(o.uint("family", fam, 6));
  if (fam != 4 && fam != 6) return bad(o.at("family"), "expected 4 or 6");
  v6 = fam == 6;
  return {};
}

// The rule reference and the names the writer repeats; the names must agree with rules[].
template <class F>
Status read_rule_ref(Fields& o, const CompiledSpd& spd, F& f) {
  IPSECKIT_TRY(o.uint("rule_id", f.rule, kSpdNone - 1));
  if (f.rule >= spd.rules.size()) return bad(o.at("rule_id"), "no such rule");
  const SpdRule& r = spd.rules[f.rule];
  std::string policy, rule, list;
  IPSECKIT_TRY(o.str("policy", policy));
  IPSECKIT_TRY(o.str("rule", rule));
  IPSECKIT_TRY(o.str("filter_list", list));
  if (policy != r.policy || rule != r.rule || list != r.filter_list)
    return bad(o.at("rule_id"), "policy/rule/filter_list differ from the rule it references");
  return {};
}

// The fields quick-mode and main-mode filters share: mirror, family, direction, src, dst and,
// for specific filters, generic. Sets v6 to the filter's family.
template <class F>
Status read_filter_sides(Fields& o, F& f, bool specific, bool& v6) {
  IPSECKIT_TRY(o.boolean("mirror", f.mirror));
  IPSECKIT_TRY(read_family(o, v6));
  IPSECKIT_TRY(read_direction(o, f.direction));
  auto src = read_addr(o, "src", v6, specific);
  if (!src) return src.error();
  auto dst = read_addr(o, "dst", v6, specific);
  if (!dst) return dst.error();
  f.src = *src;
  f.dst = *dst;
  if (specific) IPSECKIT_TRY(o.index("generic", f.generic));
  return {};
}

Result<SpdFilter> read_filter(const json& j, const std::string& path, const CompiledSpd& spd, bool specific) {
  Fields o(j, path);
  IPSECKIT_TRY(o.object());
  SpdFilter f;
  IPSECKIT_TRY(read_rule_ref(o, spd, f));
  IPSECKIT_TRY(o.uint("index", f.index, kSpdNone - 1));
  bool v6 = false;
  IPSECKIT_TRY(read_filter_sides(o, f, specific, v6));
  IPSECKIT_TRY(o.uint("protocol", f.protocol, 255));
  IPSECKIT_TRY(o.uint("src_port", f.src_port, 65535));
  IPSECKIT_TRY(o.uint("dst_port", f.dst_port, 65535));
  IPSECKIT_TRY(read_action(o, "action", f.action));
  IPSECKIT_TRY(read_action(o, "inbound_action", f.inbound_action));
  IPSECKIT_TRY(read_action(o, "outbound_action", f.outbound_action));
  IPSECKIT_TRY(o.boolean("soft", f.soft));
  auto tunnel = read_tunnel(o, v6);
  if (!tunnel) return tunnel.error();
  f.tunnel = *tunnel;
  IPSECKIT_TRY(read_conn(o, f.conn));
  IPSECKIT_TRY(o.uint("weight", f.weight, UINT32_MAX));
  IPSECKIT_TRY(o.index("qm_policy", f.qm_policy));
  IPSECKIT_TRY(o.index("auth", f.auth));
  IPSECKIT_TRY(o.index("mm_policy", f.mm_policy));
  IPSECKIT_TRY(o.finish());
  return f;
}

Result<SpdMmFilter> read_mm_filter(const json& j, const std::string& path, const CompiledSpd& spd, bool specific) {
  Fields o(j, path);
  IPSECKIT_TRY(o.object());
  SpdMmFilter f;
  IPSECKIT_TRY(read_rule_ref(o, spd, f));
  IPSECKIT_TRY(o.index("index", f.index));
  bool v6 = false;
  IPSECKIT_TRY(read_filter_sides(o, f, specific, v6));
  IPSECKIT_TRY(read_conn(o, f.conn));
  IPSECKIT_TRY(o.uint("weight", f.weight, UINT32_MAX));
  IPSECKIT_TRY(o.index("mm_policy", f.mm_policy));
  IPSECKIT_TRY(o.index("auth", f.auth));
  IPSECKIT_TRY(o.finish());
  return f;
}

// Offers and ISAKMP settings go through the policy readers (json.h), which own their form.
Result<std::vector<QmOffer>> read_offers(Fields& o) {
  auto arr = o.array("offers");
  if (!arr) return arr.error();
  auto fa = filter_action_from_json(json{{"name", "offers"}, {"offers", **arr}}, o.path());
  if (!fa) return fa.error();
  return fa->offers;
}

Result<AuthMethod> read_method(const json& j, const std::string& path) {
  Fields o(j, path);
  IPSECKIT_TRY(o.object());
  std::string method;
  IPSECKIT_TRY(o.str("method", method));
  AuthMethod a;
  if (method == "kerberos") {
    a.kind = AuthKind::kerberos;
  } else if (method == "psk") {
    a.kind = AuthKind::psk;
    IPSECKIT_TRY(o.str("key_ref", a.psk_ref));
  } else if (method == "cert") {
    a.kind = AuthKind::cert;
    IPSECKIT_TRY(o.str("ca", a.ca));
    IPSECKIT_TRY(o.boolean("cert_map", a.cert_map));
    IPSECKIT_TRY(o.boolean("exclude_ca_name", a.exclude_ca_name));
  } else {
    return bad(o.at("method"), fmt::format("unknown method '{}'", method));
  }
  IPSECKIT_TRY(o.finish());
  return a;
}

Result<SpdRule> read_rule(const json& j, const std::string& path) {
  Fields o(j, path);
  IPSECKIT_TRY(o.object());
  SpdRule r;
  IPSECKIT_TRY(o.str("policy", r.policy));
  IPSECKIT_TRY(o.str("rule", r.rule));
  IPSECKIT_TRY(o.str("filter_list", r.filter_list));
  IPSECKIT_TRY(o.str("filter_action", r.filter_action));
  IPSECKIT_TRY(o.uint("source", r.source, kSpdNone - 1));
  IPSECKIT_TRY(read_action(o, "action", r.action));
  IPSECKIT_TRY(o.boolean("inpass", r.inpass));
  IPSECKIT_TRY(o.boolean("soft", r.soft));
  for (auto [key, out] : {std::pair{"tunnel", &r.tunnel}, std::pair{"tunnel_source", &r.tunnel_src}}) {
    auto v = o.get(key);
    if (!v) return v.error();
    if ((*v)->is_null()) continue;
    auto a = address_from_json(**v, o.at(key));
    if (!a) return a.error();
    *out = *a;
  }
  IPSECKIT_TRY(read_conn(o, r.conn));
  IPSECKIT_TRY(o.index("qm_policy", r.qm_policy));
  IPSECKIT_TRY(o.index("auth", r.auth));
  IPSECKIT_TRY(o.index("mm_policy", r.mm_policy));
  // The optional fields (absent = false / empty, as written), so SPDs of older builds still read.
  if (j.contains("aggressive_mode")) IPSECKIT_TRY(o.boolean("aggressive_mode", r.aggressive_mode));
  if (j.contains("local_id")) IPSECKIT_TRY(o.str("local_id", r.local_id));
  if (j.contains("peer_id")) IPSECKIT_TRY(o.str("peer_id", r.peer_id));
  IPSECKIT_TRY(o.finish());
  return r;
}

template <class T, class Fn>
Status read_array(Fields& top, std::string_view key, std::vector<T>& out, Fn&& fn) {
  auto arr = top.array(key);
  if (!arr) return arr.error();
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    auto v = fn((**arr)[i], idx(top.at(key), i));
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return {};
}

Result<SpdSource> read_source(const json& e, const std::string& p) {
  Fields o(e, p);
  IPSECKIT_TRY(o.object());
  SpdSource s;
  IPSECKIT_TRY(o.str("kind", s.kind));
  IPSECKIT_TRY(o.str("id", s.id));
  IPSECKIT_TRY(o.str("policy", s.policy));
  IPSECKIT_TRY(o.finish());
  return s;
}

Result<wire::IpAddr> read_address(const json& e, const std::string& p) {
  auto a = e.is_string() ? wire::IpAddr::parse(e.get<std::string>()) : std::nullopt;
  if (!a) return bad(p, "expected an IP address");
  return *a;
}

Result<SpdQmPolicy> read_qm_policy(const json& e, const std::string& p) {
  Fields o(e, p);
  IPSECKIT_TRY(o.object());
  SpdQmPolicy q;
  IPSECKIT_TRY(o.str("name", q.name));
  IPSECKIT_TRY(o.uint("source", q.source, kSpdNone - 1));
  IPSECKIT_TRY(o.boolean("inpass", q.inpass));
  IPSECKIT_TRY(o.boolean("soft", q.soft));
  auto offers = read_offers(o);
  if (!offers) return offers.error();
  q.offers = std::move(*offers);
  IPSECKIT_TRY(o.finish());
  return q;
}

Result<SpdMmPolicy> read_mm_policy(const json& e, const std::string& p) {
  Fields o(e, p);
  IPSECKIT_TRY(o.object());
  SpdMmPolicy m;
  IPSECKIT_TRY(o.str("name", m.name));
  IPSECKIT_TRY(o.uint("source", m.source, kSpdNone - 1));
  auto isakmp = o.get("isakmp");
  if (!isakmp) return isakmp.error();
  auto pol = policy_from_json(json{{"name", m.name}, {"isakmp", **isakmp}}, p);
  if (!pol) return pol.error();
  m.isakmp = pol->isakmp;
  IPSECKIT_TRY(o.finish());
  return m;
}

Result<SpdAuth> read_auth_set(const json& e, const std::string& p) {
  Fields o(e, p);
  IPSECKIT_TRY(o.object());
  SpdAuth a;
  IPSECKIT_TRY(o.str("name", a.name));
  IPSECKIT_TRY(read_array(o, "methods", a.methods, read_method));
  IPSECKIT_TRY(o.finish());
  return a;
}

Result<std::string> read_warning(const json& e, const std::string& p) {
  if (!e.is_string()) return bad(p, "expected a string");
  return e.get<std::string>();
}

// Every index must point into its table, so readers can follow them without checks.
Status check_references(const CompiledSpd& spd) {
  auto in = [](std::uint32_t i, std::size_t n, bool nullable) { return (nullable && i == kSpdNone) || i < n; };
  for (std::size_t i = 0; i < spd.rules.size(); ++i) {
    const auto& r = spd.rules[i];
    if (!in(r.source, spd.sources.size(), false) || !in(r.qm_policy, spd.qm_policies.size(), true) ||
        !in(r.auth, spd.auth.size(), true) || !in(r.mm_policy, spd.mm_policies.size(), true))
      return bad(idx("spd.rules", i), "an index points past its table");
  }
  for (const auto* list : {&spd.filters, &spd.specific}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& f = (*list)[i];
      const bool generic_ok = list == &spd.filters ? f.generic == kSpdNone : in(f.generic, spd.filters.size(), true);
      if (!generic_ok || !in(f.qm_policy, spd.qm_policies.size(), true) || !in(f.auth, spd.auth.size(), true) ||
          !in(f.mm_policy, spd.mm_policies.size(), true))
        return bad(idx(list == &spd.filters ? "spd.filters" : "spd.specific", i), "an index points past its table");
    }
  }
  for (const auto* list : {&spd.mm_filters, &spd.mm_specific}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& f = (*list)[i];
      const bool generic_ok = list == &spd.mm_filters ? f.generic == kSpdNone : in(f.generic, spd.mm_filters.size(), true);
      if (!generic_ok || !in(f.auth, spd.auth.size(), true) || !in(f.mm_policy, spd.mm_policies.size(), true))
        return bad(idx(list == &spd.mm_filters ? "spd.mm_filters" : "spd.mm_specific", i), "an index points past its table");
    }
  }
  for (const auto& q : spd.qm_policies)
    if (!in(q.source, spd.sources.size(), false)) return bad("spd.qm_policies", "source index points past sources");
  for (const auto& m : spd.mm_policies)
    if (!in(m.source, spd.sources.size(), false)) return bad("spd.mm_policies", "source index points past sources");
  if (const auto& d = spd.default_response) {
    if (!in(d->source, spd.sources.size(), false) || !in(d->auth, spd.auth.size(), true) ||
        !in(d->mm_policy, spd.mm_policies.size(), true))
      return bad("spd.default_response", "an index points past its table");
  }
  return {};
}

}  // namespace

Result<CompiledSpd> compiled_spd_from_json(const json& j) {
  Fields top(j, "spd");
  IPSECKIT_TRY(top.object());
  std::string format;
  IPSECKIT_TRY(top.str("format", format));
  if (format != kSpdJsonFormat) return bad(top.at("format"), fmt::format("'{}' is not \"{}\"", format, kSpdJsonFormat));
  int version = 0;
  IPSECKIT_TRY(top.uint("version", version, 1000));
  if (version != kSpdJsonVersion) return bad(top.at("version"), fmt::format("version {} is not supported", version));
  CompiledSpd spd;
  IPSECKIT_TRY(top.uint("generation", spd.generation, UINT64_MAX));
  if (auto v = top.get("assigned_policy"); !v) {
    return v.error();
  } else if (!(*v)->is_null()) {
    if (!(*v)->is_string() || (*v)->get<std::string>().empty()) return bad(top.at("assigned_policy"), "expected a name or null");
    spd.assigned_policy = (*v)->get<std::string>();
  }
  IPSECKIT_TRY(read_array(top, "sources", spd.sources, read_source));
  IPSECKIT_TRY(read_array(top, "addresses", spd.addresses, read_address));
  IPSECKIT_TRY(read_array(top, "rules", spd.rules, read_rule));
  IPSECKIT_TRY(read_array(top, "qm_policies", spd.qm_policies, read_qm_policy));
  IPSECKIT_TRY(read_array(top, "mm_policies", spd.mm_policies, read_mm_policy));
  IPSECKIT_TRY(read_array(top, "auth", spd.auth, read_auth_set));
  auto filter_reader = [&spd](bool specific) {
    return [&spd, specific](const json& e, const std::string& p) { return read_filter(e, p, spd, specific); };
  };
  auto mm_reader = [&spd](bool specific) {
    return [&spd, specific](const json& e, const std::string& p) { return read_mm_filter(e, p, spd, specific); };
  };
  IPSECKIT_TRY(read_array(top, "filters", spd.filters, filter_reader(false)));
  IPSECKIT_TRY(read_array(top, "specific", spd.specific, filter_reader(true)));
  IPSECKIT_TRY(read_array(top, "mm_filters", spd.mm_filters, mm_reader(false)));
  IPSECKIT_TRY(read_array(top, "mm_specific", spd.mm_specific, mm_reader(true)));
  if (auto v = top.get("default_response"); !v) {
    return v.error();
  } else if (!(*v)->is_null()) {
    Fields o(**v, top.at("default_response"));
    IPSECKIT_TRY(o.object());
    SpdDefaultResponse d;
    IPSECKIT_TRY(o.uint("source", d.source, kSpdNone - 1));
    auto offers = read_offers(o);
    if (!offers) return offers.error();
    d.offers = std::move(*offers);
    IPSECKIT_TRY(o.index("auth", d.auth));
    IPSECKIT_TRY(o.index("mm_policy", d.mm_policy));
    IPSECKIT_TRY(o.finish());
    spd.default_response = std::move(d);
  }
  IPSECKIT_TRY(read_array(top, "warnings", spd.warnings, read_warning));
  IPSECKIT_TRY(top.finish());
  IPSECKIT_TRY(check_references(spd));
  return spd;
}

}  // namespace ipseckit::policy
