// The ipsecpol/ipseccmd AuthMethodList, -a (windows-cli.md §1.7; XP text2spd.cpp
// TextToOakleyAuth).
//
//   auth := PRESHARE:"key" | KERBEROS | CERT:"CA distinguished name" | CERT
//
// Only the first letter of the method counts (P, K, C; case-insensitive), the value follows
// the first ':'. A leading '"' and the last '"' after it are stripped from the key / CA name
// (the shell or cmd.exe usually removed them already); the key is case-sensitive.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/model.h"

namespace ipseckit::policy {

Result<AuthMethod> parse_auth_method(std::string_view text, int position = -1);

// The argv word that parses back to `a`: "KERBEROS", "CERT", "CERT:<ca>", "PRESHARE:<key>"
// (quotes are added around the value only when it begins with '"', so that stripping leaves
// it intact). With include_psk false a pre-shared key is written as "(hidden)"; a key held
// only in the store (psk_ref) is also "(hidden)".
std::string format_auth_method(const AuthMethod& a, bool include_psk);

}  // namespace ipseckit::policy
