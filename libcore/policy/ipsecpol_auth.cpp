#include "policy/ipsecpol_auth.h"

#include <fmt/format.h>

#include <cctype>

#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

// "\"abc\"" -> "abc"; "\"abc" -> "abc"; "abc" -> "abc" (TextToOakleyAuth's fix-up).
std::string strip_quotes(std::string_view v) {
  if (v.empty() || v.front() != '"') return std::string(v);
  v.remove_prefix(1);
  if (auto q = v.rfind('"'); q != std::string_view::npos) v = v.substr(0, q);
  return std::string(v);
}

// Wraps a value in quotes when stripping would otherwise change it.
std::string protect(const std::string& v) {
  if (!v.empty() && v.front() == '"') return "\"" + v + "\"";
  return v;
}

}  // namespace

Result<AuthMethod> parse_auth_method(std::string_view text, int position) {
  const auto colon = text.find(':');
  const auto method = text.substr(0, colon);
  const std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  const char first =
      method.empty() ? '\0' : static_cast<char>(std::tolower(static_cast<unsigned char>(method.front())));
  AuthMethod a;
  switch (first) {
    case 'p': {
      a.kind = AuthKind::psk;
      a.psk = strip_quotes(value);
      // Windows: no value -> 0x11; an empty quoted key ("") fails later in its
      // MultiByteToWideChar step (0x13). Both are a missing key here.
      if (a.psk.empty()) {
        return t2p_error(
            T2p::no_preshared_key,
            fmt::format("Preshared key indicated, but not supplied: {} (write PRESHARE:\"key\")", cite(text, position)),
            position);
      }
      return a;
    }
    case 'k':
      a.kind = AuthKind::kerberos;  // anything after the first letter is ignored, as in Windows
      return a;
    case 'c':
      a.kind = AuthKind::cert;
      a.ca = strip_quotes(value);  // empty: any CA
      return a;
    default:
      return t2p_error(T2p::invalid_auth_method,
                       fmt::format("invalid or unsupported authentication method {}: use PRESHARE:\"key\", KERBEROS "
                                   "or CERT:\"CA name\"",
                                   cite(text, position)),
                       position);
  }
}

std::string format_auth_method(const AuthMethod& a, bool include_psk) {
  switch (a.kind) {
    case AuthKind::kerberos:
      return "KERBEROS";
    case AuthKind::cert:
      return a.ca.empty() ? std::string("CERT") : "CERT:" + protect(a.ca);
    case AuthKind::psk:
      if (!include_psk || a.psk.empty()) return "PRESHARE:(hidden)";
      return "PRESHARE:" + protect(a.psk);
  }
  return "KERBEROS";
}

}  // namespace ipseckit::policy
