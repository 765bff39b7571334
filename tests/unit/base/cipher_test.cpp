#include <doctest/doctest.h>

#include "base/bytes.h"
#include "crypto/cipher.h"

using namespace ipseckit;
using namespace ipseckit::crypto;

namespace {
Bytes hex(const char* s) {
  Bytes b;
  REQUIRE(from_hex(s, b));
  return b;
}
}  // namespace

TEST_CASE("AES-128-CBC: RFC 3602 case 1 and 2, key schedule reused") {
  auto c = CbcCipher::create(CbcAlg::aes128, hex("06a9214036b8a15b512e03d534120006"));
  REQUIRE(c.ok());
  Bytes pt = {'S', 'i', 'n', 'g', 'l', 'e', ' ', 'b', 'l', 'o', 'c', 'k', ' ', 'm', 's', 'g'};
  Bytes out(pt.size());
  REQUIRE(c->encrypt(hex("3dafba429d9eb430b422da802c9fac41"), pt, out.data()));
  CHECK(to_hex(out) == "e353779c1079aeb82708942dbe77181a");
  Bytes back(out.size());
  REQUIRE(c->decrypt(hex("3dafba429d9eb430b422da802c9fac41"), out, back.data()));
  CHECK(back == pt);
  auto c2 = CbcCipher::create(CbcAlg::aes128, hex("c286696d887c9aa0611bbb3e2025a45a"));
  REQUIRE(c2.ok());
  Bytes pt2 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  Bytes out2(pt2.size());
  REQUIRE(c2->encrypt(hex("562e17996d093d28ddb3ba695a2e6f58"), pt2, out2.data()));
  CHECK(to_hex(out2) == "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
  // in place
  REQUIRE(c2->decrypt(hex("562e17996d093d28ddb3ba695a2e6f58"), out2, out2.data()));
  CHECK(out2 == pt2);
}

TEST_CASE("DES and 3DES (legacy provider): FIPS 81 / SP 800-67 style vectors") {
  // FIPS 81 CBC example: key 0123456789abcdef, IV 1234567890abcdef, "Now is the time for all "
  auto d = CbcCipher::create(CbcAlg::des, hex("0123456789abcdef"));
  REQUIRE_MESSAGE(d.ok(), d.error().message);
  Bytes pt = hex("4e6f77206973207468652074696d6520666f7220616c6c20");
  Bytes out(pt.size());
  REQUIRE(d->encrypt(hex("1234567890abcdef"), pt, out.data()));
  CHECK(to_hex(out) == "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
  // 3DES with K1=K2=K3 degenerates to single DES.
  auto t = CbcCipher::create(CbcAlg::des3, hex("0123456789abcdef0123456789abcdef0123456789abcdef"));
  REQUIRE(t.ok());
  Bytes out3(pt.size());
  REQUIRE(t->encrypt(hex("1234567890abcdef"), pt, out3.data()));
  CHECK(out3 == out);
}

TEST_CASE("CBC length and key errors") {
  CHECK_FALSE(CbcCipher::create(CbcAlg::aes256, Bytes(16)).ok());
  auto c = CbcCipher::create(CbcAlg::aes128, Bytes(16));
  REQUIRE(c.ok());
  Bytes out(15);
  CHECK_FALSE(c->encrypt(Bytes(16), Bytes(15), out.data()));
  CHECK_FALSE(c->encrypt(Bytes(8), Bytes(16), out.data()));
}
