#include "esp/ah_crypto.h"

#include <string>

namespace ipseckit::esp {
namespace {

crypto::HashAlg hash_alg(policy::Integrity i) {
  switch (i) {
    case policy::Integrity::md5: return crypto::HashAlg::md5;
    case policy::Integrity::sha256: return crypto::HashAlg::sha256;
    case policy::Integrity::sha384: return crypto::HashAlg::sha384;
    case policy::Integrity::sha512: return crypto::HashAlg::sha512;
    default: return crypto::HashAlg::sha1;
  }
}

}  // namespace

Result<AhCrypto> AhCrypto::create(const AhSuite& suite, ByteView keymat) {
  if (keymat.size() != suite.key)
    return Error::make("config", describe(suite) + ": key material of " + std::to_string(keymat.size()) +
                                     " bytes, need " + std::to_string(suite.key));
  if (suite.gmac) {
    auto g = crypto::AesGcm::create_salted(keymat);
    if (!g) return g.error();
    return AhCrypto(suite, std::move(g).value(), std::nullopt);
  }
  auto h = crypto::IcvHmac::create(hash_alg(suite.integrity), keymat, suite.icv);
  if (!h) return h.error();
  return AhCrypto(suite, std::nullopt, std::move(h).value());
}

bool AhCrypto::authenticate(ByteView iv, std::span<const ByteView> pieces, std::span<std::uint8_t> tag) {
  if (tag.size() < tag_size()) return false;
  if (m_gmac) {
    if (iv.size() != crypto::AesGcm::kIvSize) return false;
    return m_gmac->gmac(m_gmac->nonce(iv), pieces, tag.first(tag_size()));
  }
  m_hmac->begin();
  for (ByteView p : pieces) m_hmac->update(p);
  return m_hmac->finish(tag);
}

bool AhCrypto::check(ByteView iv, std::span<const ByteView> pieces, ByteView tag) {
  if (tag.size() != tag_size()) return false;
  if (m_gmac) {
    if (iv.size() != crypto::AesGcm::kIvSize) return false;
    return m_gmac->gmac_verify(m_gmac->nonce(iv), pieces, tag);
  }
  m_hmac->begin();
  for (ByteView p : pieces) m_hmac->update(p);
  return m_hmac->verify(tag);
}

}  // namespace ipseckit::esp
