#include "policy/model.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "policy/ike_id.h"

namespace ipseckit::policy {
namespace {

template <class V>
auto* find_named(V& v, std::string_view name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const auto& o) { return o.name == name; });
  return it == v.end() ? nullptr : &*it;
}

template <class V, class T>
void upsert(V& v, const T& o) {
  if (auto* e = find_named(v, o.name)) *e = o;
  else v.push_back(o);
}

Error invalid(std::string msg) { return Error::make("invalid", std::move(msg)); }

bool has_ports(std::uint8_t proto) { return proto == 6 || proto == 17; }

std::optional<bool> family_v6(const Address& a) {
  if (a.kind == AddrKind::subnet) return a.prefix.addr.is_v6();
  if (a.kind == AddrKind::dns && !a.resolved.empty()) return a.resolved.front().is_v6();
  return std::nullopt;
}

Status validate_address(const Address& a, const std::string& where) {
  if (a.kind == AddrKind::subnet) {
    if (a.prefix.len > a.prefix.addr.bit_width())
      return invalid(fmt::format("{}: prefix length {} too long", where, a.prefix.len));
    if (a.prefix.addr.masked(a.prefix.len) != a.prefix.addr)
      return invalid(fmt::format("{}: address {} has bits set outside its mask", where, a.prefix.str()));
  }
  if (a.kind == AddrKind::dns) {
    if (a.dns_name.empty()) return invalid(fmt::format("{}: empty DNS name", where));
    if (a.resolved.empty()) return invalid(fmt::format("{}: DNS name '{}' has no addresses", where, a.dns_name));
  }
  return {};
}

Status validate_offers(const std::vector<QmOffer>& offers, const std::string& where) {
  for (std::size_t i = 0; i < offers.size(); ++i) {
    const auto& o = offers[i];
    auto at = fmt::format("{} offer {}", where, i + 1);
    if (!o.ah && !o.esp) return invalid(at + ": neither AH nor ESP");
    if (o.ah && (*o.ah == Integrity::none)) return invalid(at + ": AH needs an integrity algorithm");
    if (o.esp) {
      if (o.esp->cipher == Cipher::none && o.esp->integrity == Integrity::none)
        return invalid(at + ": ESP with NULL encryption and no integrity is not allowed");
      if (is_aead(o.esp->cipher) && o.esp->integrity != Integrity::none)
        return invalid(at + ": AES-GCM provides its own integrity; integrity must be none");
    }
    if (o.lifetime_seconds != 0 && o.lifetime_seconds < 300)
      return invalid(fmt::format("{}: lifetime {} s is below the 300 s minimum", at, o.lifetime_seconds));
    if (o.lifetime_kbytes != 0 && o.lifetime_kbytes < 20480)
      return invalid(fmt::format("{}: lifetime {} KB is below the 20480 KB minimum", at, o.lifetime_kbytes));
  }
  return {};
}

Status validate_auth(const std::vector<AuthMethod>& auth, const std::string& where) {
  for (std::size_t i = 0; i < auth.size(); ++i) {
    if (auth[i].kind == AuthKind::psk && auth[i].psk.empty() && auth[i].psk_ref.empty())
      return invalid(fmt::format("{} authentication method {}: pre-shared key is empty", where, i + 1));
  }
  return {};
}

}  // namespace

std::string Address::str() const {
  switch (kind) {
    case AddrKind::me: return "me";
    case AddrKind::any: return "any";
    case AddrKind::subnet: return prefix.str();
    case AddrKind::dns: return dns_name;
  }
  return "?";
}

Policy* PolicySet::find_policy(std::string_view name) { return find_named(policies, name); }
const Policy* PolicySet::find_policy(std::string_view name) const { return find_named(policies, name); }
FilterList* PolicySet::find_filter_list(std::string_view name) { return find_named(filter_lists, name); }
const FilterList* PolicySet::find_filter_list(std::string_view name) const { return find_named(filter_lists, name); }
FilterAction* PolicySet::find_filter_action(std::string_view name) { return find_named(filter_actions, name); }
const FilterAction* PolicySet::find_filter_action(std::string_view name) const {
  return find_named(filter_actions, name);
}

PolicySet PolicySet::extract(std::string_view policy_name) const {
  PolicySet out;
  const Policy* p = find_policy(policy_name);
  if (!p) return out;
  out.policies.push_back(*p);
  for (const auto& r : p->rules) {
    if (const auto* fl = find_filter_list(r.filter_list); fl && !out.find_filter_list(fl->name))
      out.filter_lists.push_back(*fl);
    if (const auto* fa = find_filter_action(r.filter_action); fa && !out.find_filter_action(fa->name))
      out.filter_actions.push_back(*fa);
  }
  out.sort();
  return out;
}

void PolicySet::merge(const PolicySet& other) {
  for (const auto& p : other.policies) upsert(policies, p);
  for (const auto& l : other.filter_lists) upsert(filter_lists, l);
  for (const auto& a : other.filter_actions) upsert(filter_actions, a);
}

void PolicySet::sort() {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::stable_sort(policies.begin(), policies.end(), by_name);
  std::stable_sort(filter_lists.begin(), filter_lists.end(), by_name);
  std::stable_sort(filter_actions.begin(), filter_actions.end(), by_name);
}

Status validate(const PolicySet& set) {
  std::set<std::string> names;
  for (const auto& fl : set.filter_lists) {
    auto where = fmt::format("filter list '{}'", fl.name);
    if (fl.name.empty()) return invalid("a filter list has an empty name");
    if (!names.insert(fl.name).second) return invalid(where + ": duplicate name");
    for (std::size_t i = 0; i < fl.filters.size(); ++i) {
      const auto& f = fl.filters[i];
      auto fw = fmt::format("{} filter {}", where, i + 1);
      IPSECKIT_TRY(validate_address(f.src, fw + " source"));
      IPSECKIT_TRY(validate_address(f.dst, fw + " destination"));
      auto s6 = family_v6(f.src), d6 = family_v6(f.dst);
      if (s6 && d6 && *s6 != *d6) return invalid(fw + ": source and destination are of different address families");
      if ((f.src_port || f.dst_port) && f.protocol != 0 && !has_ports(f.protocol) && f.protocol != 132)
        return invalid(fmt::format("{}: ports given for protocol {}, which has none", fw, f.protocol));
    }
  }
  names.clear();
  for (const auto& fa : set.filter_actions) {
    auto where = fmt::format("filter action '{}'", fa.name);
    if (fa.name.empty()) return invalid("a filter action has an empty name");
    if (!names.insert(fa.name).second) return invalid(where + ": duplicate name");
    IPSECKIT_TRY(validate_offers(fa.offers, where));
    if (fa.action == ActionType::negotiate && fa.offers.empty() && !fa.soft)
      return invalid(where + ": negotiate needs at least one security method (or soft)");
  }
  names.clear();
  for (const auto& p : set.policies) {
    auto where = fmt::format("policy '{}'", p.name);
    if (p.name.empty()) return invalid("a policy has an empty name");
    if (!names.insert(p.name).second) return invalid(where + ": duplicate name");
    if (p.isakmp.offers.empty()) return invalid(where + ": ISAKMP settings have no main-mode offers");
    for (std::size_t i = 0; i < p.isakmp.offers.size(); ++i) {
      const auto& o = p.isakmp.offers[i];
      if (o.group == DhGroup::none) return invalid(fmt::format("{} main-mode offer {}: no DH group", where, i + 1));
      if (o.hash == Integrity::none || is_gmac(o.hash))
        return invalid(fmt::format("{} main-mode offer {}: no usable hash", where, i + 1));
      if (o.cipher == Cipher::none || is_aead(o.cipher))
        return invalid(fmt::format("{} main-mode offer {}: IKEv1 needs a CBC cipher", where, i + 1));
      if (o.lifetime_seconds == 0)
        return invalid(fmt::format("{} main-mode offer {}: lifetime must be positive", where, i + 1));
    }
    IPSECKIT_TRY(validate_offers(p.default_response.offers, where + " default response rule"));
    IPSECKIT_TRY(validate_auth(p.default_response.auth, where + " default response rule"));
    std::set<std::string> rules;
    for (const auto& r : p.rules) {
      auto rw = fmt::format("{} rule '{}'", where, r.name);
      if (r.name.empty()) return invalid(where + ": a rule has an empty name");
      if (!rules.insert(r.name).second) return invalid(rw + ": duplicate rule name");
      if (!set.find_filter_list(r.filter_list))
        return invalid(fmt::format("{}: filter list '{}' does not exist", rw, r.filter_list));
      if (!set.find_filter_action(r.filter_action))
        return invalid(fmt::format("{}: filter action '{}' does not exist", rw, r.filter_action));
      IPSECKIT_TRY(validate_auth(r.auth, rw));
      if (r.tunnel) IPSECKIT_TRY(validate_address(*r.tunnel, rw + " tunnel endpoint"));
      if (r.tunnel_src) IPSECKIT_TRY(validate_address(*r.tunnel_src, rw + " tunnel source"));
      if (r.tunnel && r.tunnel->kind == AddrKind::any) return invalid(rw + ": tunnel endpoint cannot be 'any'");
      for (const auto& [field, text] : {std::pair{"local_id", &r.local_id}, std::pair{"peer_id", &r.peer_id}}) {
        if (text->empty()) continue;
        if (auto id = parse_ike_id(*text); !id) return invalid(fmt::format("{} {}: {}", rw, field, id.error().message));
      }
      for (std::size_t i = 0; i < r.mm_filters.size(); ++i) {
        const auto& f = r.mm_filters[i];
        auto fw = fmt::format("{} main-mode filter {}", rw, i + 1);
        IPSECKIT_TRY(validate_address(f.src, fw + " source"));
        IPSECKIT_TRY(validate_address(f.dst, fw + " destination"));
        if (f.protocol || f.src_port || f.dst_port)
          return invalid(fw + ": main-mode filters have addresses only (no protocol or ports)");
        auto s6 = family_v6(f.src), d6 = family_v6(f.dst);
        if (s6 && d6 && *s6 != *d6) return invalid(fw + ": source and destination are of different address families");
      }
    }
  }
  return {};
}

}  // namespace ipseckit::policy
