// The key schedule's steps against RFC 2409's formulas evaluated independently here (one-shot
// HMACs over concatenated buffers), including appendix B's key expansion and the IV rules.
#include <doctest/doctest.h>

#include "crypto/ikev1_keys.h"
#include "unit/ikecrypto/vec_file.h"

using namespace ipseckit;
using namespace ipseckit::crypto;
using ipseckit::test::hex_bytes;

namespace {

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (const ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes b(const SecureBytes& s) { return Bytes(s.data(), s.data() + s.size()); }
Bytes one(std::uint8_t v) { return Bytes{v}; }

struct Inputs {
  Bytes psk = hex_bytes("736563726574");
  Bytes ni = hex_bytes("000102030405060708090a0b0c0d0e0f");
  Bytes nr = hex_bytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  Bytes gxi = Bytes(128, 0x11);
  Bytes gxr = Bytes(128, 0x22);
  Bytes gxy = Bytes(128, 0x33);
  Bytes ci = hex_bytes("0102030405060708");
  Bytes cr = hex_bytes("1112131415161718");
  Phase1Inputs get(Ikev1Auth auth) const {
    return Phase1Inputs{auth, psk, ni, nr, gxi, gxr, gxy, ci, cr};
  }
};

}  // namespace

TEST_CASE("SKEYID for pre-shared keys and signatures, SKEYID_d/a/e (RFC 2409 5)") {
  const Inputs in;
  for (const auto h : {HashAlg::md5, HashAlg::sha1, HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    CAPTURE(name(h));
    auto ks = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(h, CbcAlg::aes128), in.get(Ikev1Auth::psk));
    REQUIRE(ks.ok());
    const Bytes skeyid = Hmac::compute(h, in.psk, cat({in.ni, in.nr}));
    CHECK(b(ks->skeyid()) == skeyid);
    const Bytes d = Hmac::compute(h, skeyid, cat({in.gxy, in.ci, in.cr, one(0)}));
    const Bytes a = Hmac::compute(h, skeyid, cat({d, in.gxy, in.ci, in.cr, one(1)}));
    const Bytes e = Hmac::compute(h, skeyid, cat({a, in.gxy, in.ci, in.cr, one(2)}));
    CHECK(b(ks->skeyid_d()) == d);
    CHECK(b(ks->skeyid_a()) == a);
    CHECK(b(ks->skeyid_e()) == e);
    // AES-128 needs 16 bytes: always the first bytes of SKEYID_e (every hash gives >= 16).
    CHECK(b(ks->encryption_key()) == Bytes(e.begin(), e.begin() + 16));
    auto sig = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(h, CbcAlg::aes128), in.get(Ikev1Auth::signature));
    REQUIRE(sig.ok());
    CHECK(b(sig->skeyid()) == Hmac::compute(h, cat({in.ni, in.nr}), in.gxy));
  }
}

TEST_CASE("appendix B: Ka = K1 | K2 | ... when SKEYID_e is too short") {
  const Inputs in;
  // 3DES (24 bytes) with MD5 (16) and SHA-1 (20); AES-256 (32) with SHA-1.
  struct C {
    HashAlg h;
    CbcAlg c;
  };
  for (const C c : {C{HashAlg::md5, CbcAlg::des3}, C{HashAlg::sha1, CbcAlg::des3}, C{HashAlg::sha1, CbcAlg::aes256},
                    C{HashAlg::md5, CbcAlg::aes256}, C{HashAlg::sha256, CbcAlg::aes256}}) {
    auto ks = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(c.h, c.c), in.get(Ikev1Auth::psk));
    REQUIRE(ks.ok());
    const Bytes e = b(ks->skeyid_e());
    Bytes k;
    if (e.size() >= key_size(c.c)) {
      k = e;
    } else {
      Bytes prev = Hmac::compute(c.h, e, one(0));
      k = prev;
      while (k.size() < key_size(c.c)) {
        prev = Hmac::compute(c.h, e, prev);
        k.insert(k.end(), prev.begin(), prev.end());
      }
    }
    k.resize(key_size(c.c));
    CHECK(b(ks->encryption_key()) == k);
  }
}

TEST_CASE("IVs: phase 1 from g^xi | g^xr, chained by last blocks; phase 2 from the last block and M-ID") {
  const Inputs in;
  auto ks = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(HashAlg::sha1, CbcAlg::des3), in.get(Ikev1Auth::psk));
  REQUIRE(ks.ok());
  const Bytes h = digest(HashAlg::sha1, cat({in.gxi, in.gxr}));
  CHECK(ks->phase1_iv().iv() == Bytes(h.begin(), h.begin() + 8));
  const Bytes ct = hex_bytes("00112233445566778899aabbccddeeff");
  ks->phase1_iv().advance(ct);
  CHECK(to_hex(ks->phase1_iv().iv()) == "8899aabbccddeeff");
  ks->phase1_iv().advance(hex_bytes("0102"));  // shorter than a block: ignored
  CHECK(to_hex(ks->phase1_iv().iv()) == "8899aabbccddeeff");
  const Bytes p2 = digest(HashAlg::sha1, hex_bytes("8899aabbccddeeff" "deadbeef"));
  IvChain qm = ks->phase2_iv(0xdeadbeef);
  CHECK(qm.iv() == Bytes(p2.begin(), p2.begin() + 8));
  auto aes = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(HashAlg::sha256, CbcAlg::aes128), in.get(Ikev1Auth::psk));
  CHECK(aes->phase1_iv().iv().size() == 16);
  CHECK(aes->phase2_iv(1).iv().size() == 16);
}

TEST_CASE("HASH_I/HASH_R, Quick Mode HASH(1)(2)(3), informational HASH, KEYMAT with and without PFS") {
  const Inputs in;
  auto ks = Ikev1KeySchedule::derive(Ikev1Suite::for_hash(HashAlg::sha1, CbcAlg::aes128), in.get(Ikev1Auth::psk));
  REQUIRE(ks.ok());
  const Bytes skeyid = b(ks->skeyid()), a = b(ks->skeyid_a()), d = b(ks->skeyid_d());
  const Bytes sa = hex_bytes("0000000100000001"), idi = hex_bytes("01000000c6336401"), idr = hex_bytes("01000000c6336402");
  CHECK(ks->hash_i(sa, idi) == Hmac::compute(HashAlg::sha1, skeyid, cat({in.gxi, in.gxr, in.ci, in.cr, sa, idi})));
  CHECK(ks->hash_r(sa, idr) == Hmac::compute(HashAlg::sha1, skeyid, cat({in.gxr, in.gxi, in.cr, in.ci, sa, idr})));
  const Bytes mid = hex_bytes("01020304"), rest = hex_bytes("0a0b0c"), ni = Bytes(16, 1), nr = Bytes(16, 2);
  CHECK(ks->qm_hash1(0x01020304, rest) == Hmac::compute(HashAlg::sha1, a, cat({mid, rest})));
  CHECK(ks->qm_hash2(0x01020304, ni, rest) == Hmac::compute(HashAlg::sha1, a, cat({mid, ni, rest})));
  CHECK(ks->qm_hash3(0x01020304, ni, nr) == Hmac::compute(HashAlg::sha1, a, cat({one(0), mid, ni, nr})));
  CHECK(ks->informational_hash(0x01020304, rest) == Hmac::compute(HashAlg::sha1, a, cat({mid, rest})));
  const Bytes spi = hex_bytes("c0ffee01"), gqm = Bytes(256, 0x44);
  for (const bool pfs : {false, true}) {
    CAPTURE(pfs);
    const Bytes seed = pfs ? cat({gqm, one(3), spi, ni, nr}) : cat({one(3), spi, ni, nr});
    const Bytes k1 = Hmac::compute(HashAlg::sha1, d, seed);
    const Bytes k2 = Hmac::compute(HashAlg::sha1, d, cat({k1, seed}));
    const Bytes k3 = Hmac::compute(HashAlg::sha1, d, cat({k2, seed}));
    Bytes want = cat({k1, k2, k3});
    want.resize(52);  // AES-256 key + HMAC-SHA1 key: three PRF blocks
    const SecureBytes km = ks->keymat(52, 3, spi, ni, nr, pfs ? ByteView(gqm) : ByteView{});
    CHECK(b(km) == want);
    CHECK(b(ks->keymat(16, 3, spi, ni, nr, pfs ? ByteView(gqm) : ByteView{})) == Bytes(k1.begin(), k1.begin() + 16));
  }
}

TEST_CASE("derive refuses missing or malformed inputs") {
  Inputs in;
  const auto suite = Ikev1Suite::for_hash(HashAlg::sha1, CbcAlg::des3);
  in.psk.clear();
  CHECK_FALSE(Ikev1KeySchedule::derive(suite, in.get(Ikev1Auth::psk)).ok());
  CHECK(Ikev1KeySchedule::derive(suite, in.get(Ikev1Auth::signature)).ok());
  in.ci.pop_back();
  CHECK_FALSE(Ikev1KeySchedule::derive(suite, in.get(Ikev1Auth::signature)).ok());
  Inputs none;
  none.gxy.clear();
  CHECK_FALSE(Ikev1KeySchedule::derive(suite, none.get(Ikev1Auth::psk)).ok());
  Inputs nn;
  nn.nr.clear();
  CHECK_FALSE(Ikev1KeySchedule::derive(suite, nn.get(Ikev1Auth::psk)).ok());
}
