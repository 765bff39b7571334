// AES-GCM (NIST SP 800-38D) as ESP uses it (RFC 4106) and AES-GMAC, its authentication-only
// form (RFC 4543), behind one RAII type that keeps its OpenSSL contexts and key schedule for
// the life of an SA: per packet only the nonce is set, nothing is allocated.
//
// RFC 4106 §4 / RFC 4543 §3.2 nonce (12 octets):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                             Salt                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Initialization Vector                     |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// RFC 4106 §8.1: the salt is the last 4 octets of the key material (KEYMAT = key || salt).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::crypto {

class AesGcm {
 public:
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kSaltSize = 4;  // RFC 4106 §8.1
  static constexpr std::size_t kIvSize = 8;    // RFC 4106 §3.1 explicit IV
  static constexpr std::size_t kTagSize = 16;  // ESP uses the full 16-octet ICV (RFC 4106 §6)

  // key: the AES key alone (16, 24 or 32 bytes); nonces are then given whole (12 bytes).
  static Result<AesGcm> create(ByteView key);
  // keymat: AES key || 4-byte salt (20, 28 or 36 bytes); nonce = salt || 8-byte IV.
  static Result<AesGcm> create_salted(ByteView keymat);

  ~AesGcm();
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  std::size_t key_size() const { return m_key_size; }
  ByteView salt() const { return {m_salt.data(), m_salt_len}; }
  // salt || iv, for create_salted objects (iv: 8 bytes).
  std::array<std::uint8_t, kNonceSize> nonce(ByteView iv) const;

  // Authenticated encryption: aad pieces are authenticated in order, `in` is encrypted into
  // `out` (same length; out may equal in.data()), the tag (1..16 bytes, leftmost of the full
  // tag) is written to `tag`. False on a length error only.
  bool seal(ByteView nonce, std::span<const ByteView> aad, ByteView in, std::uint8_t* out,
            std::span<std::uint8_t> tag);
  // Decrypts and verifies (OpenSSL compares the tag in constant time). False when the tag does
  // not match or on a length error; `out` then holds garbage the caller must discard.
  bool open(ByteView nonce, std::span<const ByteView> aad, ByteView in, std::uint8_t* out, ByteView tag);
  // GMAC (RFC 4543): a tag over aad only, and its constant-time verification.
  bool gmac(ByteView nonce, std::span<const ByteView> aad, std::span<std::uint8_t> tag);
  bool gmac_verify(ByteView nonce, std::span<const ByteView> aad, ByteView tag);

 private:
  struct Impl;
  AesGcm(std::size_t key_size, std::unique_ptr<Impl> impl);
  std::size_t m_key_size = 0;
  std::array<std::uint8_t, kSaltSize> m_salt{};
  std::size_t m_salt_len = 0;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ipseckit::crypto
