// Builders shared by the SPD and lint tests.
#pragma once

#include <string>
#include <vector>

#include "policy/defaults.h"
#include "policy/model.h"
#include "policy/spd_compile.h"
#include "wire/ip_address.h"

namespace spdtest {

using namespace ipseckit;
using namespace ipseckit::policy;

inline wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse(s); }
inline wire::IpPrefix pfx(const char* s) { return *wire::IpPrefix::parse(s); }
inline Address sub(const char* s) { return Address::subnet(pfx(s)); }

inline Filter filt(Address src, Address dst, std::uint8_t proto = 0, std::uint16_t sport = 0, std::uint16_t dport = 0,
                   bool mirrored = true) {
  Filter f;
  f.src = std::move(src);
  f.dst = std::move(dst);
  f.protocol = proto;
  f.src_port = sport;
  f.dst_port = dport;
  f.mirrored = mirrored;
  return f;
}

inline QmOffer esp(Cipher c, Integrity i) {
  QmOffer o;
  o.esp = EspTransform{c, i};
  return o;
}

// A policy set assembled object by object.
struct SetBuilder {
  PolicySet set;

  Policy& policy(const std::string& name) {
    if (Policy* p = set.find_policy(name)) return *p;
    Policy p;
    p.name = name;
    p.isakmp.offers = {MmOffer{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 28800, 0}};
    p.default_response.active = false;
    set.policies.push_back(p);
    return set.policies.back();
  }
  SetBuilder& list(const std::string& name, std::vector<Filter> filters) {
    FilterList fl;
    fl.name = name;
    fl.filters = std::move(filters);
    set.filter_lists.push_back(fl);
    return *this;
  }
  SetBuilder& action(const std::string& name, ActionType type, bool inpass = false, bool soft = false,
                     std::vector<QmOffer> offers = {esp(Cipher::aes_gcm128, Integrity::none)}) {
    FilterAction fa;
    fa.name = name;
    fa.action = type;
    fa.inpass = inpass;
    fa.soft = soft;
    if (type == ActionType::negotiate) fa.offers = std::move(offers);
    set.filter_actions.push_back(fa);
    return *this;
  }
  Rule& rule(const std::string& policy_name, const std::string& name, const std::string& list_name,
             const std::string& action_name) {
    Rule r;
    r.name = name;
    r.filter_list = list_name;
    r.filter_action = action_name;
    AuthMethod psk;
    psk.kind = AuthKind::psk;
    psk.psk = "correct horse battery staple 42";
    psk.psk_ref = "secret/psk/" + name;
    r.auth = {psk};
    auto& rules = policy(policy_name).rules;
    rules.push_back(r);
    return rules.back();
  }
};

inline CompiledSpd compile(const PolicySet& set, const std::string& policy, std::vector<wire::IpAddr> addrs) {
  SpdInputs in;
  in.assigned_set = set;
  in.assigned_policy = policy;
  in.addresses = std::move(addrs);
  return compile_spd(in);
}

}  // namespace spdtest
