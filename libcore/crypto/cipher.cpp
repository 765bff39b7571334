#include "crypto/cipher.h"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <mutex>

namespace ipseckit::crypto {
namespace {

const char* ossl_name(CbcAlg a) {
  switch (a) {
    case CbcAlg::des: return "DES-CBC";
    case CbcAlg::des3: return "DES-EDE3-CBC";
    case CbcAlg::aes128: return "AES-128-CBC";
    case CbcAlg::aes192: return "AES-192-CBC";
    case CbcAlg::aes256: return "AES-256-CBC";
  }
  return "";
}

// OpenSSL 3 keeps single DES in the legacy provider; 3DES (DES-EDE3-CBC) is in the default one.
bool is_legacy(CbcAlg a) { return a == CbcAlg::des; }

}  // namespace

bool load_legacy_provider() {
  // Loading "legacy" explicitly disables the implicit default provider, so both are loaded.
  // The handles stay referenced for the life of the process (no leak, nothing to unload).
  static std::once_flag once;
  static OSSL_PROVIDER* def = nullptr;
  static OSSL_PROVIDER* legacy = nullptr;
  std::call_once(once, [] {
    def = OSSL_PROVIDER_load(nullptr, "default");
    legacy = OSSL_PROVIDER_load(nullptr, "legacy");
  });
  return def && legacy;
}

std::string_view name(CbcAlg a) {
  switch (a) {
    case CbcAlg::des: return "des-cbc";
    case CbcAlg::des3: return "3des-cbc";
    case CbcAlg::aes128: return "aes-128-cbc";
    case CbcAlg::aes192: return "aes-192-cbc";
    case CbcAlg::aes256: return "aes-256-cbc";
  }
  return "?";
}

std::size_t key_size(CbcAlg a) {
  switch (a) {
    case CbcAlg::des: return 8;
    case CbcAlg::des3: return 24;
    case CbcAlg::aes128: return 16;
    case CbcAlg::aes192: return 24;
    case CbcAlg::aes256: return 32;
  }
  return 0;
}

std::size_t block_size(CbcAlg a) { return a == CbcAlg::des || a == CbcAlg::des3 ? 8 : 16; }

struct CbcCipher::Impl {
  EVP_CIPHER* cipher = nullptr;
  EVP_CIPHER_CTX* enc = nullptr;
  EVP_CIPHER_CTX* dec = nullptr;
  ~Impl() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
    EVP_CIPHER_free(cipher);
  }
};

CbcCipher::CbcCipher(CbcAlg alg, std::unique_ptr<Impl> impl) : m_alg(alg), m_impl(std::move(impl)) {}
CbcCipher::~CbcCipher() = default;
CbcCipher::CbcCipher(CbcCipher&&) noexcept = default;
CbcCipher& CbcCipher::operator=(CbcCipher&&) noexcept = default;

Result<CbcCipher> CbcCipher::create(CbcAlg alg, ByteView key) {
  if (key.size() != key_size(alg))
    return Error::make("crypto", std::string(name(alg)) + ": key of " + std::to_string(key.size()) + " bytes, need " +
                                     std::to_string(key_size(alg)));
  if (is_legacy(alg) && !load_legacy_provider())
    return Error::make("crypto", std::string(name(alg)) + ": OpenSSL's legacy provider is not available");
  auto impl = std::make_unique<Impl>();
  impl->cipher = EVP_CIPHER_fetch(nullptr, ossl_name(alg), nullptr);
  impl->enc = EVP_CIPHER_CTX_new();
  impl->dec = EVP_CIPHER_CTX_new();
  if (!impl->cipher || !impl->enc || !impl->dec ||
      EVP_EncryptInit_ex2(impl->enc, impl->cipher, key.data(), nullptr, nullptr) != 1 ||
      EVP_DecryptInit_ex2(impl->dec, impl->cipher, key.data(), nullptr, nullptr) != 1)
    return Error::make("crypto", std::string(name(alg)) + ": OpenSSL cannot set up the cipher");
  EVP_CIPHER_CTX_set_padding(impl->enc, 0);
  EVP_CIPHER_CTX_set_padding(impl->dec, 0);
  return CbcCipher(alg, std::move(impl));
}

bool CbcCipher::run(bool enc, ByteView iv, ByteView in, std::uint8_t* out) {
  const std::size_t bs = block();
  if (iv.size() != bs || in.size() % bs != 0 || in.size() > 0x7fffffff) return false;
  EVP_CIPHER_CTX* ctx = enc ? m_impl->enc : m_impl->dec;
  // Re-initialise with the IV only: the key schedule is kept.
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), enc ? 1 : 0, nullptr) != 1) return false;
  int len = 0;
  if (EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  return static_cast<std::size_t>(len) == in.size();
}

bool CbcCipher::encrypt(ByteView iv, ByteView in, std::uint8_t* out) { return run(true, iv, in, out); }
bool CbcCipher::decrypt(ByteView iv, ByteView in, std::uint8_t* out) { return run(false, iv, in, out); }

}  // namespace ipseckit::crypto
