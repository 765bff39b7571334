// Addresses, masks, protocols, ports and authentication values of netsh ipsec static.
#include <fmt/format.h>

#include <array>

#include "base/strings.h"
#include "policy/netsh_tokens.h"
#include "policy/netsh_values.h"

namespace ipseckit::policy {
namespace {

Error usage(std::string msg) {
  return Error::make("usage", std::move(msg));
}

bool digits_and_dots(std::string_view s) {
  for (char c : s)
    if ((c < '0' || c > '9') && c != '.') return false;
  return !s.empty();
}

// RFC 1123 host name: labels of letters, digits, '-' (and '_', seen in real zones), 1..63
// characters each, 253 in all.
bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);
  for (auto label : str::split(s, ".")) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) return false;
    }
  }
  return true;
}

}  // namespace

Result<NetshAddress> parse_netsh_address(std::string_view v) {
  NetshAddress a;
  if (str::iequals(v, "me")) {
    a.kind = AddrKind::me;
    return a;
  }
  if (str::iequals(v, "any")) {
    a.kind = AddrKind::any;
    return a;
  }
  for (std::string_view server : {"WINS", "DNS", "DHCP", "GATEWAY"})
    if (str::iequals(v, server))
      return usage(fmt::format("the server keyword '{}' is not supported (give the server's address instead)", v));

  const auto slash = v.find('/');
  const auto ip_text = v.substr(0, slash);
  if (auto ip = wire::IpAddr::parse(ip_text)) {
    a.kind = AddrKind::subnet;
    a.ip = *ip;
    if (slash != std::string_view::npos) {
      auto len = str::parse_uint(v.substr(slash + 1), ip->bit_width());
      if (!len) return usage(fmt::format("'{}': bad prefix length (0..{})", v, ip->bit_width()));
      a.len = static_cast<std::uint8_t>(*len);
    }
    return a;
  }
  if (digits_and_dots(ip_text) || ip_text.find(':') != std::string_view::npos || slash != std::string_view::npos)
    return usage(fmt::format("'{}' is not a valid IPv4 or IPv6 address", v));
  if (!is_dns_name(v))
    return usage(fmt::format("'{}' is not an address (expected me, any, an IPv4 or IPv6 address, or a DNS name)", v));
  a.kind = AddrKind::dns;
  a.name = std::string(v);
  return a;
}

Result<std::uint8_t> parse_netsh_mask(std::string_view v, bool v6) {
  if (v.find('.') != std::string_view::npos) {
    if (v6) return usage(fmt::format("'{}': IPv6 masks are prefix lengths (1..128)", v));
    auto m = wire::IpAddr::parse_v4(v);
    if (!m) return usage(fmt::format("'{}' is not a dotted mask", v));
    auto len = wire::mask_to_len(m->v4_value());
    if (!len) return usage(fmt::format("'{}' is not a contiguous mask", v));
    return *len;
  }
  const std::uint64_t max = v6 ? 128 : 32;
  auto len = str::parse_uint(v, max);
  if (!len || *len == 0)
    return usage(fmt::format("'{}' is not a mask (a dotted mask or a prefix length 1..{})", v, max));
  return static_cast<std::uint8_t>(*len);
}

Result<std::uint8_t> parse_netsh_protocol(std::string_view v) {
  if (auto n = str::parse_uint(v)) {
    if (*n > 255) return usage(fmt::format("protocol {} is outside 0..255", *n));
    return static_cast<std::uint8_t>(*n);
  }
  static constexpr std::array<std::string_view, 5> kNames{"ANY", "ICMP", "TCP", "UDP", "RAW"};
  static constexpr std::array<std::uint8_t, 5> kNumbers{0, 1, 6, 17, 255};
  auto i = match_netsh_keyword(v, kNames, "protocol");
  if (!i) return i.error();
  return kNumbers[*i];
}

Result<std::uint16_t> parse_netsh_port(std::string_view v) {
  auto n = parse_netsh_uint(v, 0, 65535);
  if (!n) return usage(fmt::format("'{}' is not a port (0..65535, 0 = any)", v));
  return static_cast<std::uint16_t>(*n);
}

Result<AuthMethod> parse_netsh_rootca(std::string_view v) {
  AuthMethod m;
  m.kind = AuthKind::cert;
  auto ws = str::split(v, " \t", true);
  bool have_map = false, have_exclude = false;
  while (!ws.empty()) {
    const auto w = ws.back();
    const bool map = str::istarts_with(w, "certmap:");
    const bool excl = str::istarts_with(w, "excludecaname:");
    if (!map && !excl) break;
    if ((map && have_map) || (excl && have_exclude))
      return usage(fmt::format("'{}' is given twice", map ? "certmap" : "excludecaname"));
    auto b = parse_netsh_bool(w.substr(w.find(':') + 1));
    if (!b) return usage(fmt::format("'{}': {}", w, b.error().message));
    (map ? m.cert_map : m.exclude_ca_name) = *b;
    (map ? have_map : have_exclude) = true;
    ws.pop_back();
  }
  if (ws.empty()) return usage("a root CA name (X.500 distinguished name) is required");
  // The DN is the text up to the options, blanks inside it kept as written.
  const auto* begin = ws.front().data();
  const auto* end = ws.back().data() + ws.back().size();
  std::string_view dn(begin, static_cast<std::size_t>(end - begin));
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\' && i + 1 < dn.size() && dn[i + 1] == '\'') {
      m.ca.push_back('"');
      ++i;
    } else {
      m.ca.push_back(dn[i]);
    }
  }
  return m;
}

Result<AuthMethod> parse_netsh_psk(std::string_view v) {
  if (v.empty()) return usage("preshared key indicated, but not supplied");
  AuthMethod m;
  m.kind = AuthKind::psk;
  m.psk = std::string(v);
  return m;
}

}  // namespace ipseckit::policy
