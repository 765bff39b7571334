// Internal to libcore/crypto's DH implementation (dh.cpp): g^x mod p for a MODP group's fixed
// generator from a table of precomputed powers (a fixed-base comb, HAC 14.109 with radix 2^4),
// so that the key generation half of a MODP Diffie-Hellman costs about a quarter of the
// derivation half instead of as much (bench/ike: the responder's two exponentiations were ~64 %
// of its CPU per MODP-2048 negotiation).
//
// For an exponent of at most 4 * W bits, x = sum d_i 16^i with digits 0 <= d_i < 16, and
// g^x = prod_i T[i][d_i] with T[i][d] = g^(d 16^i): W - 1 Montgomery multiplications, against
// the ~225 squarings and ~45 multiplications of BN_mod_exp_mont_consttime for 225 bits. The
// table entry of each digit is read by a constant-time scan of all 16 entries of its row
// (every word read, selected with masks), so neither the memory accesses nor a branch depend on
// the secret exponent. The multiplications are OpenSSL's BN_mod_mul_montgomery: the same
// Montgomery code as BN_mod_exp_mont_consttime's, except that its result is normalised (a
// shorter loop when a product's top word is zero, which happens with probability 2^-64).
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace ipseckit::crypto {

class FixedBaseTable {
 public:
  // The powers of g modulo p (mont: p's Montgomery context) for exponents of up to max_bits
  // bits; nullptr when OpenSSL fails. Building costs ~20 multiplications per 4 bits (~1 ms for
  // MODP-2048), done once per group and process; the table takes max_bits / 4 * 16 * |p| bytes
  // (233 KB for MODP-2048's 225 bits).
  static std::unique_ptr<FixedBaseTable> build(unsigned long g, const BIGNUM* p, BN_MONT_CTX* mont, unsigned max_bits);

  unsigned max_bits() const { return 4 * m_windows; }

  // out = g^x mod p. False when x is negative or longer than max_bits() (the caller then uses
  // the general exponentiation) or when OpenSSL fails. Reads the table only; safe to call from
  // several threads.
  bool pow(BIGNUM* out, const BIGNUM* x, BN_MONT_CTX* mont, BN_CTX* ctx) const;

 private:
  FixedBaseTable(unsigned windows, std::size_t bytes) : m_windows(windows), m_bytes(bytes) {}
  // Row i's 16 entries, each m_bytes little-endian bytes (BN_bn2lebinpad), in Montgomery form.
  const std::uint8_t* row(unsigned i) const { return m_table.data() + static_cast<std::size_t>(i) * 16 * m_bytes; }
  void select(unsigned i, unsigned digit, std::uint8_t* out) const;

  unsigned m_windows;  // 4-bit digits
  std::size_t m_bytes;  // |p| in bytes, a multiple of 8
  std::vector<std::uint8_t> m_table;
};

}  // namespace ipseckit::crypto
