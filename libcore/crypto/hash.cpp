#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
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

// Fetched once per process (OpenSSL 3 looks an algorithm up on every implicit use, which cost
// more than hashing an IKE message): the digests, and per digest an HMAC context with the
// digest set and no key, duplicated for each new key. Read-only after the first call.
constexpr std::size_t kAlgs = 5;

EVP_MD* cached_md(HashAlg a) {
  static const std::array<EVP_MD*, kAlgs> mds = [] {
    std::array<EVP_MD*, kAlgs> m{};
    for (std::size_t i = 0; i < kAlgs; ++i) m[i] = EVP_MD_fetch(nullptr, ossl_name(static_cast<HashAlg>(i)), nullptr);
    return m;
  }();
  return mds.at(static_cast<std::size_t>(a));
}

const EVP_MAC_CTX* hmac_template(HashAlg a) {
  static const std::array<EVP_MAC_CTX*, kAlgs> templates = [] {
    std::array<EVP_MAC_CTX*, kAlgs> t{};
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) return t;
    for (std::size_t i = 0; i < kAlgs; ++i) {
      EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
      OSSL_PARAM params[2];
      params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                   const_cast<char*>(ossl_name(static_cast<HashAlg>(i))), 0);
      params[1] = OSSL_PARAM_construct_end();
      if (ctx && EVP_MAC_CTX_set_params(ctx, params) == 1)
        t[i] = ctx;
      else
        EVP_MAC_CTX_free(ctx);
    }
    EVP_MAC_free(mac);  // each context holds its own reference
    return t;
  }();
  return templates.at(static_cast<std::size_t>(a));
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
  if (!cached_md(a) ||
      EVP_Digest(data.data(), data.size(), out.data(), &len, cached_md(a), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  out.resize(len);
  return out;
}

struct Hmac::Impl {
  EVP_MAC_CTX* ctx = nullptr;
  // After a final the context is re-initialised (same key) only when it is used again: most
  // Hmacs are one-shot (Prf::compute, the key schedule), and the re-init would be wasted.
  bool finished = false;
  ~Impl() { EVP_MAC_CTX_free(ctx); }
  void reinit_if_finished() {
    if (!finished) return;
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) throw std::runtime_error("HMAC reinit failed");
    finished = false;
  }
};

Hmac::Hmac(HashAlg alg, ByteView key) : m_impl(std::make_unique<Impl>()) {
  const EVP_MAC_CTX* tmpl = hmac_template(alg);
  if (!tmpl) throw std::runtime_error("HMAC unavailable");
  m_impl->ctx = EVP_MAC_CTX_dup(tmpl);
  // OpenSSL rejects a NULL key pointer even for length 0.
  static const unsigned char empty = 0;
  if (!m_impl->ctx || EVP_MAC_init(m_impl->ctx, key.empty() ? &empty : key.data(), key.size(), nullptr) != 1)
    throw std::runtime_error("HMAC init failed");
}

Hmac::~Hmac() = default;
Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;

void Hmac::update(ByteView data) {
  m_impl->reinit_if_finished();
  if (EVP_MAC_update(m_impl->ctx, data.data(), data.size()) != 1) throw std::runtime_error("HMAC update failed");
}

Bytes Hmac::final() {
  m_impl->reinit_if_finished();  // a final right after a final: HMAC(key, "")
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t len = 0;
  if (EVP_MAC_final(m_impl->ctx, out.data(), &len, out.size()) != 1) throw std::runtime_error("HMAC final failed");
  out.resize(len);
  m_impl->finished = true;
  return out;
}

Bytes Hmac::compute(HashAlg alg, ByteView key, ByteView data) {
  Hmac h(alg, key);
  h.update(data);
  return h.final();
}

}  // namespace ipseckit::crypto
