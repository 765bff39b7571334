// The cryptographic transform of one ESP SA direction: cipher and integrity contexts built
// once from the suite and key material, then applied in place to packets.
//
// Both calls work on the ESP packet `esp` = SPI | Seq | IV | Payload+Padding+PadLen+NextHdr | ICV
// (RFC 4303 §2), already framed by the caller (lengths valid for the suite):
//   * seal(): the header, IV and plaintext are in place; encrypts and writes the ICV.
//   * verify_and_decrypt(): checks the ICV (constant time) and only then decrypts in place.
// seq_hi is the high half of the 64-bit sequence number when ESN is in use: it is covered by
// the ICV (RFC 4303 §2.2.1 and §3.3.2.2), and by the AAD for GCM (RFC 4106 §5) and GMAC
// (RFC 4543 §3.3), but never sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/aead.h"
#include "crypto/aead_hmac.h"
#include "crypto/cipher.h"
#include "esp/suite.h"

namespace ipseckit::esp {

enum class OpenResult : std::uint8_t { ok, auth_failed, decrypt_failed };

class EspCrypto {
 public:
  // keymat: suite.keymat() bytes (encryption key first, then the integrity key).
  static Result<EspCrypto> create(const EspSuite& suite, ByteView keymat);

  const EspSuite& suite() const { return m_suite; }
  bool seal(std::span<std::uint8_t> esp, bool esn, std::uint32_t seq_hi);
  OpenResult verify_and_decrypt(std::span<std::uint8_t> esp, bool esn, std::uint32_t seq_hi);

 private:
  EspCrypto(EspSuite suite, std::optional<crypto::CbcCipher> cbc, std::optional<crypto::AesGcm> gcm,
            std::optional<crypto::IcvHmac> hmac);
  // The AAD of GCM/GMAC: SPI || [seq_hi] || seq (RFC 4106 §5), written into buf.
  static ByteView aad(ByteView esp, bool esn, std::uint32_t seq_hi, std::uint8_t (&buf)[12]);

  EspSuite m_suite;
  std::optional<crypto::CbcCipher> m_cbc;
  std::optional<crypto::AesGcm> m_gcm;
  std::optional<crypto::IcvHmac> m_hmac;
};

}  // namespace ipseckit::esp
