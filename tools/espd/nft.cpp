// espd's nftables table (nft.h).
#include "nft.h"

#include <fmt/format.h>

#include "base/log.h"
#include "sys/nft.h"

namespace ipseckit::espd {

namespace {

constexpr const char* kFamily = "inet";

std::string addr_match(const policy::SpdAddr& a, const char* fam, const char* field) {
  if (a.is_any()) return {};
  return fmt::format("{} {} {} ", fam, field, a.prefix.is_host() ? a.prefix.addr.str() : a.prefix.str());
}

// What every received packet may do before the SPD is consulted (nft.h).
std::string exemptions(const NftOptions& o) {
  return fmt::format(
      "    iifname \"lo\" accept\n"
      "    meta l4proto {{ esp, ah }} accept\n"
      "    udp dport {{ 500, {} }} accept\n"
      "    icmp type {{ destination-unreachable, time-exceeded, parameter-problem }} accept\n"
      "    icmpv6 type {{ destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
      "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect }} accept\n"
      "    ip6 saddr fe80::/10 accept\n"
      "    ip6 daddr ff00::/8 accept\n"
      "    frag frag-off != 0 accept\n",  // IPv6 non-first fragments (nft.h)
      o.natt_port);
}

// Outbound: permitted traffic and the never-protected destinations bypass the TUN (nft.h).
std::string outbound_chains(const NftOptions& o, const policy::CompiledSpd* spd) {
  const std::string mark = fmt::format("meta mark set {:#x} accept", o.mark);
  std::string s = fmt::format(
      "  chain spd_out {{\n"
      "    ip daddr {{ 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255 }} {0}\n"
      "    ip6 daddr {{ fe80::/10, ff00::/8 }} {0}\n",
      mark);
  if (spd) {
    for (const auto& f : spd->specific)
      s += fmt::format("    {} {}\n", nft_match(f), f.action_for(true) == policy::ActionType::permit ? mark : "accept");
  }
  s += "  }\n";
  s += fmt::format("  chain output {{\n    type route hook output priority mangle; policy accept;\n"
                   "    meta mark {:#x} accept\n    jump spd_out\n  }}\n", o.mark);
  s += fmt::format("  chain prerouting {{\n    type filter hook prerouting priority mangle; policy accept;\n"
                   "    iifname \"{}\" accept\n    meta mark {:#x} accept\n    jump spd_out\n  }}\n",
                   o.tun, o.mark);
  return s;
}

}  // namespace

std::string nft_match(const policy::SpdFilter& f) {
  const char* fam = f.is_v6() ? "ip6" : "ip";
  std::string m = addr_match(f.src, fam, "saddr") + addr_match(f.dst, fam, "daddr");
  if (m.empty()) m = fmt::format("meta nfproto {} ", f.is_v6() ? "ipv6" : "ipv4");
  if (f.protocol) {
    m += fmt::format("meta l4proto {} ", f.protocol);
  } else if (f.src_port || f.dst_port) {
    m += "meta l4proto { tcp, udp } ";
  }
  if (f.src_port) m += fmt::format("th sport {} ", f.src_port);
  if (f.dst_port) m += fmt::format("th dport {} ", f.dst_port);
  m.pop_back();
  return m;
}

std::string nft_ruleset(const std::string& table, const NftOptions& opt, const policy::CompiledSpd* spd) {
  const std::string t = fmt::format("{} {}", kFamily, table);
  std::string s = fmt::format("table {0}\ndelete table {0}\ntable {0} {{\n", t);
  s += "  counter clear { }\n  counter blocked { }\n  chain spd_in {\n";
  if (spd) {
    for (const auto& f : spd->specific) {
      const auto a = f.action_for(false);
      const char* verdict = "accept";
      if (a == policy::ActionType::block)
        verdict = "counter name \"blocked\" drop";
      else if (a == policy::ActionType::negotiate && !f.soft)
        verdict = "counter name \"clear\" drop";
      s += fmt::format("    {} {}\n", nft_match(f), verdict);
    }
  }
  s += "  }\n";
  s += fmt::format("  chain input {{\n    type filter hook input priority filter; policy accept;\n"
                   "    iifname \"{}\" accept\n{}    jump spd_in\n  }}\n",
                   opt.tun, exemptions(opt));
  s += fmt::format("  chain forward {{\n    type filter hook forward priority filter; policy accept;\n"
                   "    iifname \"{0}\" accept\n    oifname \"{0}\" accept\n{1}    jump spd_in\n  }}\n}}\n",
                   opt.tun, exemptions(opt));
  if (opt.mark) {
    s.pop_back(), s.pop_back();  // "}\n" of the table
    s += outbound_chains(opt, spd) + "}\n";
  }
  return s;
}

NftTable::NftTable(NftOptions opt) : m_opt(std::move(opt)), m_name(sys::nft::identifier("ipseckit_espd_" + m_opt.tun)) {}

NftTable::~NftTable() {
  remove();
}

Status NftTable::start() {
  if (auto c = sys::nft::counters(kFamily, m_name); c && !c->empty())
    log::msg(log::Subsys::net, log::Level::control, "removing the leftover nftables table {} {}", kFamily, m_name);
  IPSECKIT_TRY(sys::nft::delete_table(kFamily, m_name));
  m_active = true;
  return update(nullptr);
}

Status NftTable::update(const policy::CompiledSpd* spd) {
  if (!m_active) return {};
  auto s = nft_ruleset(m_name, m_opt, spd);
  if (s == m_loaded) return {};
  const auto before = drops();  // the reload resets the table's counters
  IPSECKIT_TRY(sys::nft::apply(s));
  m_base = before;
  m_loaded = std::move(s);
  log::msg(log::Subsys::net, log::Level::diag, "nftables table {} {} loaded ({} filters)", kFamily, m_name,
           spd ? spd->specific.size() : 0);
  return {};
}

NftTable::Drops NftTable::drops() {
  Drops d = m_base;
  if (!m_active || m_loaded.empty()) return d;
  if (auto c = sys::nft::counters(kFamily, m_name); c) {
    if (auto it = c->find("clear"); it != c->end()) d.clear += it->second;
    if (auto it = c->find("blocked"); it != c->end()) d.blocked += it->second;
  }
  return d;
}

void NftTable::remove() {
  if (!m_active) return;
  m_active = false;
  if (auto s = sys::nft::delete_table(kFamily, m_name); !s)
    log::msg(log::Subsys::net, log::Level::audit, "removing nftables table {}: {}", m_name, s.error().message);
}

}  // namespace ipseckit::espd
