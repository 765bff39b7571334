// The algorithm facts of an ESP transform or an AH integrity algorithm (the policy model's
// enums, policy/algorithms.h): key material layout, IV, block and ICV sizes, and the rules
// that say which combinations are valid.
//
// Key material (as IKEv1's KEYMAT is cut, RFC 2409 §5.5): the encryption key first, then the
// integrity key. AES-GCM (RFC 4106 §8.1) and AES-GMAC (RFC 4543 §3.2/§4) take key || salt.
//
//   transform                       key bytes         IV   block  ICV
//   NULL (RFC 2410)                  0                 0     4     -
//   DES-CBC (RFC 2405)               8                 8     8     -
//   3DES-CBC (RFC 2451)              24                8     8     -
//   AES-CBC (RFC 3602)               16/24/32          16    16    -
//   AES-GCM-16 (RFC 4106)            16/24/32 + 4      8     4     16
//   AES-GMAC (RFC 4543), ESP or AH   16/24/32 + 4      8     4     16
//   HMAC-MD5-96 (RFC 2403)           16                            12
//   HMAC-SHA1-96 (RFC 2404)          20                            12
//   HMAC-SHA-256-128 (RFC 4868)      32                            16
//   HMAC-SHA-384-192 (RFC 4868)      48                            24
//   HMAC-SHA-512-256 (RFC 4868)      64                            32
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "policy/algorithms.h"
#include "policy/model.h"

namespace ipseckit::esp {

enum class CipherKind : std::uint8_t { null, cbc, gcm, gmac };

struct EspSuite {
  policy::EspTransform transform;
  CipherKind kind = CipherKind::null;
  std::size_t enc_key = 0;    // bytes of encryption key material (salt included for GCM/GMAC)
  std::size_t auth_key = 0;   // bytes of integrity key material (0 for GCM and GMAC)
  std::size_t iv = 0;         // explicit IV on the wire
  std::size_t block = 4;      // alignment of payload + trailer (at least 4)
  std::size_t icv = 0;        // ICV bytes on the wire
  bool integrity() const { return icv > 0; }
  std::size_t keymat() const { return enc_key + auth_key; }
};

struct AhSuite {
  policy::Integrity integrity = policy::Integrity::sha1;
  bool gmac = false;
  std::size_t key = 0;        // key material (salt included for GMAC)
  std::size_t icv = 0;        // authenticator bytes (for GMAC: 8-byte IV + 16-byte tag)
};

// Fails (code "config") for combinations RFC 4303/4106/4543 do not define: GCM with a separate
// integrity algorithm, GMAC with a cipher, or neither encryption nor integrity (§3.2).
Result<EspSuite> esp_suite(const policy::EspTransform& t);
Result<AhSuite> ah_suite(policy::Integrity i);

// "aes-128-cbc/hmac-sha1-96", "aes-128-gcm-16", "null/aes-128-gmac", "ah/hmac-sha1-96".
std::string describe(const EspSuite& s);
std::string describe(const AhSuite& s);

}  // namespace ipseckit::esp
