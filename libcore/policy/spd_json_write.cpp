#include "policy/json.h"
#include "policy/spd_json.h"

namespace ipseckit::policy {
namespace {

using json = nlohmann::json;

json index_or_null(std::uint32_t i) { return i == kSpdNone ? json(nullptr) : json(i); }

// "me" for this host, else CIDR.
json addr_json(const SpdAddr& a) { return a.me ? json("me") : json(a.prefix.str()); }

json tunnel_json(const std::optional<SpdAddr>& t) {
  if (!t) return nullptr;
  if (t->me) return "me";
  if (t->is_any()) return "any";
  return t->prefix.is_host() ? t->prefix.addr.str() : t->prefix.str();
}

json direction_json(SpdDirection d) { return d == SpdDirection::none ? json(nullptr) : json(direction_name(d)); }

json offers_json(const std::vector<QmOffer>& offers) {
  json a = json::array();
  for (const auto& o : offers) a.push_back(json(to_json(o)));
  return a;
}

template <class F>
void put_rule_names(const CompiledSpd& spd, const F& f, json& j) {
  const bool known = f.rule < spd.rules.size();
  j["policy"] = known ? spd.rules[f.rule].policy : std::string();
  j["rule"] = known ? spd.rules[f.rule].rule : std::string();
  j["filter_list"] = known ? spd.rules[f.rule].filter_list : std::string();
  j["rule_id"] = f.rule;
}

template <class F>
void put_specific(const F& f, bool specific, json& j) {
  if (!specific) return;
  j["generic"] = index_or_null(f.generic);
  j["src_addr"] = f.src.prefix.str();
  j["dst_addr"] = f.dst.prefix.str();
}

json rule_json(const SpdRule& r) {
  json j;
  j["policy"] = r.policy;
  j["rule"] = r.rule;
  j["filter_list"] = r.filter_list;
  j["filter_action"] = r.filter_action;
  j["source"] = r.source;
  j["action"] = action_name(r.action);
  j["inpass"] = r.inpass;
  j["soft"] = r.soft;
  j["tunnel"] = r.tunnel ? json(address_json(*r.tunnel)) : json(nullptr);
  j["tunnel_source"] = r.tunnel_src ? json(address_json(*r.tunnel_src)) : json(nullptr);
  j["conn"] = conn_type_name(r.conn);
  j["qm_policy"] = index_or_null(r.qm_policy);
  j["auth"] = index_or_null(r.auth);
  j["mm_policy"] = index_or_null(r.mm_policy);
  if (r.aggressive_mode) j["aggressive_mode"] = true;  // absent = false
  if (!r.local_id.empty()) j["local_id"] = r.local_id;  // absent = empty
  if (!r.peer_id.empty()) j["peer_id"] = r.peer_id;
  return j;
}

}  // namespace

json filter_json(const CompiledSpd& spd, const SpdFilter& f, bool specific) {
  json j;
  put_rule_names(spd, f, j);
  j["index"] = f.index;
  j["mirror"] = f.mirror;
  j["family"] = f.is_v6() ? 6 : 4;
  j["direction"] = direction_json(f.direction);
  j["src"] = addr_json(f.src);
  j["dst"] = addr_json(f.dst);
  put_specific(f, specific, j);
  j["protocol"] = f.protocol;
  j["src_port"] = f.src_port;
  j["dst_port"] = f.dst_port;
  j["action"] = action_name(f.action);
  j["inbound_action"] = action_name(f.inbound_action);
  j["outbound_action"] = action_name(f.outbound_action);
  j["soft"] = f.soft;
  j["tunnel"] = tunnel_json(f.tunnel);
  j["conn"] = conn_type_name(f.conn);
  j["weight"] = f.weight;
  j["qm_policy"] = index_or_null(f.qm_policy);
  j["auth"] = index_or_null(f.auth);
  j["mm_policy"] = index_or_null(f.mm_policy);
  return j;
}

json mm_filter_json(const CompiledSpd& spd, const SpdMmFilter& f, bool specific) {
  json j;
  put_rule_names(spd, f, j);
  j["index"] = index_or_null(f.index);
  j["mirror"] = f.mirror;
  j["family"] = f.src.is_v6() ? 6 : 4;
  j["direction"] = direction_json(f.direction);
  j["src"] = addr_json(f.src);
  j["dst"] = addr_json(f.dst);
  put_specific(f, specific, j);
  j["conn"] = conn_type_name(f.conn);
  j["weight"] = f.weight;
  j["mm_policy"] = index_or_null(f.mm_policy);
  j["auth"] = index_or_null(f.auth);
  return j;
}

json to_json(const CompiledSpd& spd) {
  json j;
  j["format"] = kSpdJsonFormat;
  j["version"] = kSpdJsonVersion;
  j["generation"] = spd.generation;
  j["assigned_policy"] = spd.assigned_policy.empty() ? json(nullptr) : json(spd.assigned_policy);
  json sources = json::array();
  for (const auto& s : spd.sources) sources.push_back({{"kind", s.kind}, {"id", s.id}, {"policy", s.policy}});
  j["sources"] = sources;
  json addrs = json::array();
  for (const auto& a : spd.addresses) addrs.push_back(a.str());
  j["addresses"] = addrs;
  json rules = json::array();
  for (const auto& r : spd.rules) rules.push_back(rule_json(r));
  j["rules"] = rules;
  json qm = json::array();
  for (const auto& q : spd.qm_policies)
    qm.push_back({{"name", q.name}, {"source", q.source}, {"inpass", q.inpass}, {"soft", q.soft}, {"offers", offers_json(q.offers)}});
  j["qm_policies"] = qm;
  json mm = json::array();
  for (const auto& m : spd.mm_policies) {
    json offers = json::array();
    for (const auto& o : m.isakmp.offers) offers.push_back(json(to_json(o)));
    json isakmp = {{"offers", offers}, {"mm_pfs", m.isakmp.mm_pfs}, {"soft_sa_expiry_seconds", m.isakmp.soft_sa_expiry_seconds}};
    mm.push_back({{"name", m.name}, {"source", m.source}, {"isakmp", isakmp}});
  }
  j["mm_policies"] = mm;
  json auth = json::array();
  for (const auto& a : spd.auth) {
    json methods = json::array();
    for (const auto& m : a.methods) {
      AuthMethod copy = m;
      copy.psk.clear();  // never a key in this document
      methods.push_back(json(to_json(copy, JsonOptions{PskOutput::ref})));
    }
    auth.push_back({{"name", a.name}, {"methods", methods}});
  }
  j["auth"] = auth;
  json filters = json::array(), specific = json::array(), mm_filters = json::array(), mm_specific = json::array();
  for (const auto& f : spd.filters) filters.push_back(filter_json(spd, f, false));
  for (const auto& f : spd.specific) specific.push_back(filter_json(spd, f, true));
  for (const auto& f : spd.mm_filters) mm_filters.push_back(mm_filter_json(spd, f, false));
  for (const auto& f : spd.mm_specific) mm_specific.push_back(mm_filter_json(spd, f, true));
  j["filters"] = std::move(filters);
  j["specific"] = std::move(specific);
  j["mm_filters"] = std::move(mm_filters);
  j["mm_specific"] = std::move(mm_specific);
  if (spd.default_response) {
    const auto& d = *spd.default_response;
    j["default_response"] = {{"source", d.source}, {"offers", offers_json(d.offers)}, {"auth", index_or_null(d.auth)},
                             {"mm_policy", index_or_null(d.mm_policy)}};
  } else {
    j["default_response"] = nullptr;
  }
  j["warnings"] = spd.warnings;
  return j;
}

}  // namespace ipseckit::policy
