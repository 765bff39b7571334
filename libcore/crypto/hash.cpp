#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace ipseckit::crypto {
namespace {

const char* ossl_name(HashAlg a) {
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

std::string_view name(HashAlg a) {
  switch (a) {
    case HashAlg::md5: return "md5";
    case HashAlg::sha1: return "sha1";
    case HashAlg::sha256: return "sha256";
    case HashAlg::sha384: return "sha384";
    case HashAlg::sha512: return "sha512";
  }
  return "?";
}

std::size_t digest_size(HashAlg a) {
  switch (a) {
    case HashAlg::md5: return 16;
    case HashAlg::sha1: return 20;
    case HashAlg::sha256: return 32;
    case HashAlg::sha384: return 48;
    case HashAlg::sha512: return 64;
  }
  return 0;
}

Bytes digest(HashAlg a, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_get_digestbyname(ossl_name(a)), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  out.resize(len);
  return out;
}

struct Hmac::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

Hmac::Hmac(HashAlg alg, ByteView key) : m_impl(std::make_unique<Impl>()) {
  m_impl->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!m_impl->mac) throw std::runtime_error("HMAC unavailable");
  m_impl->ctx = EVP_MAC_CTX_new(m_impl->mac);
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(ossl_name(alg)), 0);
  params[1] = OSSL_PARAM_construct_end();
  // OpenSSL rejects a NULL key pointer even for length 0.
  static const unsigned char empty = 0;
  if (!m_impl->ctx || EVP_MAC_init(m_impl->ctx, key.empty() ? &empty : key.data(), key.size(), params) != 1)
    throw std::runtime_error("HMAC init failed");
}

Hmac::~Hmac() = default;
Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;

void Hmac::update(ByteView data) {
  if (EVP_MAC_update(m_impl->ctx, data.data(), data.size()) != 1) throw std::runtime_error("HMAC update failed");
}

Bytes Hmac::final() {
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t len = 0;
  if (EVP_MAC_final(m_impl->ctx, out.data(), &len, out.size()) != 1) throw std::runtime_error("HMAC final failed");
  out.resize(len);
  // Re-initialise with the same key for the next message.
  if (EVP_MAC_init(m_impl->ctx, nullptr, 0, nullptr) != 1) throw std::runtime_error("HMAC reinit failed");
  return out;
}

Bytes Hmac::compute(HashAlg alg, ByteView key, ByteView data) {
  Hmac h(alg, key);
  h.update(data);
  return h.final();
}

}  // namespace ipseckit::crypto
