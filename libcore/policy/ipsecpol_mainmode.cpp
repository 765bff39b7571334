#include "policy/ipsecpol_mainmode.h"

#include <fmt/format.h>

#include <limits>

#include "base/strings.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

constexpr auto kU32Max = std::numeric_limits<std::uint32_t>::max();

std::optional<Cipher> mm_cipher(std::string_view s) {
  auto c = cipher_from_windows(s);
  if (!c || *c == Cipher::none || is_aead(*c)) return std::nullopt;  // IKEv1 needs a CBC cipher
  return c;
}

std::optional<Integrity> mm_hash(std::string_view s) {
  auto h = integrity_from_windows(s);
  if (!h || *h == Integrity::none || is_gmac(*h)) return std::nullopt;
  return h;
}

}  // namespace

Result<MmOffer> parse_mm_offer(std::string_view text, int position) {
  const auto d1 = text.find('-');
  const auto d2 = text.rfind('-');
  if (d1 == std::string_view::npos || d1 == d2) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("main mode offer {} is not Conf-Hash-Group (e.g. 3DES-SHA-2)", cite(text, position)),
                     position);
  }
  const auto f1 = text.substr(0, d1);
  const auto f2 = text.substr(d1 + 1, d2 - d1 - 1);
  const auto grp = text.substr(d2 + 1);
  std::optional<Cipher> cipher = mm_cipher(f1);
  std::optional<Integrity> hash;
  if (!cipher) hash = mm_hash(f1);
  if (!cipher && !hash) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("unknown main mode algorithm \"{}\" in {}: ciphers DES 3DES AES128 AES192 AES256, "
                                 "hashes MD5 SHA SHA1 SHA256 SHA384 SHA512",
                                 f1, cite(text, position)),
                     position);
  }
  bool ok = false;
  if (!cipher) {
    cipher = mm_cipher(f2);
    ok = cipher.has_value();
  } else {
    hash = mm_hash(f2);
    ok = hash.has_value();
  }
  if (!ok) {
    return t2p_error(T2p::dup_algs,
                     fmt::format("main mode offer {} needs one cipher and one hash; \"{}\" is a second one or unknown",
                                 cite(text, position), f2),
                     position);
  }
  if (grp.empty() || grp.front() < '0' || grp.front() > '9') {
    return t2p_error(T2p::p1_group_missing,
                     fmt::format("Oakley group not specified in main mode offer {} (Conf-Hash-Group, e.g. 3DES-SHA-2)",
                                 cite(text, position)),
                     position);
  }
  auto n = str::parse_uint(grp, 0xffff);
  auto g = n ? dh_group_from_number(*n) : std::nullopt;
  if (!g) {
    return t2p_error(T2p::invalid_p1_group,
                     fmt::format("Invalid or unsupported DH group \"{}\" in main mode offer {}: use 1, 2, 5, 14, 15, "
                                 "16, 19, 20 or 24",
                                 grp, cite(text, position)),
                     position);
  }
  return MmOffer{*cipher, *hash, *g, kDefaultMmLifetimeSeconds, 0};
}

Result<MmRekey> parse_mm_rekey(std::string_view text, int position) {
  auto parts = str::split(text, "/");
  MmRekey r;
  if (parts.size() > 2) {
    return t2p_error(
        T2p::general_parse_error,
        fmt::format("phase 1 rekey {} has more than two values; write nQ, nS or nQ/mS", cite(text, position)),
        position);
  }
  for (auto part : parts) {
    const char unit = part.empty() ? '\0' : part.back();
    const bool q = unit == 'q' || unit == 'Q';
    const bool s = unit == 's' || unit == 'S';
    if (!q && !s) {
      return t2p_error(T2p::invalid_p1_rekey_unit,
                       fmt::format("The unit for phase 1 rekey time is invalid: \"{}\" in {}; use Q (quick modes) or "
                                   "S (seconds)",
                                   part, cite(text, position)),
                       position);
    }
    auto n = str::parse_uint(part.substr(0, part.size() - 1), kU32Max);
    if (!n || (q && r.qm_limit) || (s && r.seconds)) {
      return t2p_error(T2p::general_parse_error,
                       fmt::format("phase 1 rekey \"{}\" in {} is not a number followed by Q or S, once each", part,
                                   cite(text, position)),
                       position);
    }
    (q ? r.qm_limit : r.seconds) = static_cast<std::uint32_t>(*n);
  }
  return r;
}

Result<std::uint32_t> parse_soft_sa_expiry(std::string_view text, int position) {
  auto n = str::parse_uint(text, kU32Max);
  if (!n) {
    // Windows: atol(), whatever the text.
    return t2p_error(T2p::general_parse_error,
                     fmt::format("soft SA expiration time {} is not a number of seconds", cite(text, position)),
                     position);
  }
  return static_cast<std::uint32_t>(*n);
}

Result<std::string> format_mm_offer(const MmOffer& o) {
  if (!mm_cipher(windows_name(o.cipher)) || !mm_hash(windows_name(o.hash)) || o.group == DhGroup::none)
    return Error::make("unsupported", "main mode offer -1s cannot express");
  const std::string hash = o.hash == Integrity::sha1 ? "SHA" : str::to_upper(windows_name(o.hash));
  return fmt::format("{}-{}-{}", str::to_upper(windows_name(o.cipher)), hash, static_cast<unsigned>(o.group));
}

}  // namespace ipseckit::policy
