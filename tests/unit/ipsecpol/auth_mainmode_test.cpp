// AuthMethodList (-a, windows-cli.md §1.7) and the main-mode grammars -1s, -1k, -1e (§1.4).
#include "support.h"

using namespace ipsecpol_test;

TEST_CASE("auth: methods, first letter significant") {
  CHECK(*parse_auth_method("PRESHARE:\"abc\"") == psk("abc"));
  CHECK(*parse_auth_method("PRESHARE:abc") == psk("abc"));  // cmd.exe already removed the quotes
  CHECK(*parse_auth_method("P:\"k\"") == psk("k"));
  CHECK(*parse_auth_method("preshare:Case Sensitive") == psk("Case Sensitive"));
  CHECK(*parse_auth_method("PRESHARE:\"a:b\"c\"") == psk("a:b\"c"));  // to the last quote
  CHECK(*parse_auth_method("PRESHARE:\"open") == psk("open"));
  CHECK(*parse_auth_method("KERBEROS") == kerberos());
  CHECK(*parse_auth_method("K") == kerberos());
  CHECK(*parse_auth_method("kerb:ignored") == kerberos());
  CHECK(*parse_auth_method("CERT") == cert());
  CHECK(*parse_auth_method("C:\"CN=Corp Root\"") == cert("CN=Corp Root"));
  CHECK(*parse_auth_method("CERT:\"C=US, O=Org, CN=Root\"") == cert("C=US, O=Org, CN=Root"));
  CHECK(*parse_auth_method("cert:CN=X") == cert("CN=X"));
}

TEST_CASE("auth: errors 0x11 and 0x12") {
  for (const char* t : {"PRESHARE", "PRESHARE:", "P:\"\""}) {
    INFO(t);
    auto a = parse_auth_method(t, 7);
    REQUIRE_FALSE(a);
    check_error(a.error(), 0x11, 7, {"Error 0x11 occurred: Preshared key indicated, but not supplied", t});
  }
  for (const char* t : {"X509", "", ":abc", "RSA:foo"}) {
    INFO(t);
    auto a = parse_auth_method(t, 8);
    REQUIRE_FALSE(a);
    check_error(a.error(), 0x12, 8, {"Error 0x12 occurred: ", "authentication method"});
  }
}

TEST_CASE("auth: formatting reads back") {
  for (const auto& a : {psk("s3cret"), psk("with space"), psk("\"quoted"), psk("a\"b"), kerberos(), cert(),
                        cert("C=US, O=Org, CN=Root"), cert("\"odd")}) {
    auto w = format_auth_method(a, true);
    INFO(w);
    CHECK(*parse_auth_method(w) == a);
  }
  CHECK(format_auth_method(psk("s3cret"), false) == "PRESHARE:(hidden)");
  CHECK(format_auth_method(psk("s3cret"), true) == "PRESHARE:s3cret");
}

TEST_CASE("-1s: Conf-Hash-Group, either order, later names") {
  CHECK(*parse_mm_offer("3DES-SHA-2") == MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0});
  CHECK(*parse_mm_offer("SHA-3DES-2") == MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0});
  CHECK(*parse_mm_offer("DES-MD5-1") == MmOffer{Cipher::des, Integrity::md5, DhGroup::modp768, 28800, 0});
  CHECK(*parse_mm_offer("des-sha1-1") == MmOffer{Cipher::des, Integrity::sha1, DhGroup::modp768, 28800, 0});
  CHECK(*parse_mm_offer("AES128-SHA256-14") == MmOffer{Cipher::aes128, Integrity::sha256, DhGroup::modp2048, 28800, 0});
  CHECK(*parse_mm_offer("AES256-SHA384-20") == MmOffer{Cipher::aes256, Integrity::sha384, DhGroup::ecp384, 28800, 0});
  CHECK(*parse_mm_offer("SHA512-AES192-19") == MmOffer{Cipher::aes192, Integrity::sha512, DhGroup::ecp256, 28800, 0});
}

TEST_CASE("-1s errors") {
  struct Case {
    const char* text;
    std::int64_t proto;
    std::string_view part;
  };
  const Case cases[] = {
      {"3DES-SHA", 0xc, "Conf-Hash-Group"},
      {"3DESSHA2", 0xc, "Conf-Hash-Group"},
      {"FOO-SHA-2", 0xc, "unknown main mode algorithm \"FOO\""},
      {"AES-GCM128-SHA-2", 0xc, ""},
      {"3DES-DES-2", 0xd, "Error 0xd occurred: "},
      {"SHA-MD5-2", 0xd, ""},
      {"3DES-AES-GMAC128-2", 0xd, ""},
      {"3DES-SHA-3", 0x14, "Error 0x14 occurred: Invalid or unsupported DH group \"3\""},
      {"3DES-SHA-99", 0x14, ""},
      {"3DES-SHA-", 0x15, "Error 0x15 occurred: Oakley group not specified"},
      {"3DES-SHA-x", 0x15, ""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto o = parse_mm_offer(c.text, 9);
    REQUIRE_FALSE(o);
    check_error(o.error(), c.proto, 9, {c.part});
  }
}

TEST_CASE("-1k and -1e") {
  CHECK(*parse_mm_rekey("10Q") == MmRekey{10u, std::nullopt});
  CHECK(*parse_mm_rekey("3600S") == MmRekey{std::nullopt, 3600u});
  CHECK(*parse_mm_rekey("10q/3600s") == MmRekey{10u, 3600u});
  CHECK(*parse_mm_rekey("3600S/10Q") == MmRekey{10u, 3600u});
  for (const char* t : {"10", "10X", "10Q/5M", ""}) {
    INFO(t);
    auto r = parse_mm_rekey(t, 3);
    REQUIRE_FALSE(r);
    check_error(r.error(), 0x16, 3, {"Error 0x16 occurred: ", "phase 1 rekey"});
  }
  for (const char* t : {"xQ", "10Q/20Q", "1/2/3"}) {
    INFO(t);
    auto r = parse_mm_rekey(t, 3);
    REQUIRE_FALSE(r);
    CHECK(r.error().proto == 0xc);
  }
  CHECK(*parse_soft_sa_expiry("300") == 300u);
  auto e = parse_soft_sa_expiry("5min", 4);
  REQUIRE_FALSE(e);
  check_error(e.error(), 0xc, 4, {"\"5min\" (argument 4)"});
}

TEST_CASE("-1s formatting reads back") {
  for (const char* t : {"3DES-SHA-2", "DES-MD5-1", "AES256-SHA384-20", "AES128-SHA256-14"}) {
    auto o = parse_mm_offer(t);
    REQUIRE(o);
    CHECK(*format_mm_offer(*o) == t);
  }
  CHECK_FALSE(format_mm_offer(MmOffer{Cipher::aes_gcm128, Integrity::sha1, DhGroup::modp1024, 28800, 0}));
}
