// The IKEv1 pseudo-random functions: "the HMAC version of the negotiated hash" (RFC 2409 4),
// i.e. HMAC-MD5 (RFC 2104), HMAC-SHA1 and HMAC-SHA2-256/384/512 (RFC 4868). Outputs are
// secrets (SKEYID, KEYMAT...) and come back in SecureBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/secure_bytes.h"
#include "crypto/hash.h"

namespace ipseckit::crypto {

enum class PrfAlg : std::uint8_t { hmac_md5, hmac_sha1, hmac_sha256, hmac_sha384, hmac_sha512 };

std::string_view name(PrfAlg a);      // "hmac-md5", "hmac-sha1", ...
HashAlg hash_of(PrfAlg a);
PrfAlg prf_for(HashAlg h);            // the HMAC of a negotiated hash
std::size_t output_size(PrfAlg a);    // 16, 20, 32, 48, 64

class Prf {
 public:
  Prf(PrfAlg alg, ByteView key);
  PrfAlg alg() const { return m_alg; }
  std::size_t size() const { return output_size(m_alg); }
  Prf& update(ByteView data);
  Prf& update(std::uint8_t byte);
  Prf& update_u32be(std::uint32_t v);
  // The output; the Prf is ready for the next message with the same key.
  SecureBytes final();
  static SecureBytes compute(PrfAlg alg, ByteView key, ByteView data);

 private:
  PrfAlg m_alg;
  Hmac m_hmac;
};

}  // namespace ipseckit::crypto
