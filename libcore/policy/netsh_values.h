// Value grammars of `netsh ipsec static` (windows-cli.md §2.2; nshipsec parser_util.cpp).
// Every function returns the model's types or an Error with code "usage" whose message says
// what is wrong with the value (the caller prefixes the line, command and tag).
//
//   bool          yes | no | y | n                                   (case-insensitive)
//   mmsecmethods  method { blank method }, method := Conf-Hash-Group (Conf and Hash in either order)
//                 Conf  DES | 3DES | AES128 | AES192 | AES256
//                 Hash  MD5 | SHA1 (SHA) | SHA256 | SHA384
//                 Group 1 | 2 | 3 | 14 | 15 | 16 | 19 | 20 | 24      at most 20 methods
//                 Windows' group "3" is its 2048-bit MODP group ("DH2048"): IANA group 14 here.
//   qmsecmethods  offer { blank offer }                               at most 50 offers
//                 offer := proto [ "+" proto ] [ ":" life [ "/" life ] ]
//                 proto := "ESP[" alg "," alg "]" | "AH[" Hash "]"   (AH and ESP at most once each)
//                 ESP algs: one cipher (DES 3DES AES128 AES192 AES256 AES-GCM128/192/256 None)
//                 and one integrity (MD5 SHA1 SHA256 SHA384 SHA512 AES-GMAC128/192/256 None), either
//                 order, not None,None; AES-GCM takes integrity None.
//                 life  := <n>K | <n>S, once each: KB 20480..2147483647, seconds 300..2147483647
//   address       me | any | IPv4 | IPv6 | IP/prefix | DNS name       (WINS DNS DHCP GATEWAY refused)
//   mask          dotted IPv4 mask | prefix length 1..32 (1..128 for IPv6)
//   protocol      ANY | ICMP | TCP | UDP | RAW | 0..255
//   port          0..65535 (0 = any)
//   rootca        "<CA DN> [certmap:yes|no] [excludecaname:yes|no]"   \' in the DN stands for "
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "wire/ip_address.h"

namespace ipseckit::policy {

// Resolves a DNS name to its addresses (empty = lookup failed). Injected, so tests and the
// fuzzer never touch the network.
using NetshResolver = std::function<std::vector<wire::IpAddr>(const std::string& name)>;

inline constexpr std::size_t kNetshMaxMmOffers = 20;  // IPSEC_MAX_MM_OFFERS
inline constexpr std::size_t kNetshMaxQmOffers = 50;  // IPSEC_MAX_QM_OFFERS
inline constexpr std::uint32_t kNetshMinQmSeconds = 300;
inline constexpr std::uint32_t kNetshMinQmKbytes = 20480;
inline constexpr std::uint32_t kNetshMaxQmLifetime = 2147483647;

Result<bool> parse_netsh_bool(std::string_view v);
// Decimal in [min, max]; the error states the range.
Result<std::uint64_t> parse_netsh_uint(std::string_view v, std::uint64_t min, std::uint64_t max);

// Main-mode offers with lifetime 480 minutes and no QM limit; `add/set policy` then apply
// mmlifetime, qmpermm and mmpfs to every offer.
Result<std::vector<MmOffer>> parse_netsh_mm_methods(std::string_view v);
// Quick-mode offers without PFS (filter actions apply qmpfs to every offer).
Result<std::vector<QmOffer>> parse_netsh_qm_methods(std::string_view v);

// One address word before its mask is applied and before a DNS name is resolved.
struct NetshAddress {
  AddrKind kind = AddrKind::any;    // me, any, subnet (an IP address), dns
  wire::IpAddr ip;                  // subnet
  std::optional<std::uint8_t> len;  // subnet given as "IP/prefix" (ours beyond Windows)
  std::string name;                 // dns
};
Result<NetshAddress> parse_netsh_address(std::string_view v);
// A mask as a prefix length; `v6` selects the IPv6 range (prefix lengths only).
Result<std::uint8_t> parse_netsh_mask(std::string_view v, bool v6);
Result<std::uint8_t> parse_netsh_protocol(std::string_view v);
Result<std::uint16_t> parse_netsh_port(std::string_view v);

Result<AuthMethod> parse_netsh_rootca(std::string_view v);
Result<AuthMethod> parse_netsh_psk(std::string_view v);

}  // namespace ipseckit::policy
