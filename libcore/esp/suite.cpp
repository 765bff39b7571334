#include "esp/suite.h"

#include <fmt/format.h>

namespace ipseckit::esp {
namespace {

using policy::Cipher;
using policy::Integrity;

Error bad(std::string msg) { return Error::make("config", std::move(msg)); }

struct HmacFacts {
  std::size_t key = 0;
  std::size_t icv = 0;
  const char* name = "";
};

HmacFacts hmac_facts(Integrity i) {
  switch (i) {
    case Integrity::md5: return {16, 12, "hmac-md5-96"};
    case Integrity::sha1: return {20, 12, "hmac-sha1-96"};
    case Integrity::sha256: return {32, 16, "hmac-sha2-256-128"};
    case Integrity::sha384: return {48, 24, "hmac-sha2-384-192"};
    case Integrity::sha512: return {64, 32, "hmac-sha2-512-256"};
    default: return {};
  }
}

std::size_t gmac_key(Integrity i) {
  switch (i) {
    case Integrity::aes_gmac128: return 16 + 4;
    case Integrity::aes_gmac192: return 24 + 4;
    case Integrity::aes_gmac256: return 32 + 4;
    default: return 0;
  }
}

}  // namespace

Result<EspSuite> esp_suite(const policy::EspTransform& t) {
  EspSuite s;
  s.transform = t;
  const bool gmac = policy::is_gmac(t.integrity);
  switch (t.cipher) {
    case Cipher::none: s.kind = gmac ? CipherKind::gmac : CipherKind::null; break;
    case Cipher::des: s.kind = CipherKind::cbc; s.enc_key = 8; s.iv = 8; s.block = 8; break;
    case Cipher::des3: s.kind = CipherKind::cbc; s.enc_key = 24; s.iv = 8; s.block = 8; break;
    case Cipher::aes128: s.kind = CipherKind::cbc; s.enc_key = 16; s.iv = 16; s.block = 16; break;
    case Cipher::aes192: s.kind = CipherKind::cbc; s.enc_key = 24; s.iv = 16; s.block = 16; break;
    case Cipher::aes256: s.kind = CipherKind::cbc; s.enc_key = 32; s.iv = 16; s.block = 16; break;
    case Cipher::aes_gcm128: s.kind = CipherKind::gcm; s.enc_key = 20; break;
    case Cipher::aes_gcm192: s.kind = CipherKind::gcm; s.enc_key = 28; break;
    case Cipher::aes_gcm256: s.kind = CipherKind::gcm; s.enc_key = 36; break;
    default: return bad(fmt::format("ESP: unknown cipher <unknown:{}>", static_cast<int>(t.cipher)));
  }
  if (s.kind == CipherKind::gcm) {
    // RFC 4106 §1: GCM is a combined mode; "the ESP integrity algorithm ... MUST be none".
    if (t.integrity != Integrity::none)
      return bad(fmt::format("ESP: {} is a combined mode and takes no separate integrity ({})",
                             policy::json_name(t.cipher), policy::json_name(t.integrity)));
    s.iv = 8;
    s.icv = 16;
    return s;
  }
  if (gmac) {
    // RFC 4543 §3: ENCR_NULL_AUTH_AES_GMAC is integrity with NULL encryption only.
    if (t.cipher != Cipher::none)
      return bad(fmt::format("ESP: AES-GMAC provides no confidentiality and cannot be combined with {}",
                             policy::json_name(t.cipher)));
    s.enc_key = gmac_key(t.integrity);
    s.iv = 8;
    s.icv = 16;
    return s;
  }
  if (t.integrity != Integrity::none) {
    const HmacFacts h = hmac_facts(t.integrity);
    if (h.icv == 0) return bad(fmt::format("ESP: unknown integrity <unknown:{}>", static_cast<int>(t.integrity)));
    s.auth_key = h.key;
    s.icv = h.icv;
  }
  // RFC 4303 §3.2: "ESP MUST NOT be configured with NULL encryption and no integrity".
  if (s.kind == CipherKind::null && s.icv == 0) return bad("ESP: neither encryption nor integrity");
  return s;
}

Result<AhSuite> ah_suite(policy::Integrity i) {
  AhSuite s;
  s.integrity = i;
  if (policy::is_gmac(i)) {
    // RFC 4543 §4: the AH ICV field carries the 8-byte IV and the 16-byte GMAC tag.
    s.gmac = true;
    s.key = gmac_key(i);
    s.icv = 8 + 16;
    return s;
  }
  const HmacFacts h = hmac_facts(i);
  if (h.icv == 0) return bad("AH: an integrity algorithm is required");
  s.key = h.key;
  s.icv = h.icv;
  return s;
}

std::string describe(const EspSuite& s) {
  const auto& t = s.transform;
  switch (s.kind) {
    case CipherKind::gcm: return fmt::format("{}-16", policy::json_name(t.cipher));
    case CipherKind::gmac: return fmt::format("null/{}", policy::json_name(t.integrity));
    case CipherKind::null: return fmt::format("null/{}", hmac_facts(t.integrity).name);
    case CipherKind::cbc:
      if (!s.integrity()) return fmt::format("{}/none", policy::json_name(t.cipher));
      return fmt::format("{}/{}", policy::json_name(t.cipher), hmac_facts(t.integrity).name);
  }
  return "?";
}

std::string describe(const AhSuite& s) {
  if (s.gmac) return fmt::format("ah/{}", policy::json_name(s.integrity));
  return fmt::format("ah/{}", hmac_facts(s.integrity).name);
}

}  // namespace ipseckit::esp
