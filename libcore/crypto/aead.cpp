#include "crypto/aead.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <string>

namespace ipseckit::crypto {
namespace {

const char* ossl_name(std::size_t key_size) {
  switch (key_size) {
    case 16: return "AES-128-GCM";
    case 24: return "AES-192-GCM";
    case 32: return "AES-256-GCM";
    default: return nullptr;
  }
}

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX); }

}  // namespace

struct AesGcm::Impl {
  EVP_CIPHER* cipher = nullptr;
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  // create_salted: `dec` holds the salt as the GCM "fixed field" (the TLS construction, which is
  // RFC 4106's salt || IV), so open() sets the 8-byte IV and the tag in one parameter call
  // instead of a re-initialisation plus a control call (each a run of OpenSSL 3 parameter
  // lookups, per packet).
  bool dec_salted = false;
  bool dec_fixed_lost = false;  // a whole nonce was set since: the salt must be set again
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
    EVP_CIPHER_free(cipher);
  }

  // Sets the nonce (the key schedule stays) and feeds the AAD pieces.
  static bool start(EVP_CIPHER_CTX* ctx, bool encrypt, ByteView nonce, std::span<const ByteView> aad) {
    if (nonce.size() != kNonceSize) return false;
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), encrypt ? 1 : 0) != 1) return false;
    for (ByteView a : aad) {
      if (a.empty()) continue;
      if (!fits_int(a.size())) return false;
      int len = 0;
      if (EVP_CipherUpdate(ctx, nullptr, &len, a.data(), static_cast<int>(a.size())) != 1) return false;
    }
    return true;
  }
};

AesGcm::AesGcm(std::size_t key_size, std::unique_ptr<Impl> impl) : m_key_size(key_size), m_impl(std::move(impl)) {}
AesGcm::~AesGcm() = default;
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;

Result<AesGcm> AesGcm::create(ByteView key) {
  const char* name = ossl_name(key.size());
  if (!name)
    return Error::make("crypto", "aes-gcm: key of " + std::to_string(key.size()) + " bytes, need 16, 24 or 32");
  auto impl = std::make_unique<Impl>();
  impl->cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  impl->enc = EVP_CIPHER_CTX_new();
  impl->dec = EVP_CIPHER_CTX_new();
  if (!impl->cipher || !impl->enc || !impl->dec ||
      EVP_EncryptInit_ex2(impl->enc, impl->cipher, key.data(), nullptr, nullptr) != 1 ||
      EVP_DecryptInit_ex2(impl->dec, impl->cipher, key.data(), nullptr, nullptr) != 1)
    return Error::make("crypto", std::string("aes-gcm: OpenSSL cannot set up ") + name);
  return AesGcm(key.size(), std::move(impl));
}

Result<AesGcm> AesGcm::create_salted(ByteView keymat) {
  if (keymat.size() < kSaltSize + 16)
    return Error::make("crypto", "aes-gcm: key material of " + std::to_string(keymat.size()) +
                                     " bytes, need 20, 28 or 36 (key || 4-byte salt)");
  auto r = create(keymat.first(keymat.size() - kSaltSize));
  if (!r) return r.error();
  AesGcm g = std::move(r).value();
  std::memcpy(g.m_salt.data(), keymat.data() + keymat.size() - kSaltSize, kSaltSize);
  g.m_salt_len = kSaltSize;
  g.m_impl->dec_salted = EVP_CIPHER_CTX_ctrl(g.m_impl->dec, EVP_CTRL_GCM_SET_IV_FIXED, static_cast<int>(kSaltSize),
                                             g.m_salt.data()) == 1;
  return g;
}

std::array<std::uint8_t, AesGcm::kNonceSize> AesGcm::nonce(ByteView iv) const {
  std::array<std::uint8_t, kNonceSize> n{};
  std::memcpy(n.data(), m_salt.data(), kSaltSize);
  if (iv.size() == kIvSize) std::memcpy(n.data() + kSaltSize, iv.data(), kIvSize);
  return n;
}

bool AesGcm::seal(ByteView nonce, std::span<const ByteView> aad, ByteView in, std::uint8_t* out,
                  std::span<std::uint8_t> tag) {
  if (tag.empty() || tag.size() > kTagSize || !fits_int(in.size())) return false;
  EVP_CIPHER_CTX* ctx = m_impl->enc;
  if (!Impl::start(ctx, true, nonce, aad)) return false;
  int len = 0;
  if (!in.empty() && EVP_EncryptUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  int fin = 0;
  std::uint8_t none[16];
  if (EVP_EncryptFinal_ex(ctx, out ? out + len : none, &fin) != 1) return false;
  std::uint8_t full[kTagSize];
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), full) != 1) return false;
  std::memcpy(tag.data(), full, tag.size());
  return true;
}

bool AesGcm::open(ByteView nonce, std::span<const ByteView> aad, ByteView in, std::uint8_t* out, ByteView tag) {
  if (tag.size() != kTagSize || !fits_int(in.size())) return false;
  EVP_CIPHER_CTX* ctx = m_impl->dec;
  std::uint8_t expected[kTagSize];
  std::memcpy(expected, tag.data(), kTagSize);
  if (m_impl->dec_salted && nonce.size() == kNonceSize && std::memcmp(nonce.data(), m_salt.data(), kSaltSize) == 0) {
    if (m_impl->dec_fixed_lost) {
      if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IV_FIXED, static_cast<int>(kSaltSize), m_salt.data()) != 1)
        return false;
      m_impl->dec_fixed_lost = false;
    }
    std::uint8_t iv[kIvSize];
    std::memcpy(iv, nonce.data() + kSaltSize, kIvSize);
    OSSL_PARAM p[3] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV, iv, kIvSize),
                       OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, expected, kTagSize),
                       OSSL_PARAM_construct_end()};
    if (EVP_CIPHER_CTX_set_params(ctx, p) != 1) return false;
    for (ByteView a : aad) {
      if (a.empty()) continue;
      if (!fits_int(a.size())) return false;
      int alen = 0;
      if (EVP_DecryptUpdate(ctx, nullptr, &alen, a.data(), static_cast<int>(a.size())) != 1) return false;
    }
  } else {
    m_impl->dec_fixed_lost = m_impl->dec_salted;
    if (!Impl::start(ctx, false, nonce, aad)) return false;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), expected) != 1) return false;
  }
  int len = 0;
  if (!in.empty() && EVP_DecryptUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  int fin = 0;
  std::uint8_t none[16];
  // EVP_DecryptFinal_ex compares the tags with CRYPTO_memcmp (constant time).
  return EVP_DecryptFinal_ex(ctx, out ? out + len : none, &fin) == 1;
}

bool AesGcm::gmac(ByteView nonce, std::span<const ByteView> aad, std::span<std::uint8_t> tag) {
  return seal(nonce, aad, {}, nullptr, tag);
}

bool AesGcm::gmac_verify(ByteView nonce, std::span<const ByteView> aad, ByteView tag) {
  return open(nonce, aad, {}, nullptr, tag);
}

}  // namespace ipseckit::crypto
