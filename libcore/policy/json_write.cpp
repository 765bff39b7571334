#include "policy/json.h"

namespace ipseckit::policy {

std::string_view action_name(ActionType a) {
  switch (a) {
    case ActionType::permit: return "permit";
    case ActionType::block: return "block";
    case ActionType::negotiate: return "negotiate";
  }
  return "?";
}

std::string_view conn_type_name(ConnType c) {
  switch (c) {
    case ConnType::all: return "all";
    case ConnType::lan: return "lan";
    case ConnType::dialup: return "dialup";
  }
  return "?";
}

std::string_view auth_kind_name(AuthKind k) {
  switch (k) {
    case AuthKind::kerberos: return "kerberos";
    case AuthKind::psk: return "psk";
    case AuthKind::cert: return "cert";
  }
  return "?";
}

ojson address_json(const Address& a) {
  switch (a.kind) {
    case AddrKind::me: return "me";
    case AddrKind::any: return "any";
    case AddrKind::subnet: return a.prefix.str();
    case AddrKind::dns: {
      ojson j;
      j["dns"] = a.dns_name;
      ojson addrs = ojson::array();
      for (const auto& r : a.resolved) addrs.push_back(r.str());
      j["addresses"] = addrs;
      return j;
    }
  }
  return nullptr;
}

ojson to_json(const QmOffer& o) {
  ojson j;
  j["ah"] = o.ah ? ojson(json_name(*o.ah)) : ojson(nullptr);
  if (o.esp) {
    ojson e;
    e["encryption"] = json_name(o.esp->cipher);
    e["integrity"] = json_name(o.esp->integrity);
    j["esp"] = e;
  } else {
    j["esp"] = nullptr;
  }
  j["lifetime_kbytes"] = o.lifetime_kbytes;
  j["lifetime_seconds"] = o.lifetime_seconds;
  if (!o.pfs.enabled) j["pfs"] = nullptr;
  else if (o.pfs.group == DhGroup::none) j["pfs"] = "main-mode";
  else j["pfs"] = static_cast<unsigned>(o.pfs.group);
  return j;
}

ojson to_json(const MmOffer& o) {
  ojson j;
  j["encryption"] = json_name(o.cipher);
  j["hash"] = json_name(o.hash);
  j["dh_group"] = static_cast<unsigned>(o.group);
  j["lifetime_seconds"] = o.lifetime_seconds;
  j["qm_limit"] = o.qm_limit;
  return j;
}

ojson to_json(const AuthMethod& a, const JsonOptions& opt) {
  ojson j;
  j["method"] = auth_kind_name(a.kind);
  switch (a.kind) {
    case AuthKind::kerberos: break;
    case AuthKind::psk:
      if (opt.psk == PskOutput::hidden) j["key"] = "(hidden)";
      else if (opt.psk == PskOutput::ref || a.psk.empty()) j["key_ref"] = a.psk_ref;
      else j["key"] = a.psk;
      break;
    case AuthKind::cert:
      j["ca"] = a.ca;
      j["cert_map"] = a.cert_map;
      j["exclude_ca_name"] = a.exclude_ca_name;
      break;
  }
  return j;
}

namespace {

ojson auth_list(const std::vector<AuthMethod>& v, const JsonOptions& opt) {
  ojson a = ojson::array();
  for (const auto& m : v) a.push_back(to_json(m, opt));
  return a;
}

ojson offers(const std::vector<QmOffer>& v) {
  ojson a = ojson::array();
  for (const auto& o : v) a.push_back(to_json(o));
  return a;
}

ojson opt_address(const std::optional<Address>& a) { return a ? address_json(*a) : ojson(nullptr); }

ojson filter_json(const Filter& f) {
  ojson fj;
  fj["source"] = address_json(f.src);
  fj["destination"] = address_json(f.dst);
  fj["protocol"] = f.protocol;
  fj["source_port"] = f.src_port;
  fj["destination_port"] = f.dst_port;
  fj["mirrored"] = f.mirrored;
  fj["description"] = f.description;
  return fj;
}

ojson filters_json(const std::vector<Filter>& v) {
  ojson fs = ojson::array();
  for (const auto& f : v) fs.push_back(filter_json(f));
  return fs;
}

}  // namespace

ojson to_json(const Policy& p, const JsonOptions& opt) {
  ojson j;
  j["id"] = p.id;
  j["name"] = p.name;
  j["description"] = p.description;
  j["poll_interval_seconds"] = p.poll_interval_seconds;
  j["changed"] = p.changed;
  ojson isakmp;
  ojson mm = ojson::array();
  for (const auto& o : p.isakmp.offers) mm.push_back(to_json(o));
  isakmp["offers"] = mm;
  isakmp["mm_pfs"] = p.isakmp.mm_pfs;
  isakmp["soft_sa_expiry_seconds"] = p.isakmp.soft_sa_expiry_seconds;
  j["isakmp"] = isakmp;
  ojson rules = ojson::array();
  for (const auto& r : p.rules) {
    ojson rj;
    rj["id"] = r.id;
    rj["name"] = r.name;
    rj["description"] = r.description;
    rj["filter_list"] = r.filter_list;
    rj["filter_action"] = r.filter_action;
    rj["authentication"] = auth_list(r.auth, opt);
    rj["tunnel"] = opt_address(r.tunnel);
    rj["tunnel_source"] = opt_address(r.tunnel_src);
    rj["connection_type"] = conn_type_name(r.conn);
    rj["active"] = r.active;
    rj["main_mode_filters"] = filters_json(r.mm_filters);
    if (r.aggressive_mode) rj["aggressive_mode"] = true;  // written only when set (off by default)
    if (!r.local_id.empty()) rj["local_id"] = r.local_id;  // written only when set
    if (!r.peer_id.empty()) rj["peer_id"] = r.peer_id;
    rules.push_back(rj);
  }
  j["rules"] = rules;
  ojson dr;
  dr["active"] = p.default_response.active;
  dr["offers"] = offers(p.default_response.offers);
  dr["authentication"] = auth_list(p.default_response.auth, opt);
  j["default_response"] = dr;
  return j;
}

ojson to_json(const FilterList& fl) {
  ojson j;
  j["id"] = fl.id;
  j["name"] = fl.name;
  j["description"] = fl.description;
  j["filters"] = filters_json(fl.filters);
  return j;
}

ojson to_json(const FilterAction& fa) {
  ojson j;
  j["id"] = fa.id;
  j["name"] = fa.name;
  j["description"] = fa.description;
  j["action"] = action_name(fa.action);
  j["inpass"] = fa.inpass;
  j["soft"] = fa.soft;
  j["offers"] = offers(fa.offers);
  return j;
}

ojson to_json(const PolicySet& in, const JsonOptions& opt) {
  PolicySet set = in;
  set.sort();
  ojson j;
  j["format"] = kJsonFormat;
  j["version"] = kJsonVersion;
  ojson ps = ojson::array(), ls = ojson::array(), as = ojson::array();
  for (const auto& p : set.policies) ps.push_back(to_json(p, opt));
  for (const auto& l : set.filter_lists) ls.push_back(to_json(l));
  for (const auto& a : set.filter_actions) as.push_back(to_json(a));
  j["policies"] = ps;
  j["filter_lists"] = ls;
  j["filter_actions"] = as;
  return j;
}

std::string to_json_text(const PolicySet& set, const JsonOptions& opt) { return to_json(set, opt).dump(2) + "\n"; }

}  // namespace ipseckit::policy
