// Randomness and identifiers from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/bytes.h"

namespace ipseckit::crypto {

// Fills out with cryptographically strong random bytes; aborts if the RNG fails.
void random_bytes(std::uint8_t* out, std::size_t n);
Bytes random_bytes(std::size_t n);
// random_bytes drawn 4 KiB at a time, for the many small draws of the data and control planes
// (CBC IVs, IKE cookies, nonces, SPIs): a RAND_bytes call has a fixed cost (OpenSSL 3.0: DRBG
// lookup, locks, reseed checks; ~1.9 us for 8 bytes as for 256) that made ~3 % of an IKE
// responder's CPU, where 16 bytes from the pool cost ~20 ns. Each byte is handed out once and
// wiped from the pool as it goes, and the unused rest is wiped on destruction, so the pool
// keeps no copy of anything it gave out.
// Not for private keys: DH private keys come from BN_priv_rand_* (dh.cpp), OpenSSL's separate
// private DRBG. One per thread (not thread-safe), and not to be shared across fork() (parent
// and child would hand out the same bytes); not copyable for the same reason.
class RandomPool {
 public:
  using Source = void (*)(std::uint8_t* out, std::size_t n);
  // `source` refills the pool; tests pass their own to see the refills.
  explicit RandomPool(Source source = &random_bytes) : m_source(source) {}
  ~RandomPool();
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;

  void fill(std::uint8_t* out, std::size_t n);
  static constexpr std::size_t kSize = 4096;

 private:
  Source m_source;
  std::uint8_t m_pool[kSize];
  std::size_t m_left = 0;  // the unused bytes are the last m_left of m_pool
};

// A random (version 4) GUID in Windows' registry form: "{8D0E3C2A-...}" (upper-case hex).
std::string random_guid();
// Constant-time comparison.
bool equal_ct(ByteView a, ByteView b);

}  // namespace ipseckit::crypto
