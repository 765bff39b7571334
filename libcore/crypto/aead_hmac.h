// The integrity half of ESP/AH's non-AEAD transforms: HMAC (RFC 2104) truncated to the ICV
// length of HMAC-MD5-96 (RFC 2403), HMAC-SHA1-96 (RFC 2404) and HMAC-SHA-256-128 /
// -384-192 / -512-256 (RFC 4868). Unlike crypto::Hmac (hash.h), which returns a Bytes per
// message, IcvHmac writes into caller memory and verifies in constant time, so the ESP data
// path allocates nothing per packet. The keyed context is kept; begin() only resets it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/hash.h"

namespace ipseckit::crypto {

class IcvHmac {
 public:
  static constexpr std::size_t kMaxIcv = 64;

  // icv_len: 1..digest_size(alg) (RFC 2104 §5: the leftmost bytes are kept).
  static Result<IcvHmac> create(HashAlg alg, ByteView key, std::size_t icv_len);
  ~IcvHmac();
  IcvHmac(IcvHmac&&) noexcept;
  IcvHmac& operator=(IcvHmac&&) noexcept;
  IcvHmac(const IcvHmac&) = delete;
  IcvHmac& operator=(const IcvHmac&) = delete;

  HashAlg alg() const { return m_alg; }
  std::size_t icv_size() const { return m_icv_len; }

  // begin(), update()*, then finish() or verify(). A failed OpenSSL call latches and makes
  // finish()/verify() return false.
  void begin();
  void update(ByteView data);
  bool finish(std::span<std::uint8_t> icv);  // writes icv_size() bytes (icv.size() >= icv_size())
  bool verify(ByteView icv);                 // icv.size() == icv_size(); constant-time compare

 private:
  struct Impl;
  IcvHmac(HashAlg alg, std::size_t icv_len, std::unique_ptr<Impl> impl);
  HashAlg m_alg;
  std::size_t m_icv_len;
  bool m_failed = false;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ipseckit::crypto
