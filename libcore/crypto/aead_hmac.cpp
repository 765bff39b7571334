#include "crypto/aead_hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <string>

namespace ipseckit::crypto {
namespace {

const char* ossl_digest(HashAlg a) {
  switch (a) {
    case HashAlg::md5: return "MD5";
    case HashAlg::sha1: return "SHA1";
    case HashAlg::sha256: return "SHA256";
    case HashAlg::sha384: return "SHA384";
    case HashAlg::sha512: return "SHA512";
  }
  return "SHA256";
}

}  // namespace

struct IcvHmac::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

IcvHmac::IcvHmac(HashAlg alg, std::size_t icv_len, std::unique_ptr<Impl> impl)
    : m_alg(alg), m_icv_len(icv_len), m_impl(std::move(impl)) {}
IcvHmac::~IcvHmac() = default;
IcvHmac::IcvHmac(IcvHmac&&) noexcept = default;
IcvHmac& IcvHmac::operator=(IcvHmac&&) noexcept = default;

Result<IcvHmac> IcvHmac::create(HashAlg alg, ByteView key, std::size_t icv_len) {
  if (icv_len == 0 || icv_len > digest_size(alg))
    return Error::make("crypto", "hmac-" + std::string(name(alg)) + ": ICV of " + std::to_string(icv_len) +
                                     " bytes is longer than the digest");
  auto impl = std::make_unique<Impl>();
  impl->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (impl->mac) impl->ctx = EVP_MAC_CTX_new(impl->mac);
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(ossl_digest(alg)), 0);
  params[1] = OSSL_PARAM_construct_end();
  static const unsigned char empty = 0;  // OpenSSL rejects a NULL key even of length 0
  if (!impl->ctx || EVP_MAC_init(impl->ctx, key.empty() ? &empty : key.data(), key.size(), params) != 1)
    return Error::make("crypto", "hmac-" + std::string(name(alg)) + ": OpenSSL cannot set up the MAC");
  return IcvHmac(alg, icv_len, std::move(impl));
}

void IcvHmac::begin() {
  // A NULL key re-initialises with the key already set (no key schedule is redone).
  m_failed = EVP_MAC_init(m_impl->ctx, nullptr, 0, nullptr) != 1;
}

void IcvHmac::update(ByteView data) {
  if (m_failed || data.empty()) return;
  if (EVP_MAC_update(m_impl->ctx, data.data(), data.size()) != 1) m_failed = true;
}

bool IcvHmac::finish(std::span<std::uint8_t> icv) {
  std::uint8_t full[kMaxIcv];
  std::size_t len = 0;
  if (m_failed || icv.size() < m_icv_len || EVP_MAC_final(m_impl->ctx, full, &len, sizeof full) != 1 ||
      len < m_icv_len)
    return false;
  std::memcpy(icv.data(), full, m_icv_len);
  return true;
}

bool IcvHmac::verify(ByteView icv) {
  std::uint8_t mine[kMaxIcv];
  if (icv.size() != m_icv_len || !finish(std::span<std::uint8_t>(mine, m_icv_len))) return false;
  return CRYPTO_memcmp(mine, icv.data(), m_icv_len) == 0;
}

}  // namespace ipseckit::crypto
