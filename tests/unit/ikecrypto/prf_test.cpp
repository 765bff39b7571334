// RFC 2202 (HMAC-MD5, HMAC-SHA-1) and RFC 4231 (HMAC-SHA-256/384/512): every test case, through
// the IKE Prf (which is what the key schedule uses) and its incremental interface.
#include <doctest/doctest.h>

#include <string>

#include "crypto/prf.h"
#include "unit/ikecrypto/vec_file.h"

using namespace ipseckit;
using namespace ipseckit::crypto;
using ipseckit::test::hex_bytes;

namespace {

Bytes text(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }
Bytes rep(std::uint8_t b, std::size_t n) { return Bytes(n, b); }
Bytes seq(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i + 1);
  return b;
}

std::string prf_hex(PrfAlg a, const Bytes& key, const Bytes& data, std::size_t truncate = 0) {
  SecureBytes out = Prf::compute(a, key, data);
  // Same result fed in two pieces through one reusable object, twice.
  Prf p(a, key);
  for (int round = 0; round < 2; ++round) {
    p.update(ByteView(data).first(data.size() / 2)).update(ByteView(data).subspan(data.size() / 2));
    SecureBytes again = p.final();
    CHECK(again == out);
  }
  Bytes b(out.data(), out.data() + (truncate ? truncate : out.size()));
  return to_hex(b);
}

}  // namespace

TEST_CASE("RFC 2202: HMAC-MD5 test cases 1-7") {
  const PrfAlg a = PrfAlg::hmac_md5;
  CHECK(prf_hex(a, rep(0x0b, 16), text("Hi There")) == "9294727a3638bb1c13f48ef8158bfc9d");
  CHECK(prf_hex(a, text("Jefe"), text("what do ya want for nothing?")) == "750c783e6ab0b503eaa86e310a5db738");
  CHECK(prf_hex(a, rep(0xaa, 16), rep(0xdd, 50)) == "56be34521d144c88dbb8c733f0e8b3f6");
  CHECK(prf_hex(a, seq(25), rep(0xcd, 50)) == "697eaf0aca3a3aea3a75164746ffaa79");
  CHECK(prf_hex(a, rep(0x0c, 16), text("Test With Truncation")) == "56461ef2342edc00f9bab995690efd4c");
  CHECK(prf_hex(a, rep(0x0c, 16), text("Test With Truncation"), 12) == "56461ef2342edc00f9bab995");
  CHECK(prf_hex(a, rep(0xaa, 80), text("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  CHECK(prf_hex(a, rep(0xaa, 80),
                text("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")) ==
        "6f630fad67cda0ee1fb1f562db3aa53e");
}

TEST_CASE("RFC 2202: HMAC-SHA-1 test cases 1-7") {
  const PrfAlg a = PrfAlg::hmac_sha1;
  CHECK(prf_hex(a, rep(0x0b, 20), text("Hi There")) == "b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(prf_hex(a, text("Jefe"), text("what do ya want for nothing?")) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(prf_hex(a, rep(0xaa, 20), rep(0xdd, 50)) == "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  CHECK(prf_hex(a, seq(25), rep(0xcd, 50)) == "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
  CHECK(prf_hex(a, rep(0x0c, 20), text("Test With Truncation")) == "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
  CHECK(prf_hex(a, rep(0x0c, 20), text("Test With Truncation"), 12) == "4c1a03424b55e07fe7f27be1");
  CHECK(prf_hex(a, rep(0xaa, 80), text("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  CHECK(prf_hex(a, rep(0xaa, 80),
                text("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")) ==
        "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST_CASE("RFC 4231: HMAC-SHA-256/384/512 test cases 1-7") {
  struct Case {
    Bytes key, data;
    const char *s256, *s384, *s512;
    std::size_t truncate;
  };
  const Bytes big_key = rep(0xaa, 131);
  const Case cases[] = {
      {rep(0x0b, 20), text("Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
       0},
      {text("Jefe"), text("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
       0},
      {rep(0xaa, 20), rep(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
       0},
      {seq(25), rep(0xcd, 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
       0},
      {rep(0x0c, 20), text("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b", "3abf34c3503b2a23a46efc619baef897",
       "415fad6271580a531d4179bc891d87a6", 16},
      {big_key, text("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
       0},
      {big_key,
       text("This is a test using a larger than block-size key and a larger than block-size data. The key needs to "
            "be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
       0},
  };
  int n = 0;
  for (const auto& c : cases) {
    CAPTURE(++n);
    CHECK(prf_hex(PrfAlg::hmac_sha256, c.key, c.data, c.truncate) == c.s256);
    CHECK(prf_hex(PrfAlg::hmac_sha384, c.key, c.data, c.truncate) == c.s384);
    CHECK(prf_hex(PrfAlg::hmac_sha512, c.key, c.data, c.truncate) == c.s512);
  }
}

TEST_CASE("PRF metadata") {
  CHECK(output_size(PrfAlg::hmac_md5) == 16);
  CHECK(output_size(PrfAlg::hmac_sha1) == 20);
  CHECK(output_size(PrfAlg::hmac_sha384) == 48);
  CHECK(prf_for(HashAlg::sha256) == PrfAlg::hmac_sha256);
  CHECK(hash_of(PrfAlg::hmac_sha512) == HashAlg::sha512);
  CHECK(name(PrfAlg::hmac_sha1) == "hmac-sha1");
  Prf p(PrfAlg::hmac_sha1, hex_bytes("00"));
  CHECK(p.size() == 20);
  p.update_u32be(0x01020304).update(std::uint8_t{5});
  CHECK(p.final() == Prf::compute(PrfAlg::hmac_sha1, hex_bytes("00"), hex_bytes("0102030405")));
}

TEST_CASE("Hmac: reused after final with other messages; a final with no update is HMAC(key, \"\")") {
  // Known answers for an empty key and message (the empty-key path of Hmac's constructor).
  CHECK(to_hex(Hmac::compute(HashAlg::md5, {}, {})) == "74e6f7298a9c2d168935f58c001bad88");
  CHECK(to_hex(Hmac::compute(HashAlg::sha1, {}, {})) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
  CHECK(to_hex(Hmac::compute(HashAlg::sha256, {}, {})) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  const Bytes m1 = text("what do ya want for nothing?");
  const Bytes m2 = rep(0xdd, 50);
  for (const auto h : {HashAlg::md5, HashAlg::sha1, HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    CAPTURE(name(h));
    const Bytes key = text("Jefe");
    Hmac mac(h, key);
    CHECK(mac.final() == Hmac::compute(h, key, {}));  // no update at all
    mac.update(m1);
    CHECK(mac.final() == Hmac::compute(h, key, m1));
    mac.update(ByteView(m2).first(7));
    mac.update(ByteView(m2).subspan(7));
    CHECK(mac.final() == Hmac::compute(h, key, m2));
    CHECK(mac.final() == Hmac::compute(h, key, {}));  // a final right after a final
    mac.update({});
    CHECK(mac.final() == Hmac::compute(h, key, {}));
    mac.update(m1);
    CHECK(mac.final() == Hmac::compute(h, key, m1));
    // A moved-to Hmac carries on with the key.
    Hmac moved(std::move(mac));
    moved.update(m2);
    CHECK(moved.final() == Hmac::compute(h, key, m2));
  }
}
