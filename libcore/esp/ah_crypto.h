// The authenticator of one AH SA direction (RFC 4302 §3.3.3): HMAC-*-N, or AES-GMAC
// (RFC 4543 §4), whose 8-byte IV is carried at the start of the AH ICV field, in front of the
// 16-byte tag.
//
// The caller assembles the covered data as pieces: the IP header(s) with mutable fields zeroed,
// the AH header with its authenticator zeroed (a GMAC IV stays in place), the rest of the packet,
// and, with ESN, the implicit high 32 bits of the sequence number (RFC 4302 §2.5.1, §3.3.2.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/aead.h"
#include "crypto/aead_hmac.h"
#include "esp/suite.h"

namespace ipseckit::esp {

class AhCrypto {
 public:
  static Result<AhCrypto> create(const AhSuite& suite, ByteView keymat);

  const AhSuite& suite() const { return m_suite; }
  std::size_t iv_size() const { return m_suite.gmac ? crypto::AesGcm::kIvSize : 0; }
  std::size_t tag_size() const { return m_suite.icv - iv_size(); }
  // Writes tag_size() bytes. iv: the GMAC IV (empty for HMAC).
  bool authenticate(ByteView iv, std::span<const ByteView> pieces, std::span<std::uint8_t> tag);
  // Constant-time check of a received tag.
  bool check(ByteView iv, std::span<const ByteView> pieces, ByteView tag);

 private:
  AhCrypto(AhSuite suite, std::optional<crypto::AesGcm> gmac, std::optional<crypto::IcvHmac> hmac)
      : m_suite(suite), m_gmac(std::move(gmac)), m_hmac(std::move(hmac)) {}
  AhSuite m_suite;
  std::optional<crypto::AesGcm> m_gmac;
  std::optional<crypto::IcvHmac> m_hmac;
};

}  // namespace ipseckit::esp
