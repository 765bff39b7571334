// Windows' defaults and built-in policies (windows-cli.md §1.4, §5; polstore reginit.c,
// rasman offers.c).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/model.h"

namespace ipseckit::policy {

// ipsecpol/ipseccmd -n default: ESP[3DES,SHA] ESP[3DES,MD5] ESP[DES,SHA] ESP[DES,MD5].
std::vector<QmOffer> default_ipsecpol_qm_offers();
// ipsecpol -1s default and every built-in policy: 3DES-SHA-2 3DES-MD5-2 DES-SHA-1 DES-MD5-1,
// 480 minutes, no QM limit.
std::vector<MmOffer> default_mm_offers();
// netsh add policy mmsecmethods default: 3DES-SHA1-2 3DES-MD5-2 3DES-SHA1-3 (group "3" is
// Windows' DH2048 = group 14 here).
std::vector<MmOffer> default_netsh_mm_offers();
// netsh add filteraction qmsecmethods default: ESP[3DES,SHA1] ESP[3DES,MD5].
std::vector<QmOffer> default_netsh_qm_offers();
// The default response rule's offers: ESP 3DES/SHA1, 3DES/MD5, DES/SHA1, DES/MD5, AH SHA1, AH MD5.
std::vector<QmOffer> default_response_offers();
DefaultResponseRule default_response_rule();

// A new, empty policy as ipsecpol -w/netsh add policy create it: poll 180 min, default main
// mode offers, the default response rule (Kerberos), changed = now. Its id is left empty:
// callers assign one (the policy library does not link the CSPRNG).
Policy new_policy(std::string name);

// The three Windows 2000 example policies with their filter lists ("All IP Traffic",
// "All ICMP Traffic") and filter actions ("Permit", "Request Security (Optional)",
// "Require Security"); netsh "restorepolicyexamples release=win2k".
PolicySet builtin_policies();
inline constexpr const char* kBuiltinClient = "Client (Respond Only)";
inline constexpr const char* kBuiltinServer = "Server (Request Security)";
inline constexpr const char* kBuiltinSecureServer = "Secure Server (Require Security)";

// The automatic L2TP/IPsec policy that RAS plumbs (KB 248750, rasman rasipsec.c/offers.c).
enum class L2tpRole { server, client };
enum class L2tpEncryption { require, optional, require_max, none };
struct L2tpPolicyOptions {
  L2tpRole role = L2tpRole::server;
  L2tpEncryption encryption = L2tpEncryption::require;
  std::optional<wire::IpAddr> server;  // client side: the LNS address (else any)
  std::vector<AuthMethod> auth;        // empty: certificates from any CA (Windows 2000)
};
PolicySet l2tp_policy(const L2tpPolicyOptions& opt);
std::vector<QmOffer> l2tp_qm_offers(L2tpEncryption e);
std::string l2tp_qm_policy_name(L2tpEncryption e);
inline constexpr const char* kL2tpPolicyName = "L2TP/IPsec (automatic)";

}  // namespace ipseckit::policy
