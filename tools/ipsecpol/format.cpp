#include "ipsecpol/format.h"

#include <fmt/format.h>

#include "policy/ipsecpol_filterspec.h"
#include "policy/json.h"

namespace ipseckit::ipsecpol {
namespace {

using namespace policy;

std::string action_word(ActionType a) {
  switch (a) {
    case ActionType::permit: return "Passthru";
    case ActionType::block: return "Blocking";
    case ActionType::negotiate: return "Negotiate";
  }
  return "?";
}

std::string conn_word(ConnType c) {
  switch (c) {
    case ConnType::all: return "ALL";
    case ConnType::lan: return "LAN";
    case ConnType::dialup: return "DIALUP";
  }
  return "?";
}

// "<My IP Address>", "<Any IP Address>", "198.51.100.0" with its mask.
std::string addr_line(const char* label, const SpdAddr& a, bool specific) {
  std::string addr, mask;
  if (a.me && !specific) {
    addr = "<My IP Address>";
    mask = a.is_v6() ? "/128" : "255.255.255.255";
  } else if (a.is_any()) {
    addr = "<Any IP Address>";
    mask = a.is_v6() ? "/0" : "0.0.0.0";
  } else {
    addr = a.prefix.addr.str();
    mask = a.is_v6() ? "/" + std::to_string(a.prefix.len) : wire::mask_str(a.prefix.len);
  }
  return fmt::format(" {:<20}: {:<18} ({})\n", label, addr, mask);
}

std::string pfs_word(const QmOffer& o) {
  if (!o.pfs.enabled) return "<Unassigned>";
  if (o.pfs.group == DhGroup::none) return "Main Mode Derived";
  switch (o.pfs.group) {
    case DhGroup::modp768: return "Low (1)";
    case DhGroup::modp1024: return "Medium (2)";
    case DhGroup::modp2048: return "High (2048)";
    default: return fmt::format("Group {}", static_cast<unsigned>(o.pfs.group));
  }
}

std::string names(const CompiledSpd& spd, std::uint32_t rule) {
  if (rule >= spd.rules.size()) return "?";
  return spd.rules[rule].policy + " / " + spd.rules[rule].rule;
}

std::string qm_filter(const CompiledSpd& spd, const SpdFilter& f, const std::string& heading, bool specific) {
  std::string s = heading + "\n";
  s += fmt::format(" {:<20}: {}\n", "Filter name", names(spd, f.rule));
  s += fmt::format(" {:<20}: {}\n", "Connection Type", conn_word(f.conn));
  s += fmt::format(" {:<20}: {}\n", "Weight", f.weight);
  s += addr_line("Source Address", f.src, specific);
  s += addr_line("Destination Address", f.dst, specific);
  s += fmt::format(" {:<20}: {:<8} Src Port: {:<6} Dest Port: {}\n", "Protocol", format_protocol(f.protocol),
                   f.src_port, f.dst_port);
  if (f.tunnel) s += addr_line("Tunnel Destination", *f.tunnel, specific);
  s += fmt::format(" {:<20}: {}\n", "Mirror copy", f.mirror ? "yes (the reverse of a mirrored filter)" : "no");
  s += fmt::format(" {:<20}: {}\n", "Direction", direction_name(f.direction));
  s += fmt::format(" {:<20}: {}\n", "Inbound Action", action_word(f.inbound_action));
  s += fmt::format(" {:<20}: {}\n", "Outbound Action", action_word(f.outbound_action));
  if (f.qm_policy < spd.qm_policies.size())
    s += fmt::format(" {:<20}: {}\n", "Quick Mode Policy", spd.qm_policies[f.qm_policy].name);
  return s + "\n";
}

std::string mm_filter(const CompiledSpd& spd, const SpdMmFilter& f, const std::string& heading, bool specific) {
  std::string s = heading + "\n";
  s += fmt::format(" {:<20}: {}\n", "Filter name", names(spd, f.rule));
  s += fmt::format(" {:<20}: {}\n", "Connection Type", conn_word(f.conn));
  s += fmt::format(" {:<20}: {}\n", "Weight", f.weight);
  s += addr_line("Source Address", f.src, specific);
  s += addr_line("Destination Address", f.dst, specific);
  if (f.auth < spd.auth.size()) s += fmt::format(" {:<20}: {}\n", "Authentication", spd.auth[f.auth].name);
  if (f.mm_policy < spd.mm_policies.size())
    s += fmt::format(" {:<20}: {}\n", "Main Mode Policy", spd.mm_policies[f.mm_policy].name);
  return s + "\n";
}

template <class V, class F>
std::string list_section(const std::string& title, const std::string& item, const V& v, F one) {
  std::string s = section(title);
  if (v.empty()) return s + "No filters\n\n";
  int n = 0;
  for (const auto& f : v) s += one(f, fmt::format("{} #{}:", item, ++n));
  return s;
}

}  // namespace

std::string section(const std::string& title) { return title + "\n" + std::string(30, '-') + "\n"; }

std::string windows_offer(const QmOffer& o) {
  std::string s;
  if (o.ah) s += fmt::format("AH[{}]", windows_name(*o.ah));
  if (o.ah && o.esp) s += "+";
  if (o.esp) s += fmt::format("ESP[{},{}]", windows_name(o.esp->cipher), windows_name(o.esp->integrity));
  return s;
}

std::string format_filters(const CompiledSpd& spd) {
  std::vector<SpdFilter> gt, st, gn, sn;
  for (const auto& f : spd.filters) (f.tunnel ? gn : gt).push_back(f);
  for (const auto& f : spd.specific) (f.tunnel ? sn : st).push_back(f);
  std::string s;
  s += list_section("Generic MM Filters", "Generic MM Filter", spd.mm_filters,
                    [&](const auto& f, const std::string& h) { return mm_filter(spd, f, h, false); });
  s += list_section("Specific MM Filters", "Specific MM Filter", spd.mm_specific,
                    [&](const auto& f, const std::string& h) { return mm_filter(spd, f, h, true); });
  s += list_section("Generic Transport Filters", "Generic Transport Filter", gt,
                    [&](const auto& f, const std::string& h) { return qm_filter(spd, f, h, false); });
  s += list_section("Specific Transport Filters", "Specific Transport Filter", st,
                    [&](const auto& f, const std::string& h) { return qm_filter(spd, f, h, true); });
  s += list_section("Generic Tunnel Filters", "Generic Tunnel Filter", gn,
                    [&](const auto& f, const std::string& h) { return qm_filter(spd, f, h, false); });
  s += list_section("Specific Tunnel Filters", "Specific Tunnel Filter", sn,
                    [&](const auto& f, const std::string& h) { return qm_filter(spd, f, h, true); });
  return s;
}

std::string format_policies(const CompiledSpd& spd) {
  std::string s = section("Main Mode Policies");
  if (spd.mm_policies.empty()) s += "No policies\n\n";
  int n = 0;
  for (const auto& p : spd.mm_policies) {
    s += fmt::format("Main Mode Policy #{}:\n", ++n);
    s += fmt::format(" {:<24}: {}\n", "IKE MM Policy Name", p.name);
    s += fmt::format(" {:<24}: {} secs\n", "IKE Soft SA Lifetime", p.isakmp.soft_sa_expiry_seconds);
    s += fmt::format(" {:<10} {:<10} {:<5} {:<19} {}\n", "Encryption", "Integrity", "DH", "Lifetime (Kb:secs)",
                     "QM Limit Per MM");
    for (const auto& o : p.isakmp.offers) {
      std::string limit = p.isakmp.mm_pfs ? "1 (MMPFS)" : std::to_string(o.qm_limit);
      s += fmt::format(" {:<10} {:<10} {:<5} {:<19} {}\n", windows_name(o.cipher), windows_name(o.hash),
                       static_cast<unsigned>(o.group), fmt::format("0:{}", o.lifetime_seconds), limit);
    }
    s += "\n";
  }
  s += section("Quick Mode Policies");
  if (spd.qm_policies.empty()) s += "No policies\n\n";
  n = 0;
  for (const auto& q : spd.qm_policies) {
    s += fmt::format("Quick Mode Policy #{}:\n", ++n);
    s += fmt::format(" {:<26}: {}\n", "QM Negotiation Policy Name", q.name);
    if (q.inpass) s += " Accept unsecured communication, but always respond using IPSec\n";
    if (q.soft) s += " Allow unsecured communication with non-IPSec-aware computers\n";
    s += fmt::format(" {:<34} {:<19} {}\n", "Security Methods", "Lifetime (Kb:secs)", "PFS DH Group");
    for (const auto& o : q.offers)
      s += fmt::format(" {:<34} {:<19} {}\n", windows_offer(o), fmt::format("{}:{}", o.lifetime_kbytes, o.lifetime_seconds),
                       pfs_word(o));
    s += "\n";
  }
  return s;
}

std::string format_auth(const CompiledSpd& spd) {
  std::string s = section("Main Mode Authentication Methods");
  if (spd.auth.empty()) return s + "No authentication methods\n\n";
  int n = 0;
  for (const auto& a : spd.auth) {
    s += fmt::format("Main Mode Authentication Methods #{}: {}\n", ++n, a.name);
    if (a.methods.empty()) s += " Kerberos\n";
    for (const auto& m : a.methods) {
      switch (m.kind) {
        case AuthKind::kerberos: s += " Kerberos\n"; break;
        case AuthKind::psk: s += " Preshared key : (hidden)\n"; break;
        case AuthKind::cert: s += fmt::format(" Root CA : {}\n", m.ca.empty() ? "(any)" : m.ca); break;
      }
    }
    s += "\n";
  }
  return s;
}

}  // namespace ipseckit::ipsecpol
