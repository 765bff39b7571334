// Strict reader for the JSON form: every error names the field's path.
#include <fmt/format.h>


#include "base/strings.h"
#include "policy/json.h"
#include "policy/json_fields.h"

namespace ipseckit::policy {
namespace {

using json = nlohmann::json;

Error bad(const std::string& path, const std::string& why) {
  return Error::make("usage", fmt::format("{}: {}", path, why));
}

std::string type_of(const json& j) { return j.type_name(); }

// Fields are optional here (absent ones keep the model's defaults); errors are usage errors.
class Obj : public JsonFields {
 public:
  Obj(const json& j, std::string path) : JsonFields(j, std::move(path), "usage", false) {}
  Status check_object() const { return object(); }
  // The field or nullptr (optional fields never fail to be found).
  const json* field(std::string_view key) { return *get(key); }
};

Result<const json*> array_field(Obj& o, std::string_view key) { return o.array(key); }

std::string idx(const std::string& path, std::size_t i) { return json_index(path, i); }

Result<QmOffer> qm_offer_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  QmOffer q;
  if (const json* ah = o.field("ah"); ah && !ah->is_null()) {
    if (!ah->is_string()) return bad(o.at("ah"), "expected an integrity name or null");
    auto i = integrity_from_json(ah->get<std::string>());
    if (!i) return bad(o.at("ah"), fmt::format("unknown integrity algorithm '{}'", ah->get<std::string>()));
    q.ah = *i;
  }
  if (const json* esp = o.field("esp"); esp && !esp->is_null()) {
    Obj e(*esp, o.at("esp"));
    IPSECKIT_TRY(e.check_object());
    std::string c = "3des-cbc", i = "sha1";
    IPSECKIT_TRY(e.str("encryption", c, true));
    IPSECKIT_TRY(e.str("integrity", i, true));
    IPSECKIT_TRY(e.finish());
    auto cc = cipher_from_json(c);
    if (!cc) return bad(e.at("encryption"), fmt::format("unknown cipher '{}'", c));
    auto ii = integrity_from_json(i);
    if (!ii) return bad(e.at("integrity"), fmt::format("unknown integrity algorithm '{}'", i));
    q.esp = EspTransform{*cc, *ii};
  }
  IPSECKIT_TRY(o.uint("lifetime_kbytes", q.lifetime_kbytes, UINT32_MAX));
  IPSECKIT_TRY(o.uint("lifetime_seconds", q.lifetime_seconds, UINT32_MAX));
  if (const json* pfs = o.field("pfs"); pfs && !pfs->is_null()) {
    if (pfs->is_string() && pfs->get<std::string>() == "main-mode") {
      q.pfs = Pfs{true, DhGroup::none};
    } else if (pfs->is_number_unsigned()) {
      auto g = dh_group_from_number(pfs->get<std::uint64_t>());
      if (!g) return bad(o.at("pfs"), fmt::format("unsupported DH group {}", pfs->dump()));
      q.pfs = Pfs{true, *g};
    } else {
      return bad(o.at("pfs"), "expected null, \"main-mode\" or a DH group number, found " + pfs->dump());
    }
  }
  IPSECKIT_TRY(o.finish());
  return q;
}

Result<std::vector<QmOffer>> qm_offers_from_json(Obj& o, std::string_view key) {
  std::vector<QmOffer> out;
  auto arr = array_field(o, key);
  if (!arr) return arr.error();
  if (!*arr) return out;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    auto q = qm_offer_from_json((**arr)[i], idx(o.at(key), i));
    if (!q) return q.error();
    out.push_back(*q);
  }
  return out;
}

Result<AuthMethod> auth_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  std::string method;
  IPSECKIT_TRY(o.str("method", method, true));
  AuthMethod a;
  if (method == "kerberos") {
    a.kind = AuthKind::kerberos;
  } else if (method == "psk") {
    a.kind = AuthKind::psk;
    IPSECKIT_TRY(o.str("key", a.psk));
    IPSECKIT_TRY(o.str("key_ref", a.psk_ref));
    if (a.psk == "(hidden)") return bad(o.at("key"), "the key was hidden when this file was exported (export as root)");
    if (a.psk.empty() && a.psk_ref.empty()) return bad(path, "a psk method needs \"key\"");
    if (!a.psk.empty() && !a.psk_ref.empty()) return bad(path, "give either \"key\" or \"key_ref\", not both");
  } else if (method == "cert") {
    a.kind = AuthKind::cert;
    IPSECKIT_TRY(o.str("ca", a.ca));
    IPSECKIT_TRY(o.boolean("cert_map", a.cert_map));
    IPSECKIT_TRY(o.boolean("exclude_ca_name", a.exclude_ca_name));
  } else {
    return bad(o.at("method"), fmt::format("unknown method '{}' (kerberos, psk or cert)", method));
  }
  IPSECKIT_TRY(o.finish());
  return a;
}

Result<std::vector<AuthMethod>> auth_list_from_json(Obj& o, std::string_view key) {
  std::vector<AuthMethod> out;
  auto arr = array_field(o, key);
  if (!arr) return arr.error();
  if (!*arr) return out;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    auto a = auth_from_json((**arr)[i], idx(o.at(key), i));
    if (!a) return a.error();
    out.push_back(*a);
  }
  return out;
}

Result<std::optional<Address>> opt_address(Obj& o, std::string_view key) {
  const json* v = o.field(key);
  if (!v || v->is_null()) return std::optional<Address>{};
  auto a = address_from_json(*v, o.at(key));
  if (!a) return a.error();
  return std::optional<Address>(*a);
}

Result<MmOffer> mm_offer_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  MmOffer m;
  std::string c = "3des-cbc", h = "sha1";
  IPSECKIT_TRY(o.str("encryption", c, true));
  IPSECKIT_TRY(o.str("hash", h, true));
  auto cc = cipher_from_json(c);
  if (!cc) return bad(o.at("encryption"), fmt::format("unknown cipher '{}'", c));
  auto hh = integrity_from_json(h);
  if (!hh) return bad(o.at("hash"), fmt::format("unknown hash '{}'", h));
  m.cipher = *cc;
  m.hash = *hh;
  unsigned g = 2;
  IPSECKIT_TRY(o.uint("dh_group", g, 65535));
  auto gg = dh_group_from_number(g);
  if (!gg) return bad(o.at("dh_group"), fmt::format("unsupported DH group {}", g));
  m.group = *gg;
  IPSECKIT_TRY(o.uint("lifetime_seconds", m.lifetime_seconds, UINT32_MAX));
  IPSECKIT_TRY(o.uint("qm_limit", m.qm_limit, 0x7fffffff));
  IPSECKIT_TRY(o.finish());
  return m;
}

Result<std::vector<Filter>> filters_from_json(Obj& o, std::string_view key) {
  std::vector<Filter> out;
  auto arr = array_field(o, key);
  if (!arr) return arr.error();
  if (!*arr) return out;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    Obj f((**arr)[i], idx(o.at(key), i));
    IPSECKIT_TRY(f.check_object());
    Filter flt;
    const json* s = f.field("source");
    const json* d = f.field("destination");
    if (!s) return bad(f.at("source"), "missing");
    if (!d) return bad(f.at("destination"), "missing");
    auto sa = address_from_json(*s, f.at("source"));
    if (!sa) return sa.error();
    auto da = address_from_json(*d, f.at("destination"));
    if (!da) return da.error();
    flt.src = *sa;
    flt.dst = *da;
    IPSECKIT_TRY(f.uint("protocol", flt.protocol, 255));
    IPSECKIT_TRY(f.uint("source_port", flt.src_port, 65535));
    IPSECKIT_TRY(f.uint("destination_port", flt.dst_port, 65535));
    IPSECKIT_TRY(f.boolean("mirrored", flt.mirrored));
    IPSECKIT_TRY(f.str("description", flt.description));
    IPSECKIT_TRY(f.finish());
    out.push_back(flt);
  }
  return out;
}

}  // namespace

Result<Address> address_from_json(const json& j, const std::string& path) {
  if (j.is_string()) {
    auto s = j.get<std::string>();
    if (s == "me") return Address::me();
    if (s == "any") return Address::any();
    auto p = wire::IpPrefix::parse(s);
    if (!p) return bad(path, fmt::format("'{}' is not \"me\", \"any\", an address or address/prefix", s));
    if (s.find('/') != std::string::npos) {
      // Host bits outside the mask are an error, not silently dropped.
      auto a = wire::IpAddr::parse(s.substr(0, s.find('/')));
      if (a && *a != p->addr) return bad(path, fmt::format("'{}' has bits set outside its prefix", s));
    }
    return Address::subnet(*p);
  }
  if (j.is_object()) {
    Obj o(j, path);
    std::string name;
    IPSECKIT_TRY(o.str("dns", name, true));
    std::vector<wire::IpAddr> addrs;
    auto arr = array_field(o, "addresses");
    if (!arr) return arr.error();
    if (*arr) {
      for (std::size_t i = 0; i < (*arr)->size(); ++i) {
        const json& a = (**arr)[i];
        auto ip = a.is_string() ? wire::IpAddr::parse(a.get<std::string>()) : std::nullopt;
        if (!ip) return bad(idx(o.at("addresses"), i), "expected an IP address string, found " + a.dump());
        addrs.push_back(*ip);
      }
    }
    IPSECKIT_TRY(o.finish());
    if (name.empty()) return bad(o.at("dns"), "empty name");
    if (addrs.empty()) return bad(o.at("addresses"), "a DNS address needs the addresses it resolved to");
    return Address::dns(name, addrs);
  }
  return bad(path, "expected an address string or {\"dns\":...}, found " + type_of(j));
}

Result<FilterList> filter_list_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  FilterList fl;
  IPSECKIT_TRY(o.str("id", fl.id));
  IPSECKIT_TRY(o.str("name", fl.name, true));
  IPSECKIT_TRY(o.str("description", fl.description));
  auto filters = filters_from_json(o, "filters");
  if (!filters) return filters.error();
  fl.filters = std::move(*filters);
  IPSECKIT_TRY(o.finish());
  return fl;
}

Result<FilterAction> filter_action_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  FilterAction fa;
  IPSECKIT_TRY(o.str("id", fa.id));
  IPSECKIT_TRY(o.str("name", fa.name, true));
  IPSECKIT_TRY(o.str("description", fa.description));
  std::string action = "negotiate";
  IPSECKIT_TRY(o.str("action", action));
  if (action == "permit") fa.action = ActionType::permit;
  else if (action == "block") fa.action = ActionType::block;
  else if (action == "negotiate") fa.action = ActionType::negotiate;
  else return bad(o.at("action"), fmt::format("'{}' is not permit, block or negotiate", action));
  IPSECKIT_TRY(o.boolean("inpass", fa.inpass));
  IPSECKIT_TRY(o.boolean("soft", fa.soft));
  auto offers = qm_offers_from_json(o, "offers");
  if (!offers) return offers.error();
  fa.offers = *offers;
  IPSECKIT_TRY(o.finish());
  return fa;
}

Result<Policy> policy_from_json(const json& j, const std::string& path) {
  Obj o(j, path);
  IPSECKIT_TRY(o.check_object());
  Policy p;
  p.isakmp.offers.clear();
  IPSECKIT_TRY(o.str("id", p.id));
  IPSECKIT_TRY(o.str("name", p.name, true));
  IPSECKIT_TRY(o.str("description", p.description));
  IPSECKIT_TRY(o.uint("poll_interval_seconds", p.poll_interval_seconds, UINT32_MAX));
  IPSECKIT_TRY(o.int64("changed", p.changed));
  if (const json* isakmp = o.field("isakmp")) {
    Obj io(*isakmp, o.at("isakmp"));
    IPSECKIT_TRY(io.check_object());
    auto arr = array_field(io, "offers");
    if (!arr) return arr.error();
    if (*arr) {
      for (std::size_t i = 0; i < (*arr)->size(); ++i) {
        auto m = mm_offer_from_json((**arr)[i], idx(io.at("offers"), i));
        if (!m) return m.error();
        p.isakmp.offers.push_back(*m);
      }
    }
    IPSECKIT_TRY(io.boolean("mm_pfs", p.isakmp.mm_pfs));
    IPSECKIT_TRY(io.uint("soft_sa_expiry_seconds", p.isakmp.soft_sa_expiry_seconds, UINT32_MAX));
    IPSECKIT_TRY(io.finish());
  }
  auto rules = array_field(o, "rules");
  if (!rules) return rules.error();
  if (*rules) {
    for (std::size_t i = 0; i < (*rules)->size(); ++i) {
      Obj r((**rules)[i], idx(o.at("rules"), i));
      IPSECKIT_TRY(r.check_object());
      Rule rule;
      IPSECKIT_TRY(r.str("id", rule.id));
      IPSECKIT_TRY(r.str("name", rule.name, true));
      IPSECKIT_TRY(r.str("description", rule.description));
      IPSECKIT_TRY(r.str("filter_list", rule.filter_list, true));
      IPSECKIT_TRY(r.str("filter_action", rule.filter_action, true));
      auto auth = auth_list_from_json(r, "authentication");
      if (!auth) return auth.error();
      rule.auth = *auth;
      auto t = opt_address(r, "tunnel");
      if (!t) return t.error();
      rule.tunnel = *t;
      auto ts = opt_address(r, "tunnel_source");
      if (!ts) return ts.error();
      rule.tunnel_src = *ts;
      std::string conn = "all";
      IPSECKIT_TRY(r.str("connection_type", conn));
      if (conn == "all") rule.conn = ConnType::all;
      else if (conn == "lan") rule.conn = ConnType::lan;
      else if (conn == "dialup") rule.conn = ConnType::dialup;
      else return bad(r.at("connection_type"), fmt::format("'{}' is not all, lan or dialup", conn));
      IPSECKIT_TRY(r.boolean("active", rule.active));
      auto mmf = filters_from_json(r, "main_mode_filters");
      if (!mmf) return mmf.error();
      rule.mm_filters = std::move(*mmf);
      IPSECKIT_TRY(r.boolean("aggressive_mode", rule.aggressive_mode));
      IPSECKIT_TRY(r.str("local_id", rule.local_id));
      IPSECKIT_TRY(r.str("peer_id", rule.peer_id));
      IPSECKIT_TRY(r.finish());
      p.rules.push_back(rule);
    }
  }
  if (const json* dr = o.field("default_response")) {
    Obj d(*dr, o.at("default_response"));
    IPSECKIT_TRY(d.check_object());
    IPSECKIT_TRY(d.boolean("active", p.default_response.active));
    auto offers = qm_offers_from_json(d, "offers");
    if (!offers) return offers.error();
    p.default_response.offers = *offers;
    auto auth = auth_list_from_json(d, "authentication");
    if (!auth) return auth.error();
    p.default_response.auth = *auth;
    IPSECKIT_TRY(d.finish());
  }
  IPSECKIT_TRY(o.finish());
  return p;
}

Result<PolicySet> policy_set_from_json(const json& j) {
  Obj o(j, "$");
  IPSECKIT_TRY(o.check_object());
  std::string format;
  IPSECKIT_TRY(o.str("format", format, true));
  if (format != kJsonFormat) return bad(o.at("format"), fmt::format("'{}' is not \"{}\"", format, kJsonFormat));
  int version = 0;
  IPSECKIT_TRY(o.uint("version", version, 1000));
  if (version != kJsonVersion) return bad(o.at("version"), fmt::format("version {} is not supported (1)", version));
  PolicySet set;
  auto read = [&](std::string_view key, auto fn, auto& out) -> Status {
    auto arr = array_field(o, key);
    if (!arr) return arr.error();
    if (!*arr) return {};
    for (std::size_t i = 0; i < (*arr)->size(); ++i) {
      auto v = fn((**arr)[i], idx(o.at(key), i));
      if (!v) return v.error();
      out.push_back(*v);
    }
    return {};
  };
  IPSECKIT_TRY(read("policies", policy_from_json, set.policies));
  IPSECKIT_TRY(read("filter_lists", filter_list_from_json, set.filter_lists));
  IPSECKIT_TRY(read("filter_actions", filter_action_from_json, set.filter_actions));
  IPSECKIT_TRY(o.finish());
  auto v = validate(set);
  if (!v) return Error::make("usage", v.error().message);
  return set;
}

Result<PolicySet> policy_set_from_text(std::string_view text) {
  // The policy form nests a few levels; refuse what would exhaust the recursive parser's stack.
  constexpr std::size_t kMaxDepth = 64;
  if (str::json_nesting_depth(text, kMaxDepth) > kMaxDepth)
    return Error::make("usage", fmt::format("not valid JSON here: nested deeper than {} levels", kMaxDepth));
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    // Re-parse with exceptions to get the reason and, for syntax errors, the byte position.
    // (nlohmann throws parse_error for syntax and out_of_range for e.g. number overflow.)
    try {
      json again = json::parse(text.begin(), text.end());
      (void)again;
    } catch (const json::parse_error& e) {
      return Error::make("usage", fmt::format("not valid JSON: byte {}: {}", e.byte, e.what()), 0,
                         static_cast<int>(e.byte));
    } catch (const json::exception& e) {
      return Error::make("usage", fmt::format("not valid JSON: {}", e.what()));
    }
    return Error::make("usage", "not valid JSON");
  }
  return policy_set_from_json(j);
}

}  // namespace ipseckit::policy
