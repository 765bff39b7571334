// DH groups: the constants against the RFCs' formula and OpenSSL's own RFC 3526 tables, two-
// sided agreement for every group, RFC 5903 known answers for ECP, and peer-value validation.
#include <doctest/doctest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "crypto/dh.h"
#include "crypto/dh_internal.h"  // GroupInfo::secret_bits: the generated exponents' length
#include "unit/ikecrypto/vec_file.h"

using namespace ipseckit;
using namespace ipseckit::crypto;
using ipseckit::test::hex_bytes;

namespace {

constexpr DhGroupId kAll[] = {DhGroupId::modp768,  DhGroupId::modp1024, DhGroupId::modp1536, DhGroupId::modp2048,
                              DhGroupId::modp3072, DhGroupId::modp4096, DhGroupId::ecp256,   DhGroupId::ecp384};
constexpr DhGroupId kModp[] = {DhGroupId::modp768,  DhGroupId::modp1024, DhGroupId::modp1536,
                               DhGroupId::modp2048, DhGroupId::modp3072, DhGroupId::modp4096};

// Big-endian a - k for a small k, in place.
void sub_small(Bytes& a, std::uint32_t k) {
  std::int64_t borrow = k;
  for (std::size_t i = a.size(); i-- > 0 && borrow;) {
    std::int64_t v = a[i] - (borrow & 0xFF);
    borrow >>= 8;
    if (v < 0) {
      v += 256;
      ++borrow;
    }
    a[i] = static_cast<std::uint8_t>(v);
  }
}

// OpenSSL's own copy of an RFC 3526 prime (an independent source for the constants).
Bytes openssl_named_prime(const char* group) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  REQUIRE(ctx);
  EVP_PKEY* params = nullptr;
  REQUIRE(EVP_PKEY_paramgen_init(ctx) == 1);
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
                    OSSL_PARAM_construct_end()};
  REQUIRE(EVP_PKEY_CTX_set_params(ctx, p) == 1);
  REQUIRE(EVP_PKEY_generate(ctx, &params) == 1);
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &bn) == 1);
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  EVP_PKEY_free(params);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

bool is_safe_prime(ByteView p) {
  BIGNUM* bp = BN_bin2bn(p.data(), static_cast<int>(p.size()), nullptr);
  BIGNUM* q = BN_dup(bp);
  BN_rshift1(q, q);
  BN_CTX* ctx = BN_CTX_new();
  const bool ok = BN_check_prime(bp, ctx, nullptr) == 1 && BN_check_prime(q, ctx, nullptr) == 1;
  BN_CTX_free(ctx);
  BN_free(q);
  BN_free(bp);
  return ok;
}

}  // namespace

TEST_CASE("MODP constants: sizes, RFC formula (2^N - 2^(N-64) - 1 + 2^64 ([2^(N-130) pi] + k)), OpenSSL's tables") {
  struct G {
    DhGroupId id;
    std::size_t bits;
    std::uint32_t k;  // RFC 2409 6.1/6.2, RFC 3526 2-5
  };
  const G groups[] = {{DhGroupId::modp768, 768, 149686},    {DhGroupId::modp1024, 1024, 129093},
                      {DhGroupId::modp1536, 1536, 741804},  {DhGroupId::modp2048, 2048, 124476},
                      {DhGroupId::modp3072, 3072, 1690314}, {DhGroupId::modp4096, 4096, 240904}};
  // The formula leaves 64 one bits at each end; the N-128 middle bits hold M - 1 where
  // M = [2^(N-130) pi] + k (the low ones' borrow). So middle - (k - 1) = [2^(N-130) pi], and
  // each group's value must be a prefix of group 16's floor(2^3966 pi).
  Bytes pi = [] {
    const ByteView p16 = group_prime(DhGroupId::modp4096);
    Bytes m(p16.begin() + 8, p16.end() - 8);
    sub_small(m, 240904 - 1);
    return m;
  }();
  for (const auto& g : groups) {
    CAPTURE(name(g.id));
    const ByteView p = group_prime(g.id);
    REQUIRE(p.size() * 8 == g.bits);
    CHECK(public_value_size(g.id) == g.bits / 8);
    CHECK(shared_secret_size(g.id) == g.bits / 8);
    for (std::size_t i = 0; i < 8; ++i) {
      CHECK(p[i] == 0xFF);
      CHECK(p[p.size() - 1 - i] == 0xFF);
    }
    Bytes mid(p.begin() + 8, p.end() - 8);
    sub_small(mid, g.k - 1);
    CHECK(to_hex(mid) == to_hex(ByteView(pi).first(mid.size())));
  }
  // Independent copies: OpenSSL's built-in RFC 3526 groups.
  CHECK(to_hex(group_prime(DhGroupId::modp1536)) == to_hex(openssl_named_prime("modp_1536")));
  CHECK(to_hex(group_prime(DhGroupId::modp2048)) == to_hex(openssl_named_prime("modp_2048")));
  CHECK(to_hex(group_prime(DhGroupId::modp3072)) == to_hex(openssl_named_prime("modp_3072")));
  CHECK(to_hex(group_prime(DhGroupId::modp4096)) == to_hex(openssl_named_prime("modp_4096")));
  // The Oakley groups are safe primes (the range check in validate_public_value relies on it).
  CHECK(is_safe_prime(group_prime(DhGroupId::modp768)));
  CHECK(is_safe_prime(group_prime(DhGroupId::modp1024)));
  CHECK(kModpGenerator == 2);
  CHECK(dh_group_from_number(14) == DhGroupId::modp2048);
  CHECK(dh_group_from_number(20) == DhGroupId::ecp384);
  CHECK_FALSE(dh_group_from_number(24).has_value());
  CHECK_FALSE(dh_group_from_number(3).has_value());
  CHECK(public_value_size(DhGroupId::ecp256) == 64);
  CHECK(shared_secret_size(DhGroupId::ecp384) == 48);
  CHECK(is_ecp(DhGroupId::ecp256));
  CHECK_FALSE(is_ecp(DhGroupId::modp2048));
  CHECK(name(DhGroupId::modp1024) == "modp1024");
}

TEST_CASE("DH agreement between two sides, every group") {
  for (const auto g : kAll) {
    CAPTURE(name(g));
    auto a = DhGroup::generate(g);
    auto b = DhGroup::generate(g);
    REQUIRE_MESSAGE(a.ok(), a.error().message);
    REQUIRE(b.ok());
    CHECK(a->public_value().size() == public_value_size(g));
    CHECK(a->public_value() .size() == b->public_value().size());
    CHECK(to_hex(a->public_value()) != to_hex(b->public_value()));
    auto s1 = a->shared_secret(b->public_value());
    auto s2 = b->shared_secret(a->public_value());
    REQUIRE_MESSAGE(s1.ok(), s1.error().message);
    REQUIRE(s2.ok());
    CHECK(s1->size() == shared_secret_size(g));
    CHECK(*s1 == *s2);
    DhGroup moved = std::move(*a);
    CHECK(moved.id() == g);
    CHECK(*moved.shared_secret(b->public_value()) == *s2);
  }
}

TEST_CASE("MODP with known exponents: g^x, padding, and (g^a)^b == (g^b)^a") {
  // x = 2: g^x = 4, padded to the prime's length.
  auto two = DhGroup::from_private(DhGroupId::modp1024, hex_bytes("02"));
  REQUIRE(two.ok());
  Bytes four(128);
  four.back() = 4;
  CHECK(to_hex(two->public_value()) == to_hex(four));
  // x = 3 against peer 4: 4^3 = 64, a short secret padded with leading zeros.
  auto three = DhGroup::from_private(DhGroupId::modp1024, hex_bytes("03"));
  auto s = three->shared_secret(two->public_value());
  REQUIRE(s.ok());
  Bytes sixty_four(128);
  sixty_four.back() = 64;
  CHECK(Bytes(s->data(), s->data() + s->size()) == sixty_four);
  CHECK_FALSE(DhGroup::from_private(DhGroupId::modp1024, hex_bytes("01")).ok());
  CHECK_FALSE(DhGroup::from_private(DhGroupId::modp1024, group_prime(DhGroupId::modp1024)).ok());
}

// g^x mod p by OpenSSL's general (not constant-time) exponentiation: an independent reference.
Bytes reference_power(DhGroupId g, const BIGNUM* x) {
  const ByteView prime = group_prime(g);
  BIGNUM* p = BN_bin2bn(prime.data(), static_cast<int>(prime.size()), nullptr);
  BIGNUM* two = BN_new();
  BIGNUM* r = BN_new();
  BN_CTX* ctx = BN_CTX_new();
  BN_set_word(two, 2);
  REQUIRE(BN_mod_exp(r, two, x, p, ctx) == 1);
  Bytes out(prime.size());
  BN_bn2binpad(r, out.data(), static_cast<int>(out.size()));
  BN_CTX_free(ctx);
  BN_free(r);
  BN_free(two);
  BN_free(p);
  return out;
}

TEST_CASE("MODP public values (the generator's table, dh_fixed_base.h) equal a general g^x for every digit pattern") {
  for (const auto g : kModp) {
    CAPTURE(name(g));
    const ByteView prime = group_prime(g);
    // The table covers the generated keys' length rounded up to whole 4-bit digits; one bit
    // more takes the general exponentiation. Both must give the same public value.
    const int table_bits = static_cast<int>(group_info(g)->secret_bits + 3) / 4 * 4;
    std::vector<BIGNUM*> xs;
    for (int i = 0; i < 12; ++i) {  // random, with the top bit at every length near the table's
      BIGNUM* x = BN_new();
      const int bits = table_bits - 4 + i % 6;
      REQUIRE(BN_rand(x, bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1);
      xs.push_back(x);
    }
    for (unsigned d = 2; d < 16; ++d) {  // one digit d in the lowest, a middle and the top window
      for (int shift : {0, table_bits / 2 / 4 * 4, table_bits - 4}) {
        BIGNUM* x = BN_new();
        BN_set_word(x, d);
        BN_lshift(x, x, shift);
        xs.push_back(x);
      }
    }
    BIGNUM* ones = BN_new();  // every digit 15
    BN_set_bit(ones, table_bits);
    BN_sub_word(ones, 1);
    xs.push_back(ones);
    BIGNUM* sparse = BN_new();  // digits 1, 0, 1, 0, ... with 0 in the top window
    for (int b = 0; b < table_bits - 4; b += 8) BN_set_bit(sparse, b);
    xs.push_back(sparse);
    for (BIGNUM* x : xs) {
      const int bits = BN_num_bits(x);
      CAPTURE(bits);
      Bytes xb(static_cast<std::size_t>(BN_num_bytes(x)));
      BN_bn2bin(x, xb.data());
      auto k = DhGroup::from_private(g, xb);
      REQUIRE(k.ok());
      CHECK(to_hex(k->public_value()) == to_hex(reference_power(g, x)));
      CHECK(k->public_value().size() == prime.size());
      BN_free(x);
    }
  }
}

TEST_CASE("MODP validation: 0, 1, p-1, p, > p and wrong lengths are refused; 2 and p-2 pass") {
  for (const auto g : kModp) {
    CAPTURE(name(g));
    const ByteView p = group_prime(g);
    auto key = DhGroup::generate(g);
    REQUIRE(key.ok());
    Bytes v(p.size());
    CHECK(validate_public_value(g, v).error().proto == 17);  // 0
    v.back() = 1;
    CHECK_FALSE(validate_public_value(g, v).ok());  // 1
    CHECK_FALSE(key->shared_secret(v).ok());
    v.back() = 2;
    CHECK(validate_public_value(g, v).ok());
    Bytes pm1(p.begin(), p.end());
    pm1.back() = static_cast<std::uint8_t>(pm1.back() - 1);
    CHECK_FALSE(validate_public_value(g, pm1).ok());  // p - 1 (order 2)
    CHECK_FALSE(key->shared_secret(pm1).ok());
    Bytes pm2 = pm1;
    pm2.back() = static_cast<std::uint8_t>(pm2.back() - 1);
    CHECK(validate_public_value(g, pm2).ok());
    CHECK_FALSE(validate_public_value(g, p).ok());  // p
    Bytes ff(p.size(), 0xFF);
    CHECK_FALSE(validate_public_value(g, ff).ok());  // > p
    Bytes shorter(p.begin() + 1, p.end());
    CHECK_FALSE(validate_public_value(g, shorter).ok());
    Bytes longer(p.size() + 1);
    longer.back() = 5;
    CHECK_FALSE(validate_public_value(g, longer).ok());
  }
}

TEST_CASE("ECP: RFC 5903 section 8 known answers for groups 19 and 20") {
  struct Kat {
    DhGroupId g;
    const char *i, *gi, *r, *gr, *gir;
  };
  const Kat kats[] = {
      {DhGroupId::ecp256, "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
       "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
       "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
       "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
       "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
       "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
       "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"},
      {DhGroupId::ecp384,
       "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
       "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA"
       "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
       "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
       "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571"
       "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
       "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"},
  };
  for (const auto& k : kats) {
    CAPTURE(name(k.g));
    auto i = DhGroup::from_private(k.g, hex_bytes(k.i));
    auto r = DhGroup::from_private(k.g, hex_bytes(k.r));
    REQUIRE_MESSAGE(i.ok(), i.error().message);
    REQUIRE(r.ok());
    CHECK(to_hex(i->public_value()) == to_hex(hex_bytes(k.gi)));
    CHECK(to_hex(r->public_value()) == to_hex(hex_bytes(k.gr)));
    auto s1 = i->shared_secret(r->public_value());
    auto s2 = r->shared_secret(i->public_value());
    REQUIRE(s1.ok());
    REQUIRE(s2.ok());
    CHECK(to_hex(ByteView(s1->data(), s1->size())) == to_hex(hex_bytes(k.gir)));
    CHECK(*s1 == *s2);
  }
}

TEST_CASE("ECP validation: off-curve points, coordinates >= p, zeros and lengths are refused") {
  for (const auto g : {DhGroupId::ecp256, DhGroupId::ecp384}) {
    CAPTURE(name(g));
    auto key = DhGroup::generate(g);
    REQUIRE(key.ok());
    const Bytes good(key->public_value().begin(), key->public_value().end());
    CHECK(validate_public_value(g, good).ok());
    Bytes off = good;
    off.back() ^= 1;  // y + 1 (or - 1): no longer on the curve
    CHECK(validate_public_value(g, off).error().proto == 17);
    CHECK_FALSE(key->shared_secret(off).ok());
    CHECK_FALSE(validate_public_value(g, Bytes(good.size())).ok());  // (0, 0)
    const std::size_t n = good.size() / 2;
    const ByteView p = group_prime(g);
    Bytes big_x = good;  // x = p: outside the field
    std::copy(p.begin(), p.end(), big_x.begin());
    CHECK_FALSE(validate_public_value(g, big_x).ok());
    Bytes big_y = good;
    std::fill(big_y.begin() + static_cast<std::ptrdiff_t>(n), big_y.end(), 0xFF);
    CHECK_FALSE(validate_public_value(g, big_y).ok());
    CHECK_FALSE(validate_public_value(g, ByteView(good).first(good.size() - 1)).ok());
    Bytes with_prefix{0x04};
    with_prefix.insert(with_prefix.end(), good.begin(), good.end());
    CHECK_FALSE(validate_public_value(g, with_prefix).ok());
  }
  CHECK_FALSE(DhGroup::from_private(DhGroupId::ecp256, Bytes(32)).ok());
  CHECK_FALSE(DhGroup::generate(static_cast<DhGroupId>(24)).ok());
  CHECK_FALSE(validate_public_value(static_cast<DhGroupId>(3), Bytes(4)).ok());
}
