// netdiag's text and JSON forms.
#include <ctime>

#include <fmt/format.h>

#include "netdiag/report.h"
#include "policy/json.h"
#include "policy/spd_json.h"

namespace ipseckit::netdiag {
namespace {

using json = nlohmann::json;
using namespace policy;

std::string offer_word(const QmOffer& o) {
  std::string s;
  if (o.ah) s += fmt::format("AH[{}]", windows_name(*o.ah));
  if (o.ah && o.esp) s += "+";
  if (o.esp) s += fmt::format("ESP[{},{}]", windows_name(o.esp->cipher), windows_name(o.esp->integrity));
  return s;
}

std::string auth_word(const AuthMethod& a) {
  switch (a.kind) {
    case AuthKind::kerberos: return "Kerberos";
    case AuthKind::psk: return "Preshared key";
    case AuthKind::cert: return a.ca.empty() ? "Certificate (any root CA)" : "Certificate (root CA " + a.ca + ")";
  }
  return "?";
}

// A host address without its "/32" (or "/128"), otherwise as Address::str().
std::string endpoint(const Address& a) {
  if (a.kind == AddrKind::subnet && a.prefix.is_host()) return a.prefix.addr.str();
  return a.str();
}

std::string when(std::int64_t t) {
  if (t <= 0) return "never";
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

json rule_json(const PolicySet& set, const Rule& r) {
  json j;
  j["name"] = r.name;
  j["active"] = r.active;
  j["filter_list"] = r.filter_list;
  const auto* fl = set.find_filter_list(r.filter_list);
  j["filters"] = fl ? fl->filters.size() : 0;
  j["filter_action"] = r.filter_action;
  const auto* fa = set.find_filter_action(r.filter_action);
  j["action"] = fa ? json(action_name(fa->action)) : json(nullptr);
  json offers = json::array();
  if (fa)
    for (const auto& o : fa->offers) offers.push_back(offer_word(o));
  j["offers"] = offers;
  json auth = json::array();
  for (const auto& a : r.auth) auth.push_back(auth_kind_name(a.kind));
  j["authentication"] = auth;
  j["tunnel"] = r.tunnel ? json(endpoint(*r.tunnel)) : json(nullptr);
  j["connection_type"] = conn_type_name(r.conn);
  return j;
}

std::string rule_text(const PolicySet& set, const Rule& r) {
  const auto* fl = set.find_filter_list(r.filter_list);
  const auto* fa = set.find_filter_action(r.filter_action);
  std::string s = fmt::format("        Rule '{}'{}\n", r.name, r.active ? "" : " (inactive)");
  s += fmt::format("            Filter list   : {} ({} filter{})\n", r.filter_list, fl ? fl->filters.size() : 0,
                   fl && fl->filters.size() == 1 ? "" : "s");
  if (fa) {
    std::string offers;
    for (const auto& o : fa->offers) offers += (offers.empty() ? "" : " ") + offer_word(o);
    s += fmt::format("            Filter action : {} ({}{}{}{})\n", r.filter_action, action_name(fa->action),
                     offers.empty() ? "" : ": " + offers, fa->inpass ? ", inpass" : "", fa->soft ? ", soft" : "");
  }
  std::string auth;
  for (const auto& a : r.auth) auth += (auth.empty() ? "" : ", ") + auth_word(a);
  s += fmt::format("            Authentication: {}\n", auth.empty() ? "Kerberos" : auth);
  if (r.tunnel) s += fmt::format("            Tunnel endpoint: {}\n", endpoint(*r.tunnel));
  s += fmt::format("            Connection type: {}\n", conn_type_name(r.conn));
  return s;
}

// KB 813878's /debug filter dump: "me"/"any" as stored (0.0.0.0 with their masks).
std::string windows_addr(const SpdAddr& a) {
  if (a.me) return a.is_v6() ? "::" : "0.0.0.0";
  return a.prefix.addr.str();
}
std::string windows_mask(const SpdAddr& a) {
  unsigned len = a.me ? (a.is_v6() ? 128u : 32u) : a.prefix.len;
  return a.is_v6() ? "/" + std::to_string(len) : wire::mask_str(len);
}

std::string flags(const SpdFilter& f) {
  std::string dir = f.direction == SpdDirection::inbound ? "Inbound" : "Outbound";
  ActionType a = f.direction == SpdDirection::inbound ? f.inbound_action : f.outbound_action;
  std::string act = a == ActionType::permit ? "Permit" : a == ActionType::block ? "Block" : "Negotiate";
  if (f.direction == SpdDirection::none)
    return fmt::format("Inbound {} Outbound {}",
                       f.inbound_action == ActionType::permit ? "Permit"
                       : f.inbound_action == ActionType::block ? "Block" : "Negotiate",
                       f.outbound_action == ActionType::permit ? "Permit"
                       : f.outbound_action == ActionType::block ? "Block" : "Negotiate");
  return dir + " " + act;
}

std::string filter_dump(const CompiledSpd& spd, const std::vector<SpdFilter>& v) {
  std::string s = fmt::format("        There are {} filters\n", v.size());
  int n = 0;
  for (const auto& f : v) {
    const auto& r = spd.rules[f.rule];
    s += fmt::format("        Filter #{}: {} / {}\n", ++n, r.policy, r.rule);
    s += fmt::format("            Src Addr : {:<15} Src Mask : {}\n", windows_addr(f.src), windows_mask(f.src));
    s += fmt::format("            Dest Addr : {:<15} Dest Mask : {}\n", windows_addr(f.dst), windows_mask(f.dst));
    s += fmt::format("            Tunnel Addr : {:<15} Src Port : {:<6} Dest Port : {}\n",
                     f.tunnel ? windows_addr(*f.tunnel) : "0.0.0.0", f.src_port, f.dst_port);
    s += fmt::format("            Protocol : {:<6} TunnelFilter: {}\n", f.protocol, f.tunnel ? "Yes" : "No");
    s += fmt::format("            Flags : {}\n", flags(f));
    s += fmt::format("            Weight : {}\n", f.weight);
  }
  return s;
}

std::string addr_cell(const json& j) { return j.is_null() ? "-" : j.get<std::string>(); }


}  // namespace

std::string ipsec_text(const IpsecReport& r, bool verbose, bool debug) {
  std::string s = fmt::format("    IP Security test . . . . . . . . . : {}\n", result_word(r));
  if (!r.agent_running) {
    s += fmt::format("        The IPSec policy agent (policyagent) is not running on {}.\n", r.socket);
    s += "        Start it with `policyagent` (any ipsecpol command starts it too).\n";
    return s;
  }
  s += fmt::format("        Policy agent: {} (pid {}) on {}\n", r.hello.server, r.hello.pid, r.socket);
  if (r.policy) {
    s += fmt::format("        Local IPSec Policy Active: '{}'\n", r.policy->name);
    s += fmt::format("        IP Security Policy Path: policy/{} (local store, persistent)\n", r.policy->name);
    if (!r.policy->description.empty()) s += fmt::format("        Description: {}\n", r.policy->description);
    s += fmt::format("        Last changed: {}\n", when(r.policy->changed));
    s += fmt::format("        Polling interval: {} minutes\n", r.policy->poll_interval_seconds / 60);
  } else {
    s += "        IPSec policy service is active, but no policy is assigned.\n";
  }
  std::size_t dyn_rules = 0;
  for (const auto& d : r.dynamic)
    for (const auto& p : d.set.policies) dyn_rules += p.rules.size();
  s += fmt::format("        Dynamic (ipsecpol) rules: {}\n", dyn_rules);
  if (!r.spd) {
    s += fmt::format("        Effective SPD: not available: {}\n", r.spd_error);
    return s;
  }
  s += fmt::format("        Effective SPD: generation {}, {} filters ({} specific), me = {}\n", r.spd->generation,
                   r.spd->filters.size(), r.spd->specific.size(), [&] {
                     std::string a;
                     for (const auto& x : r.spd->addresses) a += (a.empty() ? "" : ", ") + x.str();
                     return a.empty() ? std::string("(no addresses)") : a;
                   }());
  for (const auto& w : r.spd->warnings) s += fmt::format("        Warning: {}\n", w);
  if (verbose || debug) {
    if (r.policy) {
      s += "        Rules:\n";
      for (const auto& rule : r.policy->rules) s += rule_text(r.policy_set, rule);
      s += fmt::format("        Default response rule: {}\n", r.policy->default_response.active ? "active" : "inactive");
    }
    for (const auto& d : r.dynamic)
      for (const auto& p : d.set.policies)
        for (const auto& rule : p.rules) s += rule_text(d.set, rule);
    s += filter_dump(*r.spd, debug ? r.spd->specific : r.spd->filters);
  }
  return s;
}

json ipsec_json(const IpsecReport& r, bool verbose) {
  json j;
  j["test"] = "ipsec";
  j["result"] = result_word(r) == "Passed" ? "passed" : result_word(r) == "Failed" ? "failed" : "skipped";
  json agent = {{"running", r.agent_running}, {"socket", r.socket}};
  if (r.agent_running) {
    agent["server"] = r.hello.server;
    agent["pid"] = r.hello.pid;
    agent["revision"] = r.hello.revision;
  } else {
    agent["error"] = r.agent_error;
  }
  j["agent"] = agent;
  if (r.policy) {
    json p = {{"name", r.policy->name},
              {"source", "local"},
              {"store_key", "policy/" + r.policy->name},
              {"description", r.policy->description},
              {"changed", r.policy->changed},
              {"poll_interval_seconds", r.policy->poll_interval_seconds},
              {"default_response_active", r.policy->default_response.active}};
    json rules = json::array();
    for (const auto& rule : r.policy->rules) rules.push_back(rule_json(r.policy_set, rule));
    p["rules"] = rules;
    j["policy"] = p;
  } else {
    j["policy"] = nullptr;
  }
  json dyn = json::array();
  for (const auto& d : r.dynamic) {
    json rules = json::array();
    for (const auto& p : d.set.policies)
      for (const auto& rule : p.rules) rules.push_back(rule_json(d.set, rule));
    dyn.push_back({{"id", d.id}, {"source", "dynamic"}, {"rules", rules}});
  }
  j["dynamic"] = dyn;
  if (r.spd) {
    json addrs = json::array();
    for (const auto& a : r.spd->addresses) addrs.push_back(a.str());
    j["spd"] = {{"generation", r.spd->generation},
                {"addresses", addrs},
                {"filters", r.spd->filters.size()},
                {"specific_filters", r.spd->specific.size()},
                {"warnings", r.spd->warnings}};
    j["filters"] = filters_json(*r.spd, false);
    if (verbose) j["specific_filters"] = filters_json(*r.spd, true);
  } else {
    j["spd"] = nullptr;
    j["spd_error"] = r.spd_error;
  }
  return j;
}

json filters_json(const CompiledSpd& spd, bool specific) {
  json a = json::array();
  for (const auto& f : specific ? spd.specific : spd.filters) a.push_back(filter_json(spd, f, specific));
  return a;
}

std::string filters_text(const CompiledSpd& spd, bool specific) {
  std::string s = fmt::format("{:<20} {:<20} {:<18} {:<18} {:>5} {:>5} {:>5} {:<9} {:<15} {:>10}\n", "POLICY", "RULE", "SRC",
                              "DST", "PROTO", "SPORT", "DPORT", "ACTION", "TUNNEL", "WEIGHT");
  for (const auto& fj : filters_json(spd, specific)) {
    std::string src = specific && fj.contains("src_addr") ? fj["src_addr"].get<std::string>() : fj["src"].get<std::string>();
    std::string dst = specific && fj.contains("dst_addr") ? fj["dst_addr"].get<std::string>() : fj["dst"].get<std::string>();
    s += fmt::format("{:<20} {:<20} {:<18} {:<18} {:>5} {:>5} {:>5} {:<9} {:<15} {:>10}\n", fj["policy"].get<std::string>(),
                     fj["rule"].get<std::string>(), src, dst, fj["protocol"].get<int>(), fj["src_port"].get<int>(),
                     fj["dst_port"].get<int>(), fj["action"].get<std::string>(), addr_cell(fj["tunnel"]),
                     fj["weight"].get<std::uint64_t>());
  }
  return s;
}

}  // namespace ipseckit::netdiag
