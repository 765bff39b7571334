// Helpers shared by the netsh static commands: errors, typed arguments, authentication,
// address resolution, lookups.
#include <fmt/format.h>

#include <array>
#include <random>

#include "base/strings.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

std::string random_guid() {
  std::random_device rd;
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 4) {
    const auto r = rd();
    for (std::size_t k = 0; k < 4; ++k) b[i + k] = static_cast<std::uint8_t>(r >> (8 * k));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return fmt::format(
      "{{{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}", b[0],
      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::string users(const PolicySet& set, bool list, std::string_view name) {
  std::string out;
  for (const auto& p : set.policies)
    for (const auto& r : p.rules)
      if ((list ? r.filter_list : r.filter_action) == name) {
        if (!out.empty()) out += ", ";
        out += fmt::format("rule '{}' of policy '{}'", r.name, p.name);
      }
  return out;
}

}  // namespace

std::string NetshCommandContext::new_id() const {
  return opt.new_id ? opt.new_id() : random_guid();
}

Error netsh_usage(std::string msg, int position) {
  return Error::make("usage", std::move(msg), 0, position);
}
Error netsh_failed(std::string msg, int position) {
  return Error::make("failed", std::move(msg), 0, position);
}

Error netsh_bad_value(const NetshArg& a, const Error& why) {
  return Error::make(why.code.empty() ? "usage" : why.code, fmt::format("{}={}: {}", a.tag, a.value, why.message), 0,
                     a.offset);
}

Result<bool> netsh_bool(const NetshArg& a) {
  auto b = parse_netsh_bool(a.value);
  if (!b) return netsh_bad_value(a, b.error());
  return *b;
}

Result<std::uint64_t> netsh_uint(const NetshArg& a, std::uint64_t min, std::uint64_t max) {
  auto n = parse_netsh_uint(a.value, min, max);
  if (!n) return netsh_bad_value(a, n.error());
  return *n;
}

Result<std::size_t> netsh_keyword(const NetshArg& a, std::span<const std::string_view> candidates) {
  auto i = match_netsh_keyword(a.value, candidates, "value");
  if (!i) return netsh_bad_value(a, i.error());
  return *i;
}

Result<std::string> netsh_name(const NetshArg& a) {
  if (str::trim(a.value).empty()) return netsh_usage(fmt::format("{}= must not be empty", a.tag), a.offset);
  return a.value;
}

Result<std::optional<std::vector<AuthMethod>>> netsh_auth(const NetshArgs& args) {
  std::vector<AuthMethod> out;
  bool given = false;
  for (const auto& a : args.list()) {  // command-line order = preference
    if (a.tag == "kerberos") {
      given = true;
      auto b = netsh_bool(a);
      if (!b) return b.error();
      if (*b) out.push_back(AuthMethod{});
    } else if (a.tag == "psk") {
      given = true;
      auto m = parse_netsh_psk(a.value);
      if (!m) return netsh_usage(fmt::format("psk=: {}", m.error().message), a.offset);
      out.push_back(*m);
    } else if (a.tag == "rootca") {
      given = true;
      auto m = parse_netsh_rootca(a.value);
      if (!m) return netsh_bad_value(a, m.error());
      out.push_back(*m);
    }
  }
  if (!given) return std::optional<std::vector<AuthMethod>>{};
  if (out.empty()) return netsh_usage("no authentication method is left (kerberos=no and no psk= or rootca=)");
  return std::optional<std::vector<AuthMethod>>{std::move(out)};
}

Result<Address> netsh_resolve(const NetshArg& a, const NetshAddress& addr, const NetshOptions& opt) {
  switch (addr.kind) {
    case AddrKind::me:
      return Address::me();
    case AddrKind::any:
      return Address::any();
    case AddrKind::subnet: {
      const auto len = addr.len.value_or(static_cast<std::uint8_t>(addr.ip.bit_width()));
      if (addr.ip.masked(len) != addr.ip)
        return netsh_usage(fmt::format("{}={}: the address has bits set outside its /{} mask", a.tag, a.value, len),
                           a.offset);
      return Address::subnet(wire::IpPrefix{addr.ip, len});
    }
    case AddrKind::dns: {
      if (!opt.resolve)
        return netsh_failed(fmt::format("{}={}: DNS names cannot be resolved here (no resolver)", a.tag, a.value),
                            a.offset);
      auto ips = opt.resolve(addr.name);
      if (ips.empty()) return netsh_failed(fmt::format("{}={}: DNS name lookup failed", a.tag, a.value), a.offset);
      return Address::dns(addr.name, std::move(ips));
    }
  }
  return netsh_usage("unknown address kind", a.offset);
}

Result<std::optional<Address>> netsh_tunnel(const NetshArg& a, const NetshOptions& opt) {
  if (a.value == "0") return std::optional<Address>{};  // 0, 0.0.0.0 or :: = transport mode
  auto addr = parse_netsh_address(a.value);
  if (!addr) return netsh_bad_value(a, addr.error());
  if (addr->kind == AddrKind::me || addr->kind == AddrKind::any || addr->len)
    return netsh_usage(fmt::format("{}={}: a tunnel endpoint is one IP address or DNS name", a.tag, a.value), a.offset);
  if (addr->kind == AddrKind::subnet && addr->ip.is_unspecified()) return std::optional<Address>{};
  auto r = netsh_resolve(a, *addr, opt);
  if (!r) return r.error();
  return std::optional<Address>{std::move(*r)};
}

void netsh_set_pfs(std::vector<QmOffer>& offers, bool on) {
  for (auto& o : offers) o.pfs = Pfs{on, DhGroup::none};
}

bool netsh_same_guid(std::string_view id, std::string_view given) {
  auto strip = [](std::string_view s) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
    return s;
  };
  return !id.empty() && str::iequals(strip(id), strip(given));
}

std::string netsh_users_of_list(const PolicySet& set, std::string_view list) {
  return users(set, true, list);
}
std::string netsh_users_of_action(const PolicySet& set, std::string_view action) {
  return users(set, false, action);
}

}  // namespace ipseckit::policy
