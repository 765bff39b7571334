#include "esp/esp_crypto.h"

#include <cstring>

#include "wire/esp.h"

namespace ipseckit::esp {
namespace {

using policy::Cipher;
using policy::Integrity;

crypto::CbcAlg cbc_alg(Cipher c) {
  switch (c) {
    case Cipher::des: return crypto::CbcAlg::des;
    case Cipher::des3: return crypto::CbcAlg::des3;
    case Cipher::aes192: return crypto::CbcAlg::aes192;
    case Cipher::aes256: return crypto::CbcAlg::aes256;
    default: return crypto::CbcAlg::aes128;
  }
}

crypto::HashAlg hash_alg(Integrity i) {
  switch (i) {
    case Integrity::md5: return crypto::HashAlg::md5;
    case Integrity::sha256: return crypto::HashAlg::sha256;
    case Integrity::sha384: return crypto::HashAlg::sha384;
    case Integrity::sha512: return crypto::HashAlg::sha512;
    default: return crypto::HashAlg::sha1;
  }
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace

EspCrypto::EspCrypto(EspSuite suite, std::optional<crypto::CbcCipher> cbc, std::optional<crypto::AesGcm> gcm,
                     std::optional<crypto::IcvHmac> hmac)
    : m_suite(suite), m_cbc(std::move(cbc)), m_gcm(std::move(gcm)), m_hmac(std::move(hmac)) {}

Result<EspCrypto> EspCrypto::create(const EspSuite& suite, ByteView keymat) {
  if (keymat.size() != suite.keymat())
    return Error::make("config", "ESP " + describe(suite) + ": key material of " + std::to_string(keymat.size()) +
                                     " bytes, need " + std::to_string(suite.keymat()));
  std::optional<crypto::CbcCipher> cbc;
  std::optional<crypto::AesGcm> gcm;
  std::optional<crypto::IcvHmac> hmac;
  const ByteView enc = keymat.first(suite.enc_key);
  const ByteView auth = keymat.subspan(suite.enc_key);
  if (suite.kind == CipherKind::cbc) {
    auto c = crypto::CbcCipher::create(cbc_alg(suite.transform.cipher), enc);
    if (!c) return c.error();
    cbc.emplace(std::move(c).value());
  } else if (suite.kind == CipherKind::gcm || suite.kind == CipherKind::gmac) {
    auto g = crypto::AesGcm::create_salted(enc);
    if (!g) return g.error();
    gcm.emplace(std::move(g).value());
  }
  if (suite.auth_key > 0) {
    auto h = crypto::IcvHmac::create(hash_alg(suite.transform.integrity), auth, suite.icv);
    if (!h) return h.error();
    hmac.emplace(std::move(h).value());
  }
  return EspCrypto(suite, std::move(cbc), std::move(gcm), std::move(hmac));
}

ByteView EspCrypto::aad(ByteView esp, bool esn, std::uint32_t seq_hi, std::uint8_t (&buf)[12]) {
  // RFC 4106 §5: SPI || Sequence Number, or SPI || ESN high || ESN low.
  std::memcpy(buf, esp.data(), 4);
  if (!esn) {
    std::memcpy(buf + 4, esp.data() + 4, 4);
    return ByteView(buf, 8);
  }
  put_u32(buf + 4, seq_hi);
  std::memcpy(buf + 8, esp.data() + 4, 4);
  return ByteView(buf, 12);
}

bool EspCrypto::seal(std::span<std::uint8_t> esp, bool esn, std::uint32_t seq_hi) {
  const std::size_t hdr = wire::kEspHeaderSize, iv = m_suite.iv, icv = m_suite.icv;
  if (esp.size() < hdr + iv + wire::kEspTrailerSize + icv) return false;
  std::uint8_t* body = esp.data() + hdr + iv;
  const std::size_t body_len = esp.size() - hdr - iv - icv;
  std::span<std::uint8_t> icv_out = esp.last(icv);
  std::uint8_t hi[4];
  put_u32(hi, seq_hi);
  switch (m_suite.kind) {
    case CipherKind::gcm: {
      std::uint8_t buf[12];
      const ByteView a[1] = {aad(esp, esn, seq_hi, buf)};
      const auto nonce = m_gcm->nonce(ByteView(esp.data() + hdr, iv));
      return m_gcm->seal(nonce, a, ByteView(body, body_len), body, icv_out);
    }
    case CipherKind::gmac: {
      // RFC 4543 §3.3: everything from the SPI to the Next Header is AAD; nothing is encrypted.
      const ByteView a[3] = {ByteView(esp.data(), 4), esn ? ByteView(hi, 4) : ByteView(),
                             ByteView(esp.data() + 4, esp.size() - 4 - icv)};
      const auto nonce = m_gcm->nonce(ByteView(esp.data() + hdr, iv));
      return m_gcm->gmac(nonce, a, icv_out);
    }
    case CipherKind::cbc:
      if (!m_cbc->encrypt(ByteView(esp.data() + hdr, iv), ByteView(body, body_len), body)) return false;
      break;
    case CipherKind::null:
      break;
  }
  if (!m_hmac) return icv == 0;
  // RFC 4303 §3.3.2.2: the ICV covers SPI .. Next Header, then the implicit ESN high bits.
  m_hmac->begin();
  m_hmac->update(ByteView(esp.data(), esp.size() - icv));
  if (esn) m_hmac->update(ByteView(hi, 4));
  return m_hmac->finish(icv_out);
}

OpenResult EspCrypto::verify_and_decrypt(std::span<std::uint8_t> esp, bool esn, std::uint32_t seq_hi) {
  const std::size_t hdr = wire::kEspHeaderSize, iv = m_suite.iv, icv = m_suite.icv;
  if (esp.size() < hdr + iv + wire::kEspTrailerSize + icv) return OpenResult::decrypt_failed;
  std::uint8_t* body = esp.data() + hdr + iv;
  const std::size_t body_len = esp.size() - hdr - iv - icv;
  const ByteView icv_in(esp.data() + esp.size() - icv, icv);
  std::uint8_t hi[4];
  put_u32(hi, seq_hi);
  switch (m_suite.kind) {
    case CipherKind::gcm: {
      std::uint8_t buf[12];
      const ByteView a[1] = {aad(esp, esn, seq_hi, buf)};
      const auto nonce = m_gcm->nonce(ByteView(esp.data() + hdr, iv));
      return m_gcm->open(nonce, a, ByteView(body, body_len), body, icv_in) ? OpenResult::ok
                                                                             : OpenResult::auth_failed;
    }
    case CipherKind::gmac: {
      const ByteView a[3] = {ByteView(esp.data(), 4), esn ? ByteView(hi, 4) : ByteView(),
                             ByteView(esp.data() + 4, esp.size() - 4 - icv)};
      const auto nonce = m_gcm->nonce(ByteView(esp.data() + hdr, iv));
      return m_gcm->gmac_verify(nonce, a, icv_in) ? OpenResult::ok : OpenResult::auth_failed;
    }
    case CipherKind::cbc:
    case CipherKind::null:
      break;
  }
  if (m_hmac) {
    m_hmac->begin();
    m_hmac->update(ByteView(esp.data(), esp.size() - icv));
    if (esn) m_hmac->update(ByteView(hi, 4));
    if (!m_hmac->verify(icv_in)) return OpenResult::auth_failed;
  }
  if (m_cbc && !m_cbc->decrypt(ByteView(esp.data() + hdr, iv), ByteView(body, body_len), body))
    return OpenResult::decrypt_failed;
  return OpenResult::ok;
}

}  // namespace ipseckit::esp
