// Known answers for the primitives under ESP/AH: HMAC truncated to ICVs (RFC 2202, RFC 4231,
// RFC 4868) through crypto::IcvHmac, and AES-GCM / GMAC (McGrew-Viega, NIST CAVP) through
// crypto::AesGcm, including reuse of one context across many messages and tampering.
#include <doctest/doctest.h>

#include "crypto/aead.h"
#include "crypto/aead_hmac.h"
#include "support.h"

using namespace esptest;
using namespace ipseckit::crypto;

namespace {

HashAlg alg_of(const std::string& s) {
  if (s == "md5") return HashAlg::md5;
  if (s == "sha1") return HashAlg::sha1;
  if (s == "sha256") return HashAlg::sha256;
  if (s == "sha384") return HashAlg::sha384;
  REQUIRE(s == "sha512");
  return HashAlg::sha512;
}

}  // namespace

TEST_CASE("HMAC vectors: RFC 2202, RFC 4231, RFC 4868 (full and ICV-truncated)") {
  auto recs = load_vectors("hmac.vec");
  REQUIRE(recs.size() >= 40);
  int checked = 0;
  for (const auto& r : recs) {
    INFO(r.where());
    const HashAlg alg = alg_of(r.str("alg"));
    const Bytes key = r.bytes("key"), data = r.bytes("data");
    const Bytes want = r.has("mac") ? r.bytes("mac") : r.bytes("mac_prefix");
    // Full output (or the prefix the RFC prints) through an IcvHmac of that length.
    auto full = IcvHmac::create(alg, key, want.size());
    REQUIRE(full.ok());
    Bytes got(want.size());
    for (int round = 0; round < 2; ++round) {  // the context is reused
      full->begin();
      full->update(ByteView(data).first(data.size() / 2));
      full->update(ByteView(data).subspan(data.size() / 2));
      REQUIRE(full->finish(got));
      CHECK(to_hex(got) == to_hex(want));
    }
    full->begin();
    full->update(data);
    CHECK(full->verify(want));
    if (r.has("icv")) {
      const std::size_t n = r.num("icv");
      auto icv = IcvHmac::create(alg, key, n);
      REQUIRE(icv.ok());
      icv->begin();
      icv->update(data);
      CHECK(icv->verify(ByteView(want).first(n)));
      Bytes bad(want.begin(), want.begin() + static_cast<std::ptrdiff_t>(n));
      bad[n - 1] ^= 1;
      icv->begin();
      icv->update(data);
      CHECK_FALSE(icv->verify(bad));
      icv->begin();
      icv->update(data);
      CHECK_FALSE(icv->verify(ByteView(want).first(n - 1)));  // wrong length never verifies
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(recs.size()));
}

TEST_CASE("IcvHmac refuses an ICV longer than the digest") {
  CHECK_FALSE(IcvHmac::create(HashAlg::sha1, Bytes(20), 21).ok());
  CHECK_FALSE(IcvHmac::create(HashAlg::md5, Bytes(16), 0).ok());
}

TEST_CASE("AES-GCM vectors: McGrew-Viega and NIST CAVP (seal, open, tamper)") {
  auto recs = load_vectors("gcm.vec");
  REQUIRE(recs.size() >= 12);
  for (const auto& r : recs) {
    INFO(r.where());
    auto g = AesGcm::create(r.bytes("key"));
    REQUIRE(g.ok());
    const Bytes iv = r.bytes("iv"), aad = r.bytes("aad"), pt = r.bytes("pt"), ct = r.bytes("ct"), tag = r.bytes("tag");
    const ByteView a[1] = {aad};
    Bytes out(pt.size()), t(16);
    for (int round = 0; round < 2; ++round) {
      REQUIRE(g->seal(iv, a, pt, out.data(), t));
      CHECK(to_hex(out) == to_hex(ct));
      CHECK(to_hex(t) == to_hex(tag));
    }
    Bytes back(ct.size());
    CHECK(g->open(iv, a, ct, back.data(), tag));
    CHECK(back == pt);
    // In place.
    Bytes inplace = ct;
    CHECK(g->open(iv, a, inplace, inplace.data(), tag));
    CHECK(inplace == pt);
    Bytes bad_tag = tag;
    bad_tag[15] ^= 0x80;
    CHECK_FALSE(g->open(iv, a, ct, back.data(), bad_tag));
    if (!ct.empty()) {
      Bytes bad_ct = ct;
      bad_ct[0] ^= 1;
      CHECK_FALSE(g->open(iv, a, bad_ct, back.data(), tag));
    }
    Bytes bad_aad = aad;
    bad_aad.push_back(0);
    const ByteView ba[1] = {bad_aad};
    CHECK_FALSE(g->open(iv, ba, ct, back.data(), tag));
    if (pt.empty()) {  // GMAC shape: tag over the AAD only
      Bytes gt(16);
      REQUIRE(g->gmac(iv, a, gt));
      CHECK(gt == tag);
      CHECK(g->gmac_verify(iv, a, tag));
      CHECK_FALSE(g->gmac_verify(iv, ba, tag));
    }
    // AAD split into pieces authenticates the same as in one piece.
    if (aad.size() > 3) {
      const ByteView parts[3] = {ByteView(aad).first(1), ByteView(aad).subspan(1, 2), ByteView(aad).subspan(3)};
      REQUIRE(g->seal(iv, parts, pt, out.data(), t));
      CHECK(t == tag);
    }
  }
}

TEST_CASE("AES-GCM salted form: RFC 4106 nonce = salt || IV, key sizes") {
  auto g = AesGcm::create_salted(hex("feffe9928665731c6d6a8f9467308308cafebabe"));
  REQUIRE(g.ok());
  CHECK(to_hex(g->salt()) == "cafebabe");
  CHECK(to_hex(g->nonce(hex("facedbaddecaf888"))) == "cafebabefacedbaddecaf888");
  CHECK(g->key_size() == 16);
  CHECK_FALSE(AesGcm::create(Bytes(15)).ok());
  CHECK_FALSE(AesGcm::create_salted(Bytes(19)).ok());
  CHECK(AesGcm::create_salted(Bytes(36)).ok());
  Bytes out(4), t(16);
  CHECK_FALSE(g->seal(Bytes(11), {}, Bytes(4), out.data(), t));  // nonce must be 12 bytes
  CHECK_FALSE(g->open(Bytes(12), {}, Bytes(4), out.data(), Bytes(15)));
}

// create_salted's open() sets only the IV and tag per packet (crypto/aead.cpp): the same
// vectors through it, with failures in between (a failed tag check must not poison the next
// packet) and a nonce whose first 4 bytes are not the salt (the general path).
TEST_CASE("AES-GCM salted open: vectors, tamper, recovery, foreign salt") {
  auto recs = load_vectors("gcm.vec");
  int salted = 0;
  for (const auto& r : recs) {
    const Bytes key = r.bytes("key"), iv = r.bytes("iv"), aad = r.bytes("aad"), pt = r.bytes("pt"),
                ct = r.bytes("ct"), tag = r.bytes("tag");
    if (iv.size() != 12) continue;
    INFO(r.where());
    ++salted;
    Bytes keymat = key;
    keymat.insert(keymat.end(), iv.begin(), iv.begin() + 4);
    auto g = AesGcm::create_salted(keymat);
    REQUIRE(g.ok());
    const ByteView a[1] = {aad};
    Bytes bad_tag = tag;
    bad_tag[0] ^= 1;
    Bytes back(ct.size());
    for (int round = 0; round < 2; ++round) {
      CHECK_FALSE(g->open(iv, a, ct, back.data(), bad_tag));
      Bytes inplace = ct;
      CHECK(g->open(iv, a, inplace, inplace.data(), tag));
      CHECK(inplace == pt);
      if (!ct.empty()) {
        Bytes bad_ct = ct;
        bad_ct.back() ^= 0x40;
        CHECK_FALSE(g->open(iv, a, bad_ct, back.data(), tag));
      }
    }
    Bytes other = iv;  // another salt: the general path, and back
    other[0] ^= 0xFF;
    CHECK_FALSE(g->open(other, a, ct, back.data(), tag));
    CHECK(g->open(iv, a, ct, back.data(), tag));
    CHECK(back == pt);
  }
  CHECK(salted >= 6);
}
