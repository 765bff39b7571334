// Algorithm identifiers of the policy model, with the names Windows' grammars use.
// Windows 2000: DES, 3DES, MD5, SHA(1), DH groups 1-2. Later Windows adds AES128/192/256,
// AES-GCM, SHA256/384/512 and DH groups 14, 15, 16, 19, 20, 24; all are accepted in the same
// grammars. Each enum has a constexpr name table; unknown values print as "<unknown:N>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipseckit::policy {

enum class Cipher : std::uint8_t {
  none,        // ESP with NULL encryption (RFC 2410)
  des,         // legacy, only when a policy names it
  des3,        // 3DES
  aes128, aes192, aes256,            // AES-CBC (RFC 3602)
  aes_gcm128, aes_gcm192, aes_gcm256 // AES-GCM (RFC 4106): combined mode, no separate integrity
};

enum class Integrity : std::uint8_t {
  none,
  md5, sha1, sha256, sha384, sha512,          // HMAC-*-96 / RFC 4868 in ESP/AH; hash/PRF in IKE
  aes_gmac128, aes_gmac192, aes_gmac256        // AES-GMAC (RFC 4543), ESP/AH integrity only
};

// IKE Diffie-Hellman groups by IANA number.
enum class DhGroup : std::uint16_t {
  none = 0,
  modp768 = 1, modp1024 = 2, modp1536 = 5, modp2048 = 14, modp3072 = 15, modp4096 = 16,
  ecp256 = 19, ecp384 = 20, modp2048s256 = 24
};

bool is_aead(Cipher c);
bool is_gmac(Integrity i);
// Weak by today's standards (RFC 8221/9395): flagged by `ipsecpol check`.
bool is_weak(Cipher c);
bool is_weak(Integrity i);
bool is_weak(DhGroup g);

// Canonical lower-case names used by JSON and --json output: "3des-cbc", "aes-128-cbc",
// "aes-128-gcm", "null"; "md5", "sha1", "sha256", "aes-128-gmac", "none".
std::string_view json_name(Cipher c);
std::string_view json_name(Integrity i);
std::optional<Cipher> cipher_from_json(std::string_view s);
std::optional<Integrity> integrity_from_json(std::string_view s);

// Windows spellings as ipseccmd/netsh print them: "3DES", "DES", "AES128", "AES-GCM128",
// "None"; "MD5", "SHA1", "SHA256", "AES-GMAC128", "None".
std::string_view windows_name(Cipher c);
std::string_view windows_name(Integrity i);
// Case-insensitive Windows spellings: DES 3DES AES128 AES192 AES256 AES-GCM128 AESGCM128
// ... NONE / NULL; MD5 SHA SHA1 SHA256 SHA384 SHA512 AES-GMAC128 ... NONE.
std::optional<Cipher> cipher_from_windows(std::string_view s);
std::optional<Integrity> integrity_from_windows(std::string_view s);

// DH group numbers valid for IKE here (1, 2, 5, 14, 15, 16, 19, 20, 24).
std::optional<DhGroup> dh_group_from_number(std::uint64_t n);
std::string dh_group_name(DhGroup g);  // "modp1024", "ecp256", ...; "<unknown:N>"

}  // namespace ipseckit::policy
