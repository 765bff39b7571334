// The ipsecpol/ipseccmd FilterSpec grammar (windows-cli.md §1.5; XP text2spd.cpp
// TextToFilter/TextToFiltAddr/TextToProtocol/TextToMMFilter).
//
//   filterspec := addrpart sep addrpart [ ":" proto ]      (see the port/protocol rules)
//              | "(" filterspec ")"                          pass-through (permit)
//              | "[" filterspec "]"                          block
//              | "DEFAULT"                                   the default response rule
//   sep        := "=" one way | "+" mirrored
//   addrpart   := addr [ "/" mask ] [ ":" port ]
//   addr       := A.B.C.D | star form (128.*, 144.92.*.*) | "0" me | "*" any | DNS name
//   proto      := ICMP | UDP | TCP | RAW | 0..255
//
// As in Windows: "0" and "*" are recognised by their first character (0.0.0.0 is "me"); a
// word holding any letter is a DNS name, resolved at once (first IPv4 address in dynamic
// mode, every IPv4 address kept in static mode; the mask is then ignored, the filter is per
// host); a protocol must be preceded by a port or by "::"; a destination with a port must
// also name a protocol. Windows' own limits we do not copy are refused with a clear error:
// prefix lengths ("/24", which inet_addr reads as 0.0.0.24), non-contiguous masks, star
// forms that are not octet aligned, and the XP interface-GUID addresses "{GUID}".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "wire/ip_address.h"

namespace ipseckit::policy {

// Resolves a DNS name to its addresses; an empty result means the lookup failed. Injected,
// so tests and fuzzers never touch the network.
using Resolver = std::function<std::vector<wire::IpAddr>(const std::string& name)>;

// How many of a DNS name's addresses a filter keeps: dynamic mode takes the first one
// ("multiple resolutions are ignored"), static mode keeps all of them in Address::dns.
enum class DnsResolution : std::uint8_t { first, all };

// Per-filterspec action override: "( )" pass-through, "[ ]" block, none = the rule's action.
enum class FilterSpecAction : std::uint8_t { none, permit, block };

struct FilterSpecContext {
  Resolver resolver;  // empty: every DNS name fails to resolve
  DnsResolution dns = DnsResolution::first;
  int position = -1;       // argv index for error messages
  bool main_mode = false;  // -1f: no ( ) [ ], no ports, no protocol, no DEFAULT
};

struct FilterSpec {
  std::string text;  // as written
  int position = -1;
  bool is_default = false;  // "DEFAULT" (then filter is me+me)
  FilterSpecAction action = FilterSpecAction::none;
  Filter filter;  // mirrored = '+'; description empty
  friend bool operator==(const FilterSpec&, const FilterSpec&) = default;
};

Result<FilterSpec> parse_filterspec(std::string_view text, const FilterSpecContext& ctx);

// A -t tunnel endpoint: A.B.C.D, a DNS name (first IPv4 address; Windows stores one tunnel
// address), or "0" (this host).
Result<Address> parse_tunnel_endpoint(std::string_view text, const Resolver& resolver, int position);

// The reverse, for exports: "0", "*", "A.B.C.D", "A.B.C.D/M.M.M.M", a DNS name. Fails (with
// the reason) when the ipsecpol grammar cannot express the address: IPv6, a subnet whose
// text would read as "me" (0.x.x.x), a DNS name the parser would not read back as one.
Result<std::string> format_filter_address(const Address& a);
// "src[:port]=dst[:port:proto]" / "+" / "src=dst::proto"; the ( ) [ ] wrappers are not
// added (static mode expresses them with -n PASS / -n BLOCK).
Result<std::string> format_filterspec(const Filter& f);
Result<std::string> format_tunnel_endpoint(const Address& a);
// "ICMP", "TCP", "UDP", "RAW" or the number.
std::string format_protocol(std::uint8_t proto);

}  // namespace ipseckit::policy
