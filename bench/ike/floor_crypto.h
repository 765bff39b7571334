// The floor responder's cryptography (floor.h): OpenSSL's EVP API directly for the IKE prf,
// hash and cipher, algorithms fetched once and one context per primitive reused; the DH key
// pair and g^xy by libcore's DhGroup (the cheapest DH here, see keygen()).
#pragma once

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "base/bytes.h"
#include "crypto/dh.h"
#include "floor_script.h"

namespace ipseckit::bench::floor_impl {

// ---- OpenSSL, fetched once.
class Crypto {
 public:
  explicit Crypto(bool ecp) : m_ecp(ecp), m_pub(ecp ? kEcp256.pub : kModp2048.pub) {
    m_mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    m_mac_ctx = m_mac ? EVP_MAC_CTX_new(m_mac) : nullptr;
    std::array<OSSL_PARAM, 2> mp{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA1"), 0),
                                 OSSL_PARAM_construct_end()};
    m_md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    m_md_ctx = EVP_MD_CTX_new();
    m_aes = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    m_aes_ctx = EVP_CIPHER_CTX_new();
    if (!m_mac_ctx || EVP_MAC_CTX_set_params(m_mac_ctx, mp.data()) != 1 || !m_md || !m_md_ctx || !m_aes || !m_aes_ctx)
      throw std::runtime_error("OpenSSL: HMAC-SHA1, SHA-1 or AES-128-CBC unavailable");
  }
  ~Crypto() {
    EVP_CIPHER_CTX_free(m_aes_ctx);
    EVP_CIPHER_free(m_aes);
    EVP_MD_CTX_free(m_md_ctx);
    EVP_MD_free(m_md);
    EVP_MAC_CTX_free(m_mac_ctx);
    EVP_MAC_free(m_mac);
  }
  Crypto(const Crypto&) = delete;
  Crypto& operator=(const Crypto&) = delete;

  std::size_t pub_len() const { return m_pub; }

  // The IKE prf: HMAC-SHA1 (RFC 2409 appendix B, RFC 2104) of the concatenated parts.
  void prf(ByteView key, std::initializer_list<ByteView> parts, std::uint8_t* out) {
    std::size_t n = 0;
    bool ok = EVP_MAC_init(m_mac_ctx, key.data(), key.size(), nullptr) == 1;
    for (auto p : parts) ok = ok && EVP_MAC_update(m_mac_ctx, p.data(), p.size()) == 1;
    if (!ok || EVP_MAC_final(m_mac_ctx, out, &n, kHashLen) != 1) throw std::runtime_error("HMAC-SHA1");
  }
  // The first 16 bytes of SHA-1 of the parts: an IV (RFC 2409 appendix B).
  void iv(std::initializer_list<ByteView> parts, std::uint8_t* out) {
    std::array<std::uint8_t, kHashLen> h{};
    bool ok = EVP_DigestInit_ex2(m_md_ctx, m_md, nullptr) == 1;
    for (auto p : parts) ok = ok && EVP_DigestUpdate(m_md_ctx, p.data(), p.size()) == 1;
    if (!ok || EVP_DigestFinal_ex(m_md_ctx, h.data(), nullptr) != 1) throw std::runtime_error("SHA-1");
    std::memcpy(out, h.data(), kBlock);
  }
  // AES-128-CBC of n bytes (a multiple of 16), no padding.
  void cbc(bool enc, const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in, std::size_t n,
           std::uint8_t* out) {
    int l = 0;
    if (EVP_CipherInit_ex2(m_aes_ctx, m_aes, key, iv, enc ? 1 : 0, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(m_aes_ctx, 0) != 1 ||
        EVP_CipherUpdate(m_aes_ctx, out, &l, in, static_cast<int>(n)) != 1 || static_cast<std::size_t>(l) != n)
      throw std::runtime_error("AES-128-CBC");
  }
  // A fresh key pair; its public value (MODP padded to 256 bytes, ECP x | y) into pub. By
  // libcore's DhGroup, the cheapest key generation here: for MODP from the generator's table
  // (crypto/dh_fixed_base.h), about a third of EVP's exponentiation; for P-256 the same
  // fixed-base code as EVP's.
  crypto::DhGroup keygen(std::uint8_t* pub) {
    auto k = crypto::DhGroup::generate(m_ecp ? crypto::DhGroupId::ecp256 : crypto::DhGroupId::modp2048);
    if (!k || k->public_value().size() != m_pub) throw std::runtime_error("keygen");
    std::memcpy(pub, k->public_value().data(), m_pub);
    return std::move(*k);
  }
  // g^xy (MODP: 256 bytes, ECP: x, 32 bytes) with the peer's public value; false when it is not
  // one (DhGroup checks: ECP on the curve, MODP 1 < y < p - 1).
  bool derive(const crypto::DhGroup& mine, const std::uint8_t* peer, std::uint8_t* out, std::size_t* out_len) {
    auto s = mine.shared_secret(ByteView(peer, m_pub));
    if (!s) return false;
    *out_len = s->size();
    std::memcpy(out, s->data(), s->size());
    return true;
  }

 private:
  bool m_ecp;
  std::size_t m_pub;
  EVP_MAC* m_mac = nullptr;
  EVP_MAC_CTX* m_mac_ctx = nullptr;
  EVP_MD* m_md = nullptr;
  EVP_MD_CTX* m_md_ctx = nullptr;
  EVP_CIPHER* m_aes = nullptr;
  EVP_CIPHER_CTX* m_aes_ctx = nullptr;
};

}  // namespace ipseckit::bench::floor_impl
