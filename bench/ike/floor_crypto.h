// The floor responder's cryptography (floor.h): OpenSSL's EVP API directly, algorithms fetched
// once and one context per primitive reused; per negotiation only the key pair and the
// derivation's context are new.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "base/bytes.h"
#include "dh_bound.h"
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
    // The group as dh_bound.cpp sets it up (named "P-256" / "modp_2048": OpenSSL's short
    // exponent for modp_2048 is 225 bits, as ikeview's, libcore/crypto/dh_groups.cpp).
    const char* group = ecp ? "P-256" : "modp_2048";
    m_params = dh_group_params(group);
    m_keygen = EVP_PKEY_CTX_new_from_pkey(nullptr, m_params, nullptr);
    m_peer = EVP_PKEY_dup(m_params);  // holds each initiator's public value in turn
    if (!m_keygen || EVP_PKEY_keygen_init(m_keygen) <= 0 || !m_peer) throw std::runtime_error("OpenSSL: keygen setup");
    if (!ecp) {
      BIGNUM* p = nullptr;
      if (EVP_PKEY_get_bn_param(m_params, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
          BN_bn2binpad(p, m_prime.data(), static_cast<int>(m_pub)) != static_cast<int>(m_pub))
        throw std::runtime_error("OpenSSL: modp_2048 prime");
      BN_free(p);
    }
  }
  ~Crypto() {
    EVP_PKEY_free(m_peer);
    EVP_PKEY_CTX_free(m_keygen);
    EVP_PKEY_free(m_params);
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
  // A fresh key pair; its public value (MODP padded to 256 bytes, ECP x | y) into pub.
  EVP_PKEY* keygen(std::uint8_t* pub) {
    EVP_PKEY* k = nullptr;
    std::array<std::uint8_t, 1 + 2 * 32> enc{};
    std::size_t l = 0;
    if (EVP_PKEY_keygen(m_keygen, &k) <= 0) throw std::runtime_error("keygen");
    if (m_ecp) {
      if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc.data(), enc.size(), &l) != 1 ||
          l != enc.size())
        throw std::runtime_error("P-256 public value");
      std::memcpy(pub, enc.data() + 1, m_pub);
    } else {
      BIGNUM* y = nullptr;
      if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1 ||
          BN_bn2binpad(y, pub, static_cast<int>(m_pub)) != static_cast<int>(m_pub))
        throw std::runtime_error("MODP public value");
      BN_free(y);
    }
    return k;
  }
  // g^xy (MODP: 256 bytes, ECP: x, 32 bytes) with the peer's public value; false when it is not
  // one: ECP off the curve (OpenSSL's point decoding checks it), MODP outside 1 < y < p - 1.
  bool derive(EVP_PKEY* mine, const std::uint8_t* peer, std::uint8_t* out, std::size_t* out_len) {
    bool ok = false;
    if (m_ecp) {
      std::array<std::uint8_t, 1 + 2 * 32> enc{};
      enc[0] = 0x04;  // SEC 1 uncompressed
      std::memcpy(enc.data() + 1, peer, m_pub);
      ok = EVP_PKEY_set1_encoded_public_key(m_peer, enc.data(), enc.size()) == 1;
    } else {
      // 1 < y < p - 1 (p ends in 0xFF: p - 1 differs from p in the last byte only)
      const bool high = std::any_of(peer, peer + m_pub - 1, [](std::uint8_t b) { return b != 0; });
      const int c = std::memcmp(peer, m_prime.data(), m_pub - 1);
      ok = (high || peer[m_pub - 1] > 1) && (c < 0 || (c == 0 && peer[m_pub - 1] < m_prime[m_pub - 1] - 1)) &&
           EVP_PKEY_set1_encoded_public_key(m_peer, peer, m_pub) == 1;
    }
    if (!ok) {
      ERR_clear_error();
      return false;
    }
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(nullptr, mine, nullptr);
    *out_len = m_ecp ? 32 : m_pub;
    ok = c && EVP_PKEY_derive_init(c) > 0 && (m_ecp || EVP_PKEY_CTX_set_dh_pad(c, 1) > 0) &&
         EVP_PKEY_derive_set_peer_ex(c, m_peer, 0) > 0 && EVP_PKEY_derive(c, out, out_len) > 0;
    EVP_PKEY_CTX_free(c);
    if (!ok) ERR_clear_error();
    return ok;
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
  EVP_PKEY* m_params = nullptr;
  EVP_PKEY_CTX* m_keygen = nullptr;
  EVP_PKEY* m_peer = nullptr;
  std::array<std::uint8_t, 256> m_prime{};
};

}  // namespace ipseckit::bench::floor_impl
