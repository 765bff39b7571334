// FilterSpec grammar; see ipsecpol_filterspec.h. Windows behaviour is described where we
// follow it and where (deliberately) we do not.
#include "policy/ipsecpol_filterspec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/strings.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

bool has_alpha(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Where {
  std::string_view spec;  // the whole filterspec
  int position;
  std::string in() const { return fmt::format("in filter {}", cite(spec, position)); }
};

Result<std::uint8_t> parse_protocol(std::string_view s, const Where& w) {
  // TextToProtocol: an empty protocol (as in "A+B:80:") is atol("") = 0, i.e. any.
  if (s.empty()) return std::uint8_t{0};
  if (std::isalpha(static_cast<unsigned char>(s.front()))) {
    if (str::iequals(s, "ICMP")) return std::uint8_t{1};
    if (str::iequals(s, "TCP")) return std::uint8_t{6};
    if (str::iequals(s, "UDP")) return std::uint8_t{17};
    if (str::iequals(s, "RAW")) return std::uint8_t{255};
  } else if (auto n = str::parse_uint(s, 255)) {
    return static_cast<std::uint8_t>(*n);
  }
  // Windows reads any non-alphabetic protocol with atol() and never complains; a protocol
  // number outside 0..255 is refused here.
  return t2p_error(T2p::invalid_protocol,
                   fmt::format("unsupported protocol \"{}\" {}: use ICMP, UDP, TCP, RAW or a number 0-255", s, w.in()),
                   w.position);
}

Result<std::uint16_t> parse_port(std::string_view s, const Where& w) {
  if (s.empty()) return std::uint16_t{0};  // "A+B::6": the empty port is any
  if (auto n = str::parse_uint(s, 65535)) return static_cast<std::uint16_t>(*n);
  // Windows: (SHORT)atoi(port), silently. We refuse what is not a port.
  return t2p_error(T2p::general_parse_error,
                   fmt::format("invalid port \"{}\" {}: a port is a number 0-65535", s, w.in()), w.position);
}

Result<std::uint8_t> parse_mask(std::string_view s, std::string_view addr, const Where& w) {
  if (all_digits(s)) {
    // Windows feeds the mask to inet_addr(), which reads a bare number as an address:
    // "/24" becomes the mask 0.0.0.24, a filter that matches almost nothing. That is plainly
    // wrong, and silently so; refuse it and say how to write the mask.
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. The mask \"/{}\" of \"{}\" {} is not dotted: "
                                 "ipsecpol masks are written A.B.C.D (e.g. 255.255.255.0), a prefix length is not "
                                 "accepted",
                                 s, addr, w.in()),
                     w.position);
  }
  auto m = wire::IpAddr::parse_v4(s);
  if (!m) {
    return t2p_error(T2p::invalid_addr, fmt::format("Invalid IPv4 notation for address. Bad mask \"{}\" {}", s, w.in()),
                     w.position);
  }
  auto len = wire::mask_to_len(m->v4_value());
  if (!len) {
    // inet_addr takes any mask; a non-contiguous one cannot be a prefix (nor a sane filter).
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. The mask \"{}\" {} is not contiguous", s, w.in()),
                     w.position);
  }
  return *len;
}

// "128.*", "128.*.*", "144.92.*.*", "10.1.2.*": leading decimal octets, then only "*"
// octets; the mask covers the decimal octets.
Result<wire::IpPrefix> parse_star_form(std::string_view s, const Where& w) {
  auto parts = str::split(s, ".");
  std::uint32_t v = 0;
  unsigned numeric = 0;
  bool star_seen = false;
  bool ok = parts.size() <= 4;
  for (std::size_t i = 0; ok && i < parts.size(); ++i) {
    if (parts[i] == "*") {
      star_seen = true;
    } else if (!star_seen) {
      auto n = str::parse_uint(parts[i], 255);
      if (!n || parts[i].size() > 3)
        ok = false;
      else {
        v |= static_cast<std::uint32_t>(*n) << (24 - 8 * numeric);
        ++numeric;
      }
    } else {
      ok = false;  // a number after a star: not octet aligned ("1.*.3.4")
    }
  }
  if (!ok || numeric == 0) {
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. \"{}\" {}: star notation must replace whole "
                                 "trailing octets (128.*, 144.92.*.*)",
                                 s, w.in()),
                     w.position);
  }
  return wire::IpPrefix{wire::IpAddr::v4(v), static_cast<std::uint8_t>(8 * numeric)};
}

Result<Address> resolve_name(const std::string& name, const Resolver& resolver, DnsResolution mode,
                             const std::string& context, int position) {
  if (name.find(':') != std::string::npos) {
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. \"{}\" {}: the ipsecpol grammar has no IPv6 "
                                 "addresses (netsh can express them)",
                                 name, context),
                     position);
  }
  std::vector<wire::IpAddr> v4;
  if (resolver) {
    for (const auto& a : resolver(name))
      if (a.is_v4()) v4.push_back(a);  // gethostbyname: A records only
  }
  if (v4.empty())
    return t2p_error(T2p::dns_lookup_failed, fmt::format("DNS name lookup failed. (\"{}\" {})", name, context),
                     position);
  if (mode == DnsResolution::first) v4.resize(1);
  return Address::dns(name, std::move(v4));
}

// addrpart := addr [/mask] [:port]  (TextToFiltAddr: port after the last ':', mask after
// the last '/').
Result<Address> parse_addr(std::string_view text, std::uint16_t* port, const FilterSpecContext& ctx, const Where& w) {
  std::string_view addr = text;
  if (auto c = addr.rfind(':'); c != std::string_view::npos) {
    if (port == nullptr)
      return t2p_error(T2p::general_parse_error,
                       fmt::format("main-mode filter {} cannot have ports or protocols", cite(w.spec, w.position)),
                       w.position);
    auto p = parse_port(addr.substr(c + 1), w);
    if (!p) return p.error();
    *port = *p;
    addr = addr.substr(0, c);
  }
  std::string_view mask;
  bool has_mask = false;
  if (auto sl = addr.rfind('/'); sl != std::string_view::npos) {
    mask = addr.substr(sl + 1);
    addr = addr.substr(0, sl);
    has_mask = true;
  }
  if (addr.empty()) {
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. An address is missing {}", w.in()), w.position);
  }
  // "0" and "*" by their first character only, exactly as Windows (0.0.0.0 is "me").
  if (addr.front() == '*') return Address::any();
  if (addr.front() == '0') return Address::me();
  if (addr.front() == '{') {
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. \"{}\" {}: interface GUID addresses are an XP "
                                 "feature that is not supported on this platform",
                                 addr, w.in()),
                     w.position);
  }
  if (has_alpha(addr)) {
    // A DNS name: mask ignored, one filter per host (Windows forces 255.255.255.255).
    return resolve_name(std::string(addr), ctx.resolver, ctx.dns, w.in(), w.position);
  }
  wire::IpPrefix prefix;
  if (addr.find('*') != std::string_view::npos) {
    auto p = parse_star_form(addr, w);
    if (!p) return p.error();
    prefix = *p;
  } else {
    // inet_addr also takes "10.1", hex and octal; only the dotted quad is accepted here.
    auto a = wire::IpAddr::parse_v4(addr);
    if (!a) {
      return t2p_error(
          T2p::invalid_addr,
          fmt::format("Invalid IPv4 notation for address. \"{}\" {} is not an A.B.C.D address", addr, w.in()),
          w.position);
    }
    prefix = wire::IpPrefix::host(*a);
  }
  if (has_mask) {  // an explicit mask wins, as in Windows (also over a star form's)
    auto len = parse_mask(mask, addr, w);
    if (!len) return len.error();
    prefix = wire::IpPrefix{prefix.addr.masked(*len), *len};
  }
  return Address::subnet(prefix);
}

}  // namespace

Result<FilterSpec> parse_filterspec(std::string_view text, const FilterSpecContext& ctx) {
  const Where w{text, ctx.position};
  FilterSpec spec;
  spec.text = std::string(text);
  spec.position = ctx.position;
  if (!ctx.main_mode && str::iequals(text, "DEFAULT")) {
    // XP: the default response rule, parsed as "0+0" with the default-response flags.
    spec.is_default = true;
    spec.filter.src = Address::me();
    spec.filter.dst = Address::me();
    spec.filter.mirrored = true;
    return spec;
  }

  std::string_view body = text;
  const bool has_paren = text.find_first_of("()") != std::string_view::npos;
  const bool has_bracket = text.find_first_of("[]") != std::string_view::npos;
  if (ctx.main_mode && (has_paren || has_bracket)) {
    return t2p_error(
        T2p::general_parse_error,
        fmt::format("main-mode filter {} cannot be a pass-through ( ) or block [ ] filter", cite(text, ctx.position)),
        ctx.position);
  }
  if (text.find('(') != std::string_view::npos && text.find(')') == std::string_view::npos) {
    return t2p_error(
        T2p::passthru_not_closed,
        fmt::format("pass-thru filter {} is not closed properly: it must end with ')'", cite(text, ctx.position)),
        ctx.position);
  }
  if (text.find('[') != std::string_view::npos && text.find(']') == std::string_view::npos) {
    return t2p_error(
        T2p::drop_not_closed,
        fmt::format("drop filter {} is not closed properly: it must end with ']'", cite(text, ctx.position)),
        ctx.position);
  }
  if (has_paren || has_bracket) {
    // Windows strips the first and last characters whatever they are; we require the
    // wrapper to enclose the whole filterspec, once.
    const char open = has_paren ? '(' : '[';
    const char close = has_paren ? ')' : ']';
    body = text.size() >= 2 ? text.substr(1, text.size() - 2) : std::string_view{};
    if ((has_paren && has_bracket) || text.front() != open || text.back() != close ||
        body.find_first_of("()[]") != std::string_view::npos) {
      const bool drop = text.front() == '[' || (text.front() != '(' && !has_paren);
      return t2p_error(drop ? T2p::drop_not_closed : T2p::passthru_not_closed,
                       fmt::format("filter {} is not closed properly: a pass-through filter is written (spec), a "
                                   "block filter [spec], around the whole filterspec",
                                   cite(text, ctx.position)),
                       ctx.position);
    }
    spec.action = has_paren ? FilterSpecAction::permit : FilterSpecAction::block;
  }

  const auto sep = body.find_first_of("=+");
  if (sep == std::string_view::npos) {
    return t2p_error(
        T2p::no_src_dest_token,
        fmt::format("source and destination of filter {} are not separated by '=' or '+'", cite(text, ctx.position)),
        ctx.position);
  }
  if (sep + 1 == body.size()) {
    return t2p_error(T2p::no_dest_addr,
                     fmt::format("No destination address specified in filter {}", cite(text, ctx.position)),
                     ctx.position);
  }
  spec.filter.mirrored = body[sep] == '+';
  std::string_view src = body.substr(0, sep);
  std::string_view dst = body.substr(sep + 1);

  std::uint16_t src_port = 0;
  auto s = parse_addr(src, ctx.main_mode ? nullptr : &src_port, ctx, w);
  if (!s) return s.error();

  // Destination: "B", "B:port:proto", "B::proto". A port without a protocol is refused
  // (XP parser, bug 285266: "1.2.3.4:80" alone on the right is an invalid address).
  std::uint16_t dst_port = 0;
  std::uint8_t proto = 0;
  std::string_view dst_addr = dst;
  if (auto c1 = dst.find(':'); c1 != std::string_view::npos) {
    if (ctx.main_mode)
      return t2p_error(T2p::general_parse_error,
                       fmt::format("main-mode filter {} cannot have ports or protocols", cite(text, ctx.position)),
                       ctx.position);
    auto c2 = dst.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      return t2p_error(T2p::invalid_addr,
                       fmt::format("Invalid IPv4 notation for address. The destination \"{}\" {} has a port but no "
                                   "protocol: write {}:PROTOCOL (e.g. :TCP), or {}::PROTOCOL for any port",
                                   dst, w.in(), dst, dst.substr(0, c1)),
                       ctx.position);
    }
    auto p = parse_protocol(dst.substr(c2 + 1), w);
    if (!p) return p.error();
    proto = *p;
    dst_addr = dst.substr(0, c2);
  }
  auto d = parse_addr(dst_addr, ctx.main_mode ? nullptr : &dst_port, ctx, w);
  if (!d) return d.error();

  spec.filter.src = std::move(*s);
  spec.filter.dst = std::move(*d);
  spec.filter.src_port = src_port;
  spec.filter.dst_port = dst_port;
  spec.filter.protocol = proto;
  return spec;
}

Result<Address> parse_tunnel_endpoint(std::string_view text, const Resolver& resolver, int position) {
  // TextToIPAddr: exactly "0" is this host; a word with a letter is a DNS name (first
  // address); otherwise inet_addr. Windows ignores this function's errors (a bad -t becomes
  // an undefined address); they are reported here.
  if (text == "0") return Address::me();
  const std::string context = fmt::format("in tunnel endpoint {}", cite(text, position));
  if (has_alpha(text)) return resolve_name(std::string(text), resolver, DnsResolution::first, context, position);
  auto a = wire::IpAddr::parse_v4(text);
  if (!a) {
    return t2p_error(T2p::invalid_addr,
                     fmt::format("Invalid IPv4 notation for address. The tunnel endpoint {} is not an A.B.C.D "
                                 "address or DNS name",
                                 cite(text, position)),
                     position);
  }
  if (a->is_unspecified()) return Address::me();  // inet_addr("0.0.0.0") == "0"
  return Address::host(*a);
}

std::string format_protocol(std::uint8_t proto) {
  switch (proto) {
    case 1:
      return "ICMP";
    case 6:
      return "TCP";
    case 17:
      return "UDP";
    case 255:
      return "RAW";
    default:
      return std::to_string(proto);
  }
}

Result<std::string> format_filter_address(const Address& a) {
  switch (a.kind) {
    case AddrKind::me:
      return std::string("0");
    case AddrKind::any:
      return std::string("*");
    case AddrKind::subnet: {
      const auto& p = a.prefix;
      if (p.addr.is_v6())
        return Error::make("unsupported", fmt::format("IPv6 address {} (ipsecpol is IPv4 only)", p.str()));
      std::string s = p.addr.str();
      if (s.front() == '0')
        return Error::make("unsupported",
                           fmt::format("address {} starts with 0, which ipsecpol reads as \"me\"", p.str()));
      if (!p.is_host()) s += "/" + wire::mask_str(p.len);
      return s;
    }
    case AddrKind::dns: {
      const auto& n = a.dns_name;
      const bool readable = has_alpha(n) && n.front() != '0' && n.front() != '*' && n.front() != '{' &&
                            n.front() != '-' && n.front() != '/' &&
                            n.find_first_of(":/=+()[] \t\r\n\"") == std::string::npos;
      if (!readable)
        return Error::make("unsupported", fmt::format("DNS name \"{}\" cannot be written in a filterspec", n));
      return n;
    }
  }
  return Error::make("unsupported", "unknown address kind");
}

Result<std::string> format_filterspec(const Filter& f) {
  auto s = format_filter_address(f.src);
  if (!s) return s.error();
  auto d = format_filter_address(f.dst);
  if (!d) return d.error();
  std::string out = *s;
  if (f.src_port) out += ":" + std::to_string(f.src_port);
  out += f.mirrored ? "+" : "=";
  out += *d;
  if (f.dst_port)
    out += ":" + std::to_string(f.dst_port) + ":" + format_protocol(f.protocol);
  else if (f.protocol)
    out += "::" + format_protocol(f.protocol);
  return out;
}

Result<std::string> format_tunnel_endpoint(const Address& a) {
  switch (a.kind) {
    case AddrKind::me:
      return std::string("0");
    case AddrKind::subnet:
      if (a.prefix.addr.is_v4() && a.prefix.is_host() && !a.prefix.addr.is_unspecified()) return a.prefix.addr.str();
      return Error::make("unsupported", fmt::format("tunnel endpoint {} is not one IPv4 address", a.prefix.str()));
    case AddrKind::dns: {
      auto s = format_filter_address(a);
      if (!s) return s.error();
      return *s;
    }
    case AddrKind::any:
      break;
  }
  return Error::make("unsupported", "tunnel endpoint 'any' cannot be written for -t");
}

}  // namespace ipseckit::policy
