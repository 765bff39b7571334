// DhGroup: MODP with OpenSSL BIGNUM (constant-time Montgomery exponentiation, a short
// exponent, our own range check) and ECP with EVP (derive with OpenSSL's peer check off,
// after our own on-curve check). OpenSSL types stay in this file.
#include "crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <fmt/format.h>

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
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct GroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;
using Mont = std::unique_ptr<BN_MONT_CTX, MontFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using EcGroup = std::unique_ptr<EC_GROUP, GroupFree>;
using EcPoint = std::unique_ptr<EC_POINT, PointFree>;

// The curves, built once: EC_GROUP is only read by the point functions used here.
const EC_GROUP* curve(DhGroupId g) {
  static const std::array<EcGroup, 2> groups{EcGroup(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)),
                                             EcGroup(EC_GROUP_new_by_curve_name(NID_secp384r1))};
  return groups[g == DhGroupId::ecp256 ? 0 : 1].get();
}

Bn bn_from(ByteView b) { return Bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }

// Big-endian comparison of equal-length strings: -1, 0 or 1.
int compare_be(ByteView a, ByteView b) {
  if (std::equal(a.begin(), a.end(), b.begin(), b.end())) return 0;
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()) ? -1 : 1;
}

Error crypto_error(std::string m) { return Error::make("crypto", std::move(m)); }

}  // namespace

struct DhGroup::Impl {
  // MODP
  Bn priv;
  Bn p;
  Mont mont;
  // ECP
  Pkey key;
};

DhGroup::DhGroup(DhGroupId id, std::unique_ptr<Impl> impl, Bytes pub) : m_id(id), m_impl(std::move(impl)), m_public(std::move(pub)) {}
DhGroup::~DhGroup() = default;
DhGroup::DhGroup(DhGroup&&) noexcept = default;
DhGroup& DhGroup::operator=(DhGroup&&) noexcept = default;

Status validate_public_value(DhGroupId g, ByteView peer) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  const ByteView prime = group_prime(g);
  if (!info->ecp) {
    // RFC 2409 5: the public value is padded to the prime's length.
    if (peer.size() != info->bytes)
      return key_error(fmt::format("{} public value of {} bytes (needs {})", info->name, peer.size(), info->bytes));
    // 1 < y: some byte before the last is non-zero, or the last is > 1.
    const bool high = std::any_of(peer.begin(), peer.end() - 1, [](std::uint8_t b) { return b != 0; });
    if (!high && peer.back() <= 1) return key_error(fmt::format("{} public value is {}", info->name, peer.back()));
    // y < p - 1 (p is odd, so p - 1 differs from p only in the last byte).
    Bytes pm1(prime.begin(), prime.end());
    pm1.back() = static_cast<std::uint8_t>(pm1.back() - 1);
    if (compare_be(peer, pm1) >= 0) return key_error(fmt::format("{} public value is not below p - 1", info->name));
    return {};
  }
  // RFC 5903 7 / RFC 6989 2.3: x | y, each below the field prime, on the curve.
  if (peer.size() != 2 * info->bytes)
    return key_error(fmt::format("{} public value of {} bytes (needs {})", info->name, peer.size(), 2 * info->bytes));
  if (compare_be(peer.first(info->bytes), prime) >= 0 || compare_be(peer.subspan(info->bytes), prime) >= 0)
    return key_error(fmt::format("{} public value has a coordinate outside the field", info->name));
  const EC_GROUP* grp = curve(g);
  EcPoint pt(grp ? EC_POINT_new(grp) : nullptr);
  if (!pt) return crypto_error("OpenSSL cannot set up the curve");
  Bytes enc;
  enc.reserve(peer.size() + 1);
  enc.push_back(0x04);  // SEC 1 uncompressed point
  enc.insert(enc.end(), peer.begin(), peer.end());
  if (EC_POINT_oct2point(grp, pt.get(), enc.data(), enc.size(), nullptr) != 1 ||
      EC_POINT_is_on_curve(grp, pt.get(), nullptr) != 1)
    return key_error(fmt::format("{} public value is not a point on the curve", info->name));
  return {};
}

namespace {

// Sets up the group's Montgomery context and computes g^x; fills p and mont.
Result<Bytes> modp_public(DhGroupId g, const GroupInfo& info, BIGNUM* priv, Bn& p, Mont& mont);

}  // namespace

Result<DhGroup> DhGroup::generate(DhGroupId g) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  auto impl = std::make_unique<Impl>();
  if (info->ecp) {
    impl->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", std::string(info->curve).c_str()));
    if (!impl->key) return crypto_error(fmt::format("{}: key generation failed", info->name));
    std::uint8_t buf[1 + 2 * 66];
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(impl->key.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &len) != 1 ||
        len != 1 + 2 * info->bytes || buf[0] != 0x04)
      return crypto_error(fmt::format("{}: cannot read the public key", info->name));
    return DhGroup(g, std::move(impl), Bytes(buf + 1, buf + len));
  }
  Bn priv(BN_secure_new());
  if (!priv || BN_priv_rand_ex(priv.get(), static_cast<int>(info->secret_bits), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY, 0,
                               nullptr) != 1)
    return crypto_error(fmt::format("{}: cannot draw a private exponent", info->name));
  auto pub = modp_public(g, *info, priv.get(), impl->p, impl->mont);
  if (!pub) return std::move(pub).error();
  impl->priv = std::move(priv);
  return DhGroup(g, std::move(impl), std::move(*pub));
}

Result<DhGroup> DhGroup::from_private(DhGroupId g, ByteView priv_bytes) {
  const GroupInfo* info = group_info(g);
  if (!info) return key_error(fmt::format("DH group {} is not supported", static_cast<unsigned>(g)));
  auto impl = std::make_unique<Impl>();
  Bn d = bn_from(priv_bytes);
  if (!d) return crypto_error("cannot read the private key");
  BN_set_flags(d.get(), BN_FLG_CONSTTIME);
  if (!info->ecp) {
    auto pub = modp_public(g, *info, d.get(), impl->p, impl->mont);
    if (!pub) return std::move(pub).error();
    impl->priv = std::move(d);
    return DhGroup(g, std::move(impl), std::move(*pub));
  }
  const EC_GROUP* grp = curve(g);
  EcPoint pub(grp ? EC_POINT_new(grp) : nullptr);
  BnCtx ctx(BN_CTX_new());
  if (!pub || !ctx) return crypto_error("OpenSSL cannot set up the curve");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(grp)) >= 0)
    return crypto_error(fmt::format("{}: private key outside 0 < d < n", info->name));
  std::uint8_t buf[1 + 2 * 66];
  if (EC_POINT_mul(grp, pub.get(), d.get(), nullptr, nullptr, ctx.get()) != 1 ||
      EC_POINT_point2oct(grp, pub.get(), POINT_CONVERSION_UNCOMPRESSED, buf, 1 + 2 * info->bytes, ctx.get()) !=
          1 + 2 * info->bytes)
    return crypto_error(fmt::format("{}: cannot compute the public key", info->name));
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  const std::string curve(info->curve);
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, 1 + 2 * info->bytes) != 1)
    return crypto_error("cannot build the key parameters");
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx pctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1)
    return crypto_error(fmt::format("{}: OpenSSL refused the key", info->name));
  impl->key.reset(key);
  return DhGroup(g, std::move(impl), Bytes(buf + 1, buf + 1 + 2 * info->bytes));
}

namespace {

Result<Bytes> modp_public(DhGroupId g, const GroupInfo& info, BIGNUM* priv, Bn& p, Mont& mont) {
  p = bn_from(group_prime(g));
  BnCtx ctx(BN_CTX_new());
  mont.reset(BN_MONT_CTX_new());
  Bn gen(BN_new());
  Bn pub(BN_new());
  Bn pm1(p ? BN_dup(p.get()) : nullptr);
  if (!p || !ctx || !mont || !gen || !pub || !pm1 || BN_set_word(gen.get(), kModpGenerator) != 1 ||
      BN_sub_word(pm1.get(), 1) != 1 || BN_MONT_CTX_set(mont.get(), p.get(), ctx.get()) != 1)
    return crypto_error(fmt::format("{}: OpenSSL cannot set up the group", info.name));
  if (BN_cmp(priv, BN_value_one()) <= 0 || BN_cmp(priv, pm1.get()) >= 0)
    return crypto_error(fmt::format("{}: private exponent outside 1 < x < p - 1", info.name));
  BN_set_flags(priv, BN_FLG_CONSTTIME);
  if (BN_mod_exp_mont_consttime(pub.get(), gen.get(), priv, p.get(), ctx.get(), mont.get()) != 1)
    return crypto_error(fmt::format("{}: exponentiation failed", info.name));
  Bytes out(info.bytes);
  if (BN_bn2binpad(pub.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
    return crypto_error(fmt::format("{}: cannot encode the public value", info.name));
  return out;
}

}  // namespace

Result<SecureBytes> DhGroup::shared_secret(ByteView peer) const {
  IPSECKIT_TRY(validate_public_value(m_id, peer));
  const GroupInfo& info = *group_info(m_id);
  Bytes out(info.bytes);
  if (!info.ecp) {
    Bn y = bn_from(peer);
    // Not the secure heap for temporaries: it halves the speed, and BN_CTX_free and our
    // deleter clear every bignum anyway.
    Bn r(BN_new());
    BnCtx ctx(BN_CTX_new());
    if (!y || !r || !ctx ||
        BN_mod_exp_mont_consttime(r.get(), y.get(), m_impl->priv.get(), m_impl->p.get(), ctx.get(), m_impl->mont.get()) != 1 ||
        BN_bn2binpad(r.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
      return crypto_error(fmt::format("{}: exponentiation failed", info.name));
    if (BN_is_one(r.get())) return key_error(fmt::format("{}: degenerate shared secret", info.name));
    return SecureBytes(std::move(out));
  }
  Bytes enc;
  enc.reserve(peer.size() + 1);
  enc.push_back(0x04);
  enc.insert(enc.end(), peer.begin(), peer.end());
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  const std::string curve(info.curve);
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, enc.data(), enc.size()) != 1)
    return crypto_error("cannot build the peer key parameters");
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx fctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* peer_raw = nullptr;
  if (!params || !fctx || EVP_PKEY_fromdata_init(fctx.get()) != 1 ||
      EVP_PKEY_fromdata(fctx.get(), &peer_raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return key_error(fmt::format("{}: OpenSSL refused the peer's point", info.name));
  Pkey peer_key(peer_raw);
  PkeyCtx dctx(EVP_PKEY_CTX_new_from_pkey(nullptr, m_impl->key.get(), nullptr));
  std::size_t len = out.size();
  // validate = 0: the on-curve check above is all an ephemeral ECDH key needs (cofactor 1).
  if (!dctx || EVP_PKEY_derive_init(dctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(dctx.get(), peer_key.get(), 0) != 1 ||
      EVP_PKEY_derive(dctx.get(), out.data(), &len) != 1 || len != out.size())
    return crypto_error(fmt::format("{}: key derivation failed", info.name));
  return SecureBytes(std::move(out));
}

}  // namespace ipseckit::crypto
