// CBC block ciphers for IKE (RFC 2409 appendix B) and ESP (RFC 2405, 2451, 3602), behind one
// RAII type that keeps its OpenSSL context and key schedule for reuse (no allocation per
// message). No padding: IKE and ESP pad in their own formats. Single DES is "legacy": OpenSSL 3
// keeps it in its legacy provider, which is loaded on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::crypto {

enum class CbcAlg { des, des3, aes128, aes192, aes256 };

std::string_view name(CbcAlg a);  // "des-cbc", "3des-cbc", "aes-128-cbc", ...
std::size_t key_size(CbcAlg a);   // 8, 24, 16, 24, 32
std::size_t block_size(CbcAlg a); // 8 or 16 (= IV size)

class CbcCipher {
 public:
  // Fails (code "crypto") for a wrong key length or when the algorithm is unavailable.
  static Result<CbcCipher> create(CbcAlg alg, ByteView key);
  ~CbcCipher();
  CbcCipher(CbcCipher&&) noexcept;
  CbcCipher& operator=(CbcCipher&&) noexcept;
  CbcCipher(const CbcCipher&) = delete;
  CbcCipher& operator=(const CbcCipher&) = delete;

  CbcAlg alg() const { return m_alg; }
  std::size_t block() const { return block_size(m_alg); }
  // in and out have the same length, a multiple of the block size; they may be the same
  // buffer. The IV has block() bytes. Returns false on a length error.
  bool encrypt(ByteView iv, ByteView in, std::uint8_t* out);
  bool decrypt(ByteView iv, ByteView in, std::uint8_t* out);

 private:
  struct Impl;
  CbcCipher(CbcAlg alg, std::unique_ptr<Impl> impl);
  bool run(bool enc, ByteView iv, ByteView in, std::uint8_t* out);
  CbcAlg m_alg;
  std::unique_ptr<Impl> m_impl;
};

// Makes OpenSSL's legacy algorithms (DES, MD4) available next to the default provider.
// Idempotent and thread-safe; false when the legacy provider cannot be loaded.
bool load_legacy_provider();

}  // namespace ipseckit::crypto
