#include "primitive.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace espbench {
namespace {

void need(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_esp: OpenSSL %s failed\n", what);
    std::exit(1);
  }
}

const unsigned char kKey[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

}  // namespace

struct GcmPrimitive::Impl {
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
  }
};

GcmPrimitive::GcmPrimitive() : m_impl(std::make_unique<Impl>()) {
  need(EVP_EncryptInit_ex(m_impl->enc, EVP_aes_128_gcm(), nullptr, kKey, nullptr) == 1, "GCM init");
  need(EVP_DecryptInit_ex(m_impl->dec, EVP_aes_128_gcm(), nullptr, kKey, nullptr) == 1, "GCM init");
}
GcmPrimitive::~GcmPrimitive() = default;

void GcmPrimitive::seal(const std::uint8_t* iv12, const std::uint8_t* aad8, const std::uint8_t* in, std::size_t len,
                        std::uint8_t* out, std::uint8_t* tag) {
  EVP_CIPHER_CTX* c = m_impl->enc;
  int l = 0;
  EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv12);
  EVP_EncryptUpdate(c, nullptr, &l, aad8, 8);
  EVP_EncryptUpdate(c, out, &l, in, static_cast<int>(len));
  EVP_EncryptFinal_ex(c, out + l, &l);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
}

bool GcmPrimitive::open(const std::uint8_t* iv12, const std::uint8_t* aad8, const std::uint8_t* in, std::size_t len,
                        std::uint8_t* out, const std::uint8_t* tag) {
  EVP_CIPHER_CTX* c = m_impl->dec;
  int l = 0;
  std::uint8_t t[16];
  std::memcpy(t, tag, 16);
  EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv12);
  EVP_DecryptUpdate(c, nullptr, &l, aad8, 8);
  EVP_DecryptUpdate(c, out, &l, in, static_cast<int>(len));
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, t);
  return EVP_DecryptFinal_ex(c, out + l, &l) == 1;
}

struct CbcHmacPrimitive::Impl {
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* mctx = nullptr;
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
    EVP_MAC_CTX_free(mctx);
    EVP_MAC_free(mac);
  }
  void hmac(const std::uint8_t* from, std::size_t len, std::uint8_t* out20) {
    std::size_t n = 0;
    EVP_MAC_init(mctx, nullptr, 0, nullptr);
    EVP_MAC_update(mctx, from, len);
    EVP_MAC_final(mctx, out20, &n, 20);
  }
};

CbcHmacPrimitive::CbcHmacPrimitive() : m_impl(std::make_unique<Impl>()) {
  need(EVP_EncryptInit_ex2(m_impl->enc, EVP_aes_128_cbc(), kKey, nullptr, nullptr) == 1, "CBC init");
  need(EVP_DecryptInit_ex2(m_impl->dec, EVP_aes_128_cbc(), kKey, nullptr, nullptr) == 1, "CBC init");
  EVP_CIPHER_CTX_set_padding(m_impl->enc, 0);
  EVP_CIPHER_CTX_set_padding(m_impl->dec, 0);
  need(m_impl->mac != nullptr, "HMAC fetch");
  m_impl->mctx = EVP_MAC_CTX_new(m_impl->mac);
  OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA1"), 0),
                     OSSL_PARAM_construct_end()};
  need(m_impl->mctx && EVP_MAC_init(m_impl->mctx, kKey, 20, p) == 1, "HMAC init");
}
CbcHmacPrimitive::~CbcHmacPrimitive() = default;

void CbcHmacPrimitive::seal(const std::uint8_t* iv16, const std::uint8_t* in, std::size_t len, std::uint8_t* out,
                            const std::uint8_t* mac_from, std::size_t mac_len, std::uint8_t* icv12) {
  int l = 0;
  EVP_CipherInit_ex2(m_impl->enc, nullptr, nullptr, iv16, 1, nullptr);
  EVP_CipherUpdate(m_impl->enc, out, &l, in, static_cast<int>(len));
  std::uint8_t full[20];
  m_impl->hmac(mac_from, mac_len, full);
  std::memcpy(icv12, full, 12);
}

bool CbcHmacPrimitive::open(const std::uint8_t* iv16, const std::uint8_t* in, std::size_t len, std::uint8_t* out,
                            const std::uint8_t* mac_from, std::size_t mac_len, const std::uint8_t* icv12) {
  std::uint8_t full[20];
  m_impl->hmac(mac_from, mac_len, full);
  const bool ok = CRYPTO_memcmp(full, icv12, 12) == 0;
  int l = 0;
  EVP_CipherInit_ex2(m_impl->dec, nullptr, nullptr, iv16, 0, nullptr);
  EVP_CipherUpdate(m_impl->dec, out, &l, in, static_cast<int>(len));
  return ok;
}

}  // namespace espbench
