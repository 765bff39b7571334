// DhGroup: MODP with OpenSSL BIGNUM (constant-time Montgomery exponentiation, a short
// exponent, key generation from a table of the generator's powers (dh_fixed_base.h), our own
// range check) and ECP with OpenSSL's EC_POINT arithmetic (the operations
// OpenSSL's own EC key generation and ECDH run, after our own on-curve check). The per-group
// state (prime, Montgomery context, EC_GROUP with its generator tables) is built once per
// process and only read afterwards: rebuilding it per key cost about a sixth of a responder's
// CPU (bench/ike). OpenSSL types stay in this file.
#include "crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <mutex>

#include <fmt/format.h>

#include "crypto/dh_fixed_base.h"
#include "crypto/dh_internal.h"

namespace ipseckit::crypto {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct MontFree {
  void operator()(BN_MONT_CTX* m) const { BN_MONT_CTX_free(m); }
};
struct GroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;
using Mont = std::unique_ptr<BN_MONT_CTX, MontFree>;
using EcGroup = std::unique_ptr<EC_GROUP, GroupFree>;
using EcPoint = std::unique_ptr<EC_POINT, PointFree>;

Bn bn_from(ByteView b) { return Bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }

// The curves, built once: EC_GROUP is only read by the point functions used here (P-256 gets
// OpenSSL's constant-time nistz256 code with its fixed-base table for key generation).
const EC_GROUP* curve(DhGroupId g) {
  static const std::array<EcGroup, 2> groups{EcGroup(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)),
                                             EcGroup(EC_GROUP_new_by_curve_name(NID_secp384r1))};
  return groups[g == DhGroupId::ecp256 ? 0 : 1].get();
}

// A MODP group's prime and Montgomery context, built once; BN_mod_exp_mont_consttime only
// reads a context it is given (it takes a non-const pointer for the case it builds one).
// The generator's table of powers (dh_fixed_base.h) is built on the group's first key.
struct Modp {
  Bn p;
  Mont mont;
  mutable std::once_flag table_once;
  mutable std::unique_ptr<FixedBaseTable> table;  // null: build failed; the general exponentiation
};

constexpr std::array<DhGroupId, 6> kModpIds{DhGroupId::modp768,  DhGroupId::modp1024, DhGroupId::modp1536,
                                            DhGroupId::modp2048, DhGroupId::modp3072, DhGroupId::modp4096};

struct ModpGroups {
  std::array<Modp, kModpIds.size()> groups;
  ModpGroups() {
    BnCtx ctx(BN_CTX_new());
    for (std::size_t i = 0; i < kModpIds.size(); ++i) {
      Bn p = bn_from(group_prime(kModpIds[i]));
      Mont m(BN_MONT_CTX_new());
      if (!ctx || !p || !m || BN_MONT_CTX_set(m.get(), p.get(), ctx.get()) != 1) continue;  // stays empty: an error later
      groups[i].p = std::move(p);
      groups[i].mont = std::move(m);
    }
  }
};

const Modp* modp(DhGroupId g) {
  static const ModpGroups all;
  const auto it = std::find(kModpIds.begin(), kModpIds.end(), g);
  if (it == kModpIds.end()) return nullptr;
  const Modp& m = all.groups[static_cast<std::size_t>(it - kModpIds.begin())];
  return m.mont ? &m : nullptr;
}

// Big-endian comparison of equal-length strings: -1, 0 or 1.
int compare_be(ByteView a, ByteView b) {
  if (std::equal(a.begin(), a.end(), b.begin(), b.end())) return 0;
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()) ? -1 : 1;
}

Error crypto_error(std::string m) { return Error::make("crypto", std::move(m)); }

// RFC 5903 7 / RFC 6989 2.3: x | y, each below the field prime, on the curve (cofactor 1, so
// no subgroup test). The decoded point, for the derivation.
Result<EcPoint> peer_point(DhGroupId g, const GroupInfo& info, ByteView peer) {
  const ByteView prime = group_prime(g);
  if (peer.size() != 2 * info.bytes)
    return key_error(fmt::format("{} public value of {} bytes (needs {})", info.name, peer.size(), 2 * info.bytes));
  if (compare_be(peer.first(info.bytes), prime) >= 0 || compare_be(peer.subspan(info.bytes), prime) >= 0)
    return key_error(fmt::format("{} public value has a coordinate outside the field", info.name));
  const EC_GROUP* grp = curve(g);
  EcPoint pt(grp ? EC_POINT_new(grp) : nullptr);
  if (!pt) return crypto_error("OpenSSL cannot set up the curve");
  std::array<std::uint8_t, 1 + 2 * 48> enc{};
  enc[0] = 0x04;  // SEC 1 uncompressed point
  std::copy(peer.begin(), peer.end(), enc.begin() + 1);
  if (EC_POINT_oct2point(grp, pt.get(), enc.data(), 1 + peer.size(), nullptr) != 1 ||
      EC_POINT_is_on_curve(grp, pt.get(), nullptr) != 1)
    return key_error(fmt::format("{} public value is not a point on the curve", info.name));
  return pt;
}

}  // namespace

struct DhGroup::Impl {
  Bn priv;  // MODP exponent x, or ECP scalar d (BN_FLG_CONSTTIME)
};

DhGroup::DhGroup(DhGroupId id, std::unique_ptr<Impl> impl, Bytes pub) : m_id(id), m_impl(std::move(impl)), m_public(std::move(pub)) {}
DhGroup::~DhGroup() = default;
DhGroup::DhGroup(DhGroup&&) noexcept = default;
DhGroup& DhGroup::operator=(DhGroup&&) noexcept = default;

Status validate_public_value(DhGroupId g, ByteView peer) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  if (info->ecp) {
    IPSECKIT_TRY(peer_point(g, *info, peer));
    return {};
  }
  const ByteView prime = group_prime(g);
  // RFC 2409 5: the public value is padded to the prime's length.
  if (peer.size() != info->bytes)
    return key_error(fmt::format("{} public value of {} bytes (needs {})", info->name, peer.size(), info->bytes));
  // 1 < y: some byte before the last is non-zero, or the last is > 1.
  const bool high = std::any_of(peer.begin(), peer.end() - 1, [](std::uint8_t b) { return b != 0; });
  if (!high && peer.back() <= 1) return key_error(fmt::format("{} public value is {}", info->name, peer.back()));
  // y < p - 1 (p is odd and ends in 0xFF, so p - 1 differs from p only in the last byte).
  const int c = compare_be(peer.first(peer.size() - 1), prime.first(prime.size() - 1));
  if (c > 0 || (c == 0 && peer.back() >= prime.back() - 1))
    return key_error(fmt::format("{} public value is not below p - 1", info->name));
  return {};
}

namespace {

// g^x mod p for a MODP group (x already range-checked): from the generator's table when x fits
// it (every generated key), else (a longer imported one) by the general exponentiation.
Result<Bytes> modp_public(const GroupInfo& info, const Modp& m, const BIGNUM* priv) {
  std::call_once(m.table_once,
                 [&] { m.table = FixedBaseTable::build(kModpGenerator, m.p.get(), m.mont.get(), info.secret_bits); });
  BnCtx ctx(BN_CTX_new());
  Bn pub(BN_new());
  if (!ctx || !pub) return crypto_error(fmt::format("{}: exponentiation failed", info.name));
  if (!m.table || !m.table->pow(pub.get(), priv, m.mont.get(), ctx.get())) {
    Bn gen(BN_new());
    if (!gen || BN_set_word(gen.get(), kModpGenerator) != 1 ||
        BN_mod_exp_mont_consttime(pub.get(), gen.get(), priv, m.p.get(), ctx.get(), m.mont.get()) != 1)
      return crypto_error(fmt::format("{}: exponentiation failed", info.name));
  }
  Bytes out(info.bytes);
  if (BN_bn2binpad(pub.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
    return crypto_error(fmt::format("{}: cannot encode the public value", info.name));
  return out;
}

// d * G for a curve (d already range-checked), SEC 1 uncompressed without the 0x04.
Result<Bytes> ecp_public(const GroupInfo& info, const EC_GROUP* grp, const BIGNUM* d) {
  EcPoint pub(EC_POINT_new(grp));
  BnCtx ctx(BN_CTX_new());
  std::array<std::uint8_t, 1 + 2 * 48> buf{};
  const std::size_t len = 1 + 2 * info.bytes;
  if (!pub || !ctx || EC_POINT_mul(grp, pub.get(), d, nullptr, nullptr, ctx.get()) != 1 ||
      EC_POINT_point2oct(grp, pub.get(), POINT_CONVERSION_UNCOMPRESSED, buf.data(), len, ctx.get()) != len)
    return crypto_error(fmt::format("{}: cannot compute the public key", info.name));
  return Bytes(buf.begin() + 1, buf.begin() + static_cast<std::ptrdiff_t>(len));
}

}  // namespace

Result<DhGroup> DhGroup::generate(DhGroupId g) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  auto impl = std::make_unique<Impl>();
  impl->priv.reset(BN_secure_new());
  BIGNUM* d = impl->priv.get();
  if (!d) return crypto_error("cannot allocate a private key");
  if (info->ecp) {
    // 0 < d < n, uniformly (as OpenSSL's EC key generation draws it).
    const EC_GROUP* grp = curve(g);
    if (!grp) return crypto_error("OpenSSL cannot set up the curve");
    do {
      if (BN_priv_rand_range_ex(d, EC_GROUP_get0_order(grp), 0, nullptr) != 1)
        return crypto_error(fmt::format("{}: cannot draw a private key", info->name));
    } while (BN_is_zero(d));
    BN_set_flags(d, BN_FLG_CONSTTIME);
    auto pub = ecp_public(*info, grp, d);
    if (!pub) return std::move(pub).error();
    return DhGroup(g, std::move(impl), std::move(*pub));
  }
  const Modp* m = modp(g);
  if (!m) return crypto_error(fmt::format("{}: OpenSSL cannot set up the group", info->name));
  // Top bit set: 2^(bits-1) <= x < 2^bits, well inside 1 < x < p - 1.
  if (BN_priv_rand_ex(d, static_cast<int>(info->secret_bits), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY, 0, nullptr) != 1)
    return crypto_error(fmt::format("{}: cannot draw a private exponent", info->name));
  BN_set_flags(d, BN_FLG_CONSTTIME);
  auto pub = modp_public(*info, *m, d);
  if (!pub) return std::move(pub).error();
  return DhGroup(g, std::move(impl), std::move(*pub));
}

Result<DhGroup> DhGroup::from_private(DhGroupId g, ByteView priv_bytes) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  auto impl = std::make_unique<Impl>();
  impl->priv = bn_from(priv_bytes);
  BIGNUM* d = impl->priv.get();
  if (!d) return crypto_error("cannot read the private key");
  BN_set_flags(d, BN_FLG_CONSTTIME);
  if (info->ecp) {
    const EC_GROUP* grp = curve(g);
    if (!grp) return crypto_error("OpenSSL cannot set up the curve");
    if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
      return crypto_error(fmt::format("{}: private key outside 0 < d < n", info->name));
    auto pub = ecp_public(*info, grp, d);
    if (!pub) return std::move(pub).error();
    return DhGroup(g, std::move(impl), std::move(*pub));
  }
  const Modp* m = modp(g);
  Bn pm1(m ? BN_dup(m->p.get()) : nullptr);
  if (!pm1 || BN_sub_word(pm1.get(), 1) != 1)
    return crypto_error(fmt::format("{}: OpenSSL cannot set up the group", info->name));
  if (BN_cmp(d, BN_value_one()) <= 0 || BN_cmp(d, pm1.get()) >= 0)
    return crypto_error(fmt::format("{}: private exponent outside 1 < x < p - 1", info->name));
  auto pub = modp_public(*info, *m, d);
  if (!pub) return std::move(pub).error();
  return DhGroup(g, std::move(impl), std::move(*pub));
}

Result<SecureBytes> DhGroup::shared_secret(ByteView peer) const {
  const GroupInfo& info = *group_info(m_id);
  Bytes out(info.bytes);
  BnCtx ctx(BN_CTX_new());
  // Not the secure heap for temporaries: it halves the speed, and BN_CTX_free and our
  // deleters clear every bignum and point anyway.
  if (!info.ecp) {
    IPSECKIT_TRY(validate_public_value(m_id, peer));
    const Modp* m = modp(m_id);
    Bn y = bn_from(peer);
    Bn r(BN_new());
    if (!m || !y || !r || !ctx ||
        BN_mod_exp_mont_consttime(r.get(), y.get(), m_impl->priv.get(), m->p.get(), ctx.get(), m->mont.get()) != 1 ||
        BN_bn2binpad(r.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
      return crypto_error(fmt::format("{}: exponentiation failed", info.name));
    if (BN_is_one(r.get())) return key_error(fmt::format("{}: degenerate shared secret", info.name));
    return SecureBytes(std::move(out));
  }
  auto pt = peer_point(m_id, info, peer);
  if (!pt) return std::move(pt).error();
  const EC_GROUP* grp = curve(m_id);
  EcPoint r(EC_POINT_new(grp));
  Bn x(BN_new());
  // RFC 5903 7: the x coordinate of d * Q, as OpenSSL's ECDH computes it.
  if (!r || !x || !ctx || EC_POINT_mul(grp, r.get(), nullptr, pt->get(), m_impl->priv.get(), ctx.get()) != 1)
    return crypto_error(fmt::format("{}: key derivation failed", info.name));
  if (EC_POINT_is_at_infinity(grp, r.get()) == 1) return key_error(fmt::format("{}: degenerate shared secret", info.name));
  if (EC_POINT_get_affine_coordinates(grp, r.get(), x.get(), nullptr, ctx.get()) != 1 ||
      BN_bn2binpad(x.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
    return crypto_error(fmt::format("{}: key derivation failed", info.name));
  return SecureBytes(std::move(out));
}

}  // namespace ipseckit::crypto
