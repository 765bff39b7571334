#include "policy/algorithms.h"

#include <array>
#include <utility>

#include "base/strings.h"

namespace ipseckit::policy {
namespace {

struct CipherName {
  Cipher c;
  std::string_view json;
  std::string_view win;
};
constexpr std::array<CipherName, 9> kCiphers{{
    {Cipher::none, "null", "None"},
    {Cipher::des, "des-cbc", "DES"},
    {Cipher::des3, "3des-cbc", "3DES"},
    {Cipher::aes128, "aes-128-cbc", "AES128"},
    {Cipher::aes192, "aes-192-cbc", "AES192"},
    {Cipher::aes256, "aes-256-cbc", "AES256"},
    {Cipher::aes_gcm128, "aes-128-gcm", "AES-GCM128"},
    {Cipher::aes_gcm192, "aes-192-gcm", "AES-GCM192"},
    {Cipher::aes_gcm256, "aes-256-gcm", "AES-GCM256"},
}};

struct IntegrityName {
  Integrity i;
  std::string_view json;
  std::string_view win;
};
constexpr std::array<IntegrityName, 9> kIntegrity{{
    {Integrity::none, "none", "None"},
    {Integrity::md5, "md5", "MD5"},
    {Integrity::sha1, "sha1", "SHA1"},
    {Integrity::sha256, "sha256", "SHA256"},
    {Integrity::sha384, "sha384", "SHA384"},
    {Integrity::sha512, "sha512", "SHA512"},
    {Integrity::aes_gmac128, "aes-128-gmac", "AES-GMAC128"},
    {Integrity::aes_gmac192, "aes-192-gmac", "AES-GMAC192"},
    {Integrity::aes_gmac256, "aes-256-gmac", "AES-GMAC256"},
}};

}  // namespace

bool is_aead(Cipher c) { return c == Cipher::aes_gcm128 || c == Cipher::aes_gcm192 || c == Cipher::aes_gcm256; }
bool is_gmac(Integrity i) {
  return i == Integrity::aes_gmac128 || i == Integrity::aes_gmac192 || i == Integrity::aes_gmac256;
}
bool is_weak(Cipher c) { return c == Cipher::des || c == Cipher::des3; }
bool is_weak(Integrity i) { return i == Integrity::md5 || i == Integrity::sha1; }
bool is_weak(DhGroup g) { return g == DhGroup::modp768 || g == DhGroup::modp1024 || g == DhGroup::modp1536; }

std::string_view json_name(Cipher c) {
  for (const auto& n : kCiphers)
    if (n.c == c) return n.json;
  return "<unknown>";
}
std::string_view json_name(Integrity i) {
  for (const auto& n : kIntegrity)
    if (n.i == i) return n.json;
  return "<unknown>";
}
std::string_view windows_name(Cipher c) {
  for (const auto& n : kCiphers)
    if (n.c == c) return n.win;
  return "<unknown>";
}
std::string_view windows_name(Integrity i) {
  for (const auto& n : kIntegrity)
    if (n.i == i) return n.win;
  return "<unknown>";
}

std::optional<Cipher> cipher_from_json(std::string_view s) {
  for (const auto& n : kCiphers)
    if (n.json == s) return n.c;
  return std::nullopt;
}
std::optional<Integrity> integrity_from_json(std::string_view s) {
  for (const auto& n : kIntegrity)
    if (n.json == s) return n.i;
  return std::nullopt;
}

std::optional<Cipher> cipher_from_windows(std::string_view s) {
  if (str::iequals(s, "NULL")) return Cipher::none;
  for (const auto& n : kCiphers) {
    if (str::iequals(s, n.win)) return n.c;
    // "AESGCM128" as well as "AES-GCM128"
    std::string nodash;
    for (char ch : n.win)
      if (ch != '-') nodash.push_back(ch);
    if (str::iequals(s, nodash)) return n.c;
  }
  return std::nullopt;
}

std::optional<Integrity> integrity_from_windows(std::string_view s) {
  if (str::iequals(s, "SHA")) return Integrity::sha1;
  for (const auto& n : kIntegrity) {
    if (str::iequals(s, n.win)) return n.i;
    std::string nodash;
    for (char ch : n.win)
      if (ch != '-') nodash.push_back(ch);
    if (str::iequals(s, nodash)) return n.i;
  }
  return std::nullopt;
}

std::optional<DhGroup> dh_group_from_number(std::uint64_t n) {
  switch (n) {
    case 1: case 2: case 5: case 14: case 15: case 16: case 19: case 20: case 24:
      return static_cast<DhGroup>(n);
    default:
      return std::nullopt;
  }
}

std::string dh_group_name(DhGroup g) {
  switch (g) {
    case DhGroup::none: return "none";
    case DhGroup::modp768: return "modp768";
    case DhGroup::modp1024: return "modp1024";
    case DhGroup::modp1536: return "modp1536";
    case DhGroup::modp2048: return "modp2048";
    case DhGroup::modp3072: return "modp3072";
    case DhGroup::modp4096: return "modp4096";
    case DhGroup::ecp256: return "ecp256";
    case DhGroup::ecp384: return "ecp384";
    case DhGroup::modp2048s256: return "modp2048s256";
  }
  return "<unknown:" + std::to_string(static_cast<unsigned>(g)) + ">";
}

}  // namespace ipseckit::policy
