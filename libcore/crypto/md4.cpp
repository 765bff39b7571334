#include "crypto/md4.h"

#include <openssl/evp.h>

#include <mutex>

#include "crypto/cipher.h"

namespace ipseckit::crypto {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, unsigned s) { return (x << s) | (x >> (32 - s)); }
constexpr std::uint32_t F(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (~x & z); }
constexpr std::uint32_t G(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (x & z) | (y & z); }
constexpr std::uint32_t H(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; }

// RFC 1320 §3.4: one 16-word block.
void md4_block(std::array<std::uint32_t, 4>& st, const std::uint8_t* p) {
  std::array<std::uint32_t, 16> X{};
  for (std::size_t i = 0; i < 16; ++i)
    X[i] = std::uint32_t{p[4 * i]} | (std::uint32_t{p[4 * i + 1]} << 8) | (std::uint32_t{p[4 * i + 2]} << 16) |
           (std::uint32_t{p[4 * i + 3]} << 24);
  std::uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
  // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s
  static constexpr unsigned s1[4] = {3, 7, 11, 19};
  for (unsigned i = 0; i < 16; ++i) {
    const std::uint32_t t = a + F(b, c, d) + X[i];
    a = d; d = c; c = b; b = rotl(t, s1[i % 4]);
  }
  // Round 2: a = (a + G(b,c,d) + X[k] + 5A827999) <<< s, k = 0,4,8,12,1,5,...
  static constexpr unsigned s2[4] = {3, 5, 9, 13};
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned k = (i % 4) * 4 + i / 4;
    const std::uint32_t t = a + G(b, c, d) + X[k] + 0x5A827999u;
    a = d; d = c; c = b; b = rotl(t, s2[i % 4]);
  }
  // Round 3: a = (a + H(b,c,d) + X[k] + 6ED9EBA1) <<< s, k = 0,8,4,12,2,10,6,14,1,...
  static constexpr unsigned s3[4] = {3, 9, 11, 15};
  static constexpr unsigned k3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
  for (unsigned i = 0; i < 16; ++i) {
    const std::uint32_t t = a + H(b, c, d) + X[k3[i]] + 0x6ED9EBA1u;
    a = d; d = c; c = b; b = rotl(t, s3[i % 4]);
  }
  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
}

const EVP_MD* openssl_md4() {
  static std::once_flag once;
  static EVP_MD* md = nullptr;
  std::call_once(once, [] {
    if (load_legacy_provider()) md = EVP_MD_fetch(nullptr, "MD4", nullptr);
  });
  return md;
}

}  // namespace

Md4Digest md4_rfc1320(ByteView data) {
  std::array<std::uint32_t, 4> st{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u};
  std::size_t full = data.size() / 64;
  for (std::size_t i = 0; i < full; ++i) md4_block(st, data.data() + 64 * i);
  // §3.1-3.2: pad with 0x80, zeros to 56 mod 64, then the bit length (64-bit little-endian).
  std::array<std::uint8_t, 128> tail{};
  const std::size_t rest = data.size() - full * 64;
  for (std::size_t i = 0; i < rest; ++i) tail[i] = data[full * 64 + i];
  tail[rest] = 0x80;
  const std::size_t tail_len = rest < 56 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (std::size_t i = 0; i < 8; ++i) tail[tail_len - 8 + i] = static_cast<std::uint8_t>(bits >> (8 * i));
  for (std::size_t off = 0; off < tail_len; off += 64) md4_block(st, tail.data() + off);
  Md4Digest out{};
  for (std::size_t i = 0; i < 16; ++i) out[i] = static_cast<std::uint8_t>(st[i / 4] >> (8 * (i % 4)));
  return out;
}

bool md4_uses_openssl() { return openssl_md4() != nullptr; }

Md4Digest md4(ByteView data) {
  Md4Digest out{};
  const EVP_MD* md = openssl_md4();
  unsigned int len = 0;
  if (md != nullptr && EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) == 1 && len == out.size())
    return out;
  return md4_rfc1320(data);
}

}  // namespace ipseckit::crypto
