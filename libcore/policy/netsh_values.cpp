// Booleans, numbers and the two security-method grammars (mmsecmethods, qmsecmethods).
#include "policy/netsh_values.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ipseckit::policy {
namespace {

Error usage(std::string msg) {
  return Error::make("usage", std::move(msg));
}

std::vector<std::string_view> words(std::string_view v) {
  return str::split(v, " \t", true);
}

// ------------------------------------------------------------------ main mode

bool mm_cipher_ok(Cipher c) {
  return c == Cipher::des || c == Cipher::des3 || c == Cipher::aes128 || c == Cipher::aes192 || c == Cipher::aes256;
}
bool mm_hash_ok(Integrity i) {
  return i == Integrity::md5 || i == Integrity::sha1 || i == Integrity::sha256 || i == Integrity::sha384;
}

Result<DhGroup> mm_group(std::string_view g, std::string_view method) {
  // Windows' groups 1 (768-bit), 2 (1024-bit) and 3 ("DH2048", its 2048-bit MODP group =
  // IANA 14), plus the IANA numbers later Windows accepts.
  auto n = str::parse_uint(g, 1000);
  if (n && *n == 3) return DhGroup::modp2048;
  if (n && *n != 5)
    if (auto d = dh_group_from_number(*n)) return *d;
  return usage(
      fmt::format("'{}': unknown Diffie-Hellman group '{}' (expected 1, 2, 3, 14, 15, 16, 19, 20 or 24)", method, g));
}

Result<MmOffer> mm_method(std::string_view m) {
  auto parts = str::split(m, "-");
  if (parts.size() != 3)
    return usage(fmt::format("'{}' is not a main-mode method (expected Conf-Hash-Group, e.g. 3DES-SHA1-2)", m));
  MmOffer o;
  o.lifetime_seconds = 480 * 60;
  bool have_cipher = false, have_hash = false;
  for (std::size_t i = 0; i < 2; ++i) {
    auto c = cipher_from_windows(parts[i]);
    auto h = integrity_from_windows(parts[i]);
    if (c && mm_cipher_ok(*c) && !have_cipher) {
      o.cipher = *c;
      have_cipher = true;
    } else if (h && mm_hash_ok(*h) && !have_hash) {
      o.hash = *h;
      have_hash = true;
    } else {
      return usage(
          fmt::format("'{}': '{}' is not a usable {} (encryption DES, 3DES, AES128, AES192, AES256; "
                      "hash MD5, SHA1, SHA256, SHA384)",
                      m, parts[i],
                      have_cipher ? "hash"
                      : have_hash ? "encryption"
                                  : "encryption or hash"));
    }
  }
  auto g = mm_group(parts[2], m);
  if (!g) return g.error();
  o.group = *g;
  return o;
}

// ------------------------------------------------------------------ quick mode

// "ESP[a,b]" or "AH[h]" into the offer; each protocol at most once per offer.
Status qm_proto(std::string_view p, std::string_view offer, QmOffer& o) {
  const auto open = p.find('[');
  if (open == std::string_view::npos || p.empty() || p.back() != ']')
    return usage(fmt::format("'{}': '{}' is not ESP[Conf,Auth] or AH[Hash]", offer, p));
  const auto name = p.substr(0, open);
  const auto inner = p.substr(open + 1, p.size() - open - 2);
  if (str::iequals(name, "AH")) {
    if (o.ah) return usage(fmt::format("'{}': AH given twice", offer));
    auto h = integrity_from_windows(inner);
    if (!h || *h == Integrity::none)
      return usage(fmt::format("'{}': '{}' is not an AH hash (MD5, SHA1, SHA256, SHA384, SHA512, AES-GMAC128...)",
                               offer, inner));
    o.ah = *h;
    return {};
  }
  if (!str::iequals(name, "ESP")) return usage(fmt::format("'{}': '{}' is neither ESP nor AH", offer, name));
  if (o.esp) return usage(fmt::format("'{}': ESP given twice", offer));
  auto algs = str::split(inner, ",");
  if (algs.size() != 2) return usage(fmt::format("'{}': ESP needs an encryption and an integrity algorithm", offer));
  EspTransform t{Cipher::none, Integrity::none};
  bool have_cipher = false, have_integrity = false;
  for (auto a : algs) {
    a = str::trim(a);
    if (str::iequals(a, "None") || str::iequals(a, "NULL")) continue;
    auto c = cipher_from_windows(a);
    auto i = integrity_from_windows(a);
    if (c && !have_cipher) {
      t.cipher = *c;
      have_cipher = true;
    } else if (i && !have_integrity) {
      t.integrity = *i;
      have_integrity = true;
    } else if (c || i) {
      return usage(fmt::format("'{}': two {} algorithms", offer, c ? "encryption" : "integrity"));
    } else {
      return usage(fmt::format("'{}': unknown algorithm '{}'", offer, a));
    }
  }
  if (!have_cipher && !have_integrity)
    return usage(fmt::format("'{}': ESP with no encryption and no integrity is not allowed", offer));
  if (is_aead(t.cipher) && t.integrity != Integrity::none)
    return usage(fmt::format("'{}': {} provides its own integrity; give None as the integrity algorithm", offer,
                             windows_name(t.cipher)));
  o.esp = t;
  return {};
}

// "<n>K" or "<n>S" into the offer.
Status qm_life(std::string_view l, std::string_view offer, QmOffer& o) {
  if (l.size() < 2) return usage(fmt::format("'{}': '{}' is not a lifetime (<n>K or <n>S)", offer, l));
  const char unit = l.back();
  auto n = str::parse_uint(l.substr(0, l.size() - 1));
  if (!n || (unit != 'k' && unit != 'K' && unit != 's' && unit != 'S'))
    return usage(fmt::format("'{}': '{}' is not a lifetime (<n>K or <n>S)", offer, l));
  const bool kb = unit == 'k' || unit == 'K';
  auto& field = kb ? o.lifetime_kbytes : o.lifetime_seconds;
  if (field != 0) return usage(fmt::format("'{}': the {} lifetime is given twice", offer, kb ? "KB" : "seconds"));
  const std::uint64_t min = kb ? kNetshMinQmKbytes : kNetshMinQmSeconds;
  if (*n < min || *n > kNetshMaxQmLifetime)
    return usage(
        fmt::format("'{}': lifetime {} {} is outside {}..{} (quick-mode lifetimes are at least 20480 KB "
                    "and 300 seconds)",
                    offer, *n, kb ? "KB" : "s", min, kNetshMaxQmLifetime));
  field = static_cast<std::uint32_t>(*n);
  return {};
}

Result<QmOffer> qm_offer(std::string_view s) {
  QmOffer o;
  std::string_view body = s;
  const auto close = s.rfind(']');
  if (close != std::string_view::npos && close + 1 < s.size()) {
    if (s[close + 1] != ':' || close + 2 >= s.size())
      return usage(fmt::format("'{}': lifetimes follow a ':' (e.g. ESP[3DES,SHA1]:100000K/3600S)", s));
    body = s.substr(0, close + 1);
    for (auto l : str::split(s.substr(close + 2), "/")) IPSECKIT_TRY(qm_life(l, s, o));
  }
  auto protos = str::split(body, "+");
  if (protos.size() > 2) return usage(fmt::format("'{}': at most AH+ESP in one offer", s));
  for (auto p : protos) IPSECKIT_TRY(qm_proto(p, s, o));
  return o;
}

}  // namespace

Result<bool> parse_netsh_bool(std::string_view v) {
  if (str::iequals(v, "yes") || str::iequals(v, "y")) return true;
  if (str::iequals(v, "no") || str::iequals(v, "n")) return false;
  return usage(fmt::format("'{}' is not yes or no", v));
}

Result<std::uint64_t> parse_netsh_uint(std::string_view v, std::uint64_t min, std::uint64_t max) {
  auto n = str::parse_uint(v);
  if (!n) return usage(fmt::format("'{}' is not a number", v));
  if (*n < min || *n > max) return usage(fmt::format("{} is outside {}..{}", *n, min, max));
  return *n;
}

Result<std::vector<MmOffer>> parse_netsh_mm_methods(std::string_view v) {
  std::vector<MmOffer> out;
  for (auto w : words(v)) {
    auto o = mm_method(w);
    if (!o) return o.error();
    out.push_back(*o);
  }
  if (out.empty()) return usage("no main-mode security method given");
  if (out.size() > kNetshMaxMmOffers)
    return usage(fmt::format("{} main-mode methods; at most {} are allowed", out.size(), kNetshMaxMmOffers));
  return out;
}

Result<std::vector<QmOffer>> parse_netsh_qm_methods(std::string_view v) {
  std::vector<QmOffer> out;
  for (auto w : words(v)) {
    auto o = qm_offer(w);
    if (!o) return o.error();
    out.push_back(*o);
  }
  if (out.empty()) return usage("no quick-mode security method given");
  if (out.size() > kNetshMaxQmOffers)
    return usage(fmt::format("{} quick-mode methods; at most {} are allowed", out.size(), kNetshMaxQmOffers));
  return out;
}

}  // namespace ipseckit::policy
