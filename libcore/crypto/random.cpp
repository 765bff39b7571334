#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>  // explicit_bzero (glibc)

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace ipseckit::crypto {

void random_bytes(std::uint8_t* out, std::size_t n) {
  if (n == 0) return;
  if (n > 0x7fffffff || RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("ipseckit: the random number generator failed\n", stderr);
    std::abort();
  }
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  random_bytes(b.data(), n);
  return b;
}

RandomPool::~RandomPool() { explicit_bzero(m_pool, sizeof m_pool); }

void RandomPool::fill(std::uint8_t* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    if (m_left == 0) {
      m_source(m_pool, sizeof m_pool);
      m_left = sizeof m_pool;
    }
    const std::size_t k = std::min(m_left, n - done);
    std::uint8_t* from = m_pool + (sizeof m_pool - m_left);
    std::copy_n(from, k, out + done);
    explicit_bzero(from, k);  // hand out each byte once, keep none
    m_left -= k;
    done += k;
  }
}

std::string random_guid() {
  std::uint8_t b[16];
  random_bytes(b, sizeof b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return fmt::format("{{{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                     b[14], b[15]);
}

bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ipseckit::crypto
