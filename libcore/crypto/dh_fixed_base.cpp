#include "crypto/dh_fixed_base.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <array>
#include <cstring>

namespace ipseckit::crypto {
namespace {

constexpr std::size_t kMaxBytes = 512;  // MODP-4096, the largest group dh.cpp knows
constexpr unsigned kMaxBits = 512;      // longest exponent a table may cover

// All ones when a == b, else 0, without a branch (BoringSSL's constant_time_eq_w). The empty
// asm keeps the compiler from turning the masked selection below back into a branch.
std::uint64_t eq_mask(std::uint64_t a, std::uint64_t b) {
  std::uint64_t m = 0 - (((a ^ b) - 1) >> 63);  // a ^ b < 2^63 here, so only 0 sets the top bit
  __asm__("" : "+r"(m));
  return m;
}

struct CtxFrame {  // BN_CTX_start/BN_CTX_end around a function's temporaries
  explicit CtxFrame(BN_CTX* c) : ctx(c) { BN_CTX_start(ctx); }
  ~CtxFrame() { BN_CTX_end(ctx); }
  CtxFrame(const CtxFrame&) = delete;
  CtxFrame& operator=(const CtxFrame&) = delete;
  BN_CTX* ctx;
};

}  // namespace

std::unique_ptr<FixedBaseTable> FixedBaseTable::build(unsigned long g, const BIGNUM* p, BN_MONT_CTX* mont,
                                                      unsigned max_bits) {
  const std::size_t bytes = static_cast<std::size_t>(BN_num_bytes(p));
  if (bytes == 0 || bytes > kMaxBytes || bytes % 8 != 0 || max_bits == 0 || max_bits > kMaxBits) return nullptr;
  std::unique_ptr<FixedBaseTable> t(new FixedBaseTable((max_bits + 3) / 4, bytes));
  t->m_table.resize(static_cast<std::size_t>(t->m_windows) * 16 * bytes);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  if (!ctx) return nullptr;
  CtxFrame frame(ctx.get());
  BIGNUM* one = BN_CTX_get(ctx.get());   // 1 in Montgomery form: the entry of digit 0
  BIGNUM* base = BN_CTX_get(ctx.get());  // g^(16^i), Montgomery form
  BIGNUM* cur = BN_CTX_get(ctx.get());
  if (!cur || BN_to_montgomery(one, BN_value_one(), mont, ctx.get()) != 1 || BN_set_word(cur, g) != 1 ||
      BN_to_montgomery(base, cur, mont, ctx.get()) != 1)
    return nullptr;
  const int len = static_cast<int>(bytes);
  for (unsigned i = 0; i < t->m_windows; ++i) {
    std::uint8_t* r = t->m_table.data() + static_cast<std::size_t>(i) * 16 * bytes;
    if (BN_bn2lebinpad(one, r, len) != len || !BN_copy(cur, base)) return nullptr;
    for (unsigned d = 1; d < 16; ++d) {  // cur = g^(d 16^i)
      if (d > 1 && BN_mod_mul_montgomery(cur, cur, base, mont, ctx.get()) != 1) return nullptr;
      if (BN_bn2lebinpad(cur, r + d * bytes, len) != len) return nullptr;
    }
    // g^(16^(i+1)) = g^(15 16^i) g^(16^i)
    if (BN_mod_mul_montgomery(base, cur, base, mont, ctx.get()) != 1) return nullptr;
  }
  return t;
}

void FixedBaseTable::select(unsigned i, unsigned digit, std::uint8_t* out) const {
  std::array<std::uint64_t, kMaxBytes / 8> acc{};
  const std::size_t words = m_bytes / 8;
  const std::uint8_t* r = row(i);
  for (unsigned d = 0; d < 16; ++d) {
    const std::uint64_t mask = eq_mask(d, digit);
    const std::uint8_t* e = r + d * m_bytes;
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t v;
      std::memcpy(&v, e + 8 * w, 8);
      acc[w] |= v & mask;
    }
  }
  std::memcpy(out, acc.data(), m_bytes);
  OPENSSL_cleanse(acc.data(), m_bytes);
}

bool FixedBaseTable::pow(BIGNUM* out, const BIGNUM* x, BN_MONT_CTX* mont, BN_CTX* ctx) const {
  // The exponent's length is public (a generated one always has its top bit set).
  if (BN_is_negative(x) || BN_num_bits(x) > static_cast<int>(max_bits())) return false;
  std::array<std::uint8_t, kMaxBits / 8> xb{};  // x, little-endian: digit i is nibble i
  std::array<std::uint8_t, kMaxBytes> entry{};
  const int xlen = static_cast<int>((max_bits() + 7) / 8);
  bool ok = BN_bn2lebinpad(x, xb.data(), xlen) == xlen;
  const auto digit = [&](unsigned i) { return static_cast<unsigned>(xb[i / 2] >> (4 * (i % 2))) & 0xFu; };
  {
    CtxFrame frame(ctx);
    BIGNUM* acc = BN_CTX_get(ctx);
    BIGNUM* e = BN_CTX_get(ctx);
    ok = ok && e;
    const int len = static_cast<int>(m_bytes);
    for (unsigned i = 0; ok && i < m_windows; ++i) {
      select(i, digit(i), entry.data());
      if (i == 0)
        ok = BN_lebin2bn(entry.data(), len, acc) != nullptr;
      else
        ok = BN_lebin2bn(entry.data(), len, e) != nullptr && BN_mod_mul_montgomery(acc, acc, e, mont, ctx) == 1;
    }
    ok = ok && BN_from_montgomery(out, acc, mont, ctx) == 1;
  }
  OPENSSL_cleanse(entry.data(), entry.size());
  OPENSSL_cleanse(xb.data(), xb.size());
  return ok;
}

}  // namespace ipseckit::crypto
