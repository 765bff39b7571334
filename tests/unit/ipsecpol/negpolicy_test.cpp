// NegotiationPolicyList grammar, -n (windows-cli.md §1.6).
#include "support.h"

using namespace ipsecpol_test;

namespace {

QmOffer must(std::string_view text) {
  auto n = parse_negpolicy(text, 4);
  if (!n) FAIL_CHECK(text, " -> ", n.error().message);
  REQUIRE(n.ok());
  CHECK(n->kind == NegPolicyKind::offer);
  return n->offer;
}

QmOffer with(QmOffer o, std::uint32_t secs, std::uint32_t kb, Pfs pfs = {}) {
  o.lifetime_seconds = secs;
  o.lifetime_kbytes = kb;
  o.pfs = pfs;
  return o;
}

QmOffer ah_esp(Integrity a, Cipher c, Integrity i) {
  QmOffer o;
  o.ah = a;
  o.esp = EspTransform{c, i};
  return o;
}

}  // namespace

TEST_CASE("negpolicy: the documented forms") {
  CHECK(must("ESP[DES,MD5]") == esp(Cipher::des, Integrity::md5));
  CHECK(must("ESP[3DES,SHA]") == esp(Cipher::des3, Integrity::sha1));
  CHECK(must("ESP[3DES,SHA1]") == esp(Cipher::des3, Integrity::sha1));
  CHECK(must("ESP[SHA,3DES]") == esp(Cipher::des3, Integrity::sha1));  // either order
  CHECK(must("esp[none,sha]") == esp(Cipher::none, Integrity::sha1));
  CHECK(must("ESP[DES,NONE]") == esp(Cipher::des, Integrity::none));
  CHECK(must("AH[MD5]") == ah(Integrity::md5));
  CHECK(must("AH[SHA]") == ah(Integrity::sha1));
  CHECK(must("AH[SHA]+ESP[3DES,NONE]") == ah_esp(Integrity::sha1, Cipher::des3, Integrity::none));
  CHECK(must("AH[MD5]+ESP[DES,MD5]") == ah_esp(Integrity::md5, Cipher::des, Integrity::md5));
  // the usage example and the site-to-site example
  CHECK(must("ESP[3DES,SHA]3600S/50000KPFS2") ==
        with(esp(Cipher::des3, Integrity::sha1), 3600, 50000, Pfs{true, DhGroup::modp1024}));
  CHECK(must("ESP[3DES,SHA]3600S/50000KP") ==
        with(esp(Cipher::des3, Integrity::sha1), 3600, 50000, Pfs{true, DhGroup::none}));
}

TEST_CASE("negpolicy: lifetimes and PFS markers") {
  const QmOffer base = esp(Cipher::des3, Integrity::sha1);
  CHECK(must("ESP[3DES,SHA]50000K/3600S") == with(base, 3600, 50000));
  CHECK(must("ESP[3DES,SHA]3600s/50000k") == with(base, 3600, 50000));
  CHECK(must("ESP[3DES,SHA]300S") == with(base, 300, 0));
  CHECK(must("ESP[3DES,SHA]20480K") == with(base, 0, 20480));
  CHECK(must("ESP[3DES,SHA]P") == with(base, 0, 0, Pfs{true, DhGroup::none}));
  CHECK(must("ESP[3DES,SHA]PFS") == with(base, 0, 0, Pfs{true, DhGroup::none}));
  CHECK(must("ESP[3DES,SHA]P1") == with(base, 0, 0, Pfs{true, DhGroup::modp768}));
  CHECK(must("ESP[3DES,SHA]PFS1") == with(base, 0, 0, Pfs{true, DhGroup::modp768}));
  CHECK(must("ESP[3DES,SHA]P2") == with(base, 0, 0, Pfs{true, DhGroup::modp1024}));
  CHECK(must("ESP[3DES,SHA]PFS2") == with(base, 0, 0, Pfs{true, DhGroup::modp1024}));
  CHECK(must("ESP[3DES,SHA]P14") == with(base, 0, 0, Pfs{true, DhGroup::modp2048}));
  CHECK(must("ESP[3DES,SHA]PFS19") == with(base, 0, 0, Pfs{true, DhGroup::ecp256}));
  CHECK(must("ESP[3DES,SHA]900S/100000KPFS24") == with(base, 900, 100000, Pfs{true, DhGroup::modp2048s256}));
}

TEST_CASE("negpolicy: later algorithms, AES-GCM is combined mode") {
  CHECK(must("ESP[AES128,SHA256]") == esp(Cipher::aes128, Integrity::sha256));
  CHECK(must("ESP[SHA512,AES256]") == esp(Cipher::aes256, Integrity::sha512));
  CHECK(must("ESP[AES192,SHA384]") == esp(Cipher::aes192, Integrity::sha384));
  CHECK(must("ESP[AES-GCM128]") == esp(Cipher::aes_gcm128, Integrity::none));
  CHECK(must("ESP[AES-GCM128,NONE]") == esp(Cipher::aes_gcm128, Integrity::none));
  CHECK(must("ESP[AES-GCM128,AES-GCM128]") == esp(Cipher::aes_gcm128, Integrity::none));
  CHECK(must("ESP[aesgcm256]3600S") == with(esp(Cipher::aes_gcm256, Integrity::none), 3600, 0));
  CHECK(must("ESP[NONE,AES-GMAC128]") == esp(Cipher::none, Integrity::aes_gmac128));
  CHECK(must("AH[SHA256]") == ah(Integrity::sha256));
  CHECK(must("AH[AES-GMAC256]") == ah(Integrity::aes_gmac256));
}

TEST_CASE("negpolicy: PASS, BLOCK and INPASS are case-sensitive") {
  CHECK(parse_negpolicy("PASS")->kind == NegPolicyKind::pass);
  CHECK(parse_negpolicy("BLOCK")->kind == NegPolicyKind::block);
  CHECK(parse_negpolicy("INPASS")->kind == NegPolicyKind::inpass);
  for (const char* w : {"pass", "Block", "inpass"}) {
    auto n = parse_negpolicy(w, 3);
    REQUIRE_FALSE(n);
    check_error(n.error(), 0xc, 3, {"case-sensitive"});
  }
  // the P of PFS too: "pfs" is read as a lifetime in seconds, and is not one
  auto p = parse_negpolicy("ESP[3DES,SHA]pfs", 3);
  REQUIRE_FALSE(p);
  CHECK(p.error().proto == 0xc);
}

TEST_CASE("negpolicy: errors") {
  struct Case {
    const char* text;
    std::int64_t proto;
    std::vector<std::string_view> parts;
  };
  const Case cases[] = {
      {"ESP[3DES,SHA]3600X", 0xa, {"Error 0xa occurred: ", "phase 2 rekey", "\"3600X\""}},
      {"ESP[3DES,SHA]3600", 0xa, {"unit"}},
      {"AH[DES]", 0xb, {"Error 0xb occurred: ", "\"DES\""}},
      {"AH[NONE]", 0xb, {"AH hash"}},
      {"ESP3DES,SHA", 0xc, {"Error 0xc occurred: "}},
      {"ESP[3DES,SHA", 0xc, {}},
      {"ESP[FOO,SHA]", 0xc, {"unknown ESP algorithm \"FOO\""}},
      {"ESP[3DES,SHA]XPFS", 0xa, {}},
      {"ESP[3DES,SHA]PX", 0xc, {"PFS marker"}},
      {"ESP[3DES,SHA]3600S/3600S", 0xc, {"twice"}},
      {"ESP[3DES,SHA]1/2/3", 0xc, {"more than two"}},
      {"ESP[3DES,SHA]abcS", 0xc, {"not a number"}},
      {"ESP[AES-GCM128,SHA]", 0xc, {"combined-mode"}},
      {"AH[SHA]+AH[MD5]", 0xc, {"AH twice"}},
      {"ESP[DES,3DES]", 0xd, {"Error 0xd occurred: ", "two hash or two cipher"}},
      {"ESP[MD5,SHA]", 0xd, {}},
      {"ESP[3DES,FOO]", 0xd, {}},
      {"ESP[AES-GCM128,AES-GCM256]", 0xd, {}},
      {"ESP[NONE,NONE]", 0xe, {"Error 0xe occurred: ", "NULL encryption and NULL authentication"}},
      {"ESP[3DES]", 0xf, {"Error 0xf occurred: ", "ESP requires an auth and a crypt algorithm"}},
      {"ESP[NONE]", 0xf, {}},
      {"FOO[DES]", 0x10, {"Error 0x10 occurred: ", "Invalid IPSec protocol \"FOO\""}},
      {"ESP[3DES,SHA]P3", 0x14, {"Error 0x14 occurred: ", "DH group 3"}},
      {"ESP[3DES,SHA]PFS99", 0x14, {}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto n = parse_negpolicy(c.text, 5);
    REQUIRE_FALSE(n);
    CHECK(n.error().code == "usage");
    CHECK(n.error().proto == c.proto);
    CHECK(n.error().position == 5);
    for (auto p : c.parts) {
      INFO(n.error().message);
      CHECK(n.error().message.find(p) != std::string::npos);
    }
  }
}

TEST_CASE("negpolicy: the minimum lifetime rule, with Windows' message") {
  for (const char* t : {"ESP[3DES,SHA]299S", "ESP[3DES,SHA]20479K", "ESP[3DES,SHA]3600S/5000K", "ESP[3DES,SHA]0S"}) {
    INFO(t);
    auto n = parse_negpolicy(t, 6);
    REQUIRE_FALSE(n);
    check_error(n.error(), 0x1b, 6,
                {"Error 0x1b occurred: The minimum rekey for Phase 2 is 20480 KB and 300 seconds.", t});
  }
}

TEST_CASE("negpolicy: formatting reads back") {
  const char* texts[] = {"ESP[3DES,SHA]",
                         "ESP[DES,MD5]",
                         "ESP[NONE,SHA]",
                         "ESP[3DES,NONE]",
                         "AH[MD5]",
                         "AH[SHA]+ESP[3DES,NONE]",
                         "ESP[3DES,SHA]3600S/50000KPFS2",
                         "ESP[3DES,SHA]PFS",
                         "ESP[AES-GCM256]900S",
                         "ESP[AES128,SHA256]100000KPFS14",
                         "AH[AES-GMAC128]"};
  for (const char* t : texts) {
    INFO(t);
    QmOffer o = must(t);
    auto s = format_qm_offer(o);
    REQUIRE(s);
    CHECK(*s == t);
    CHECK(must(*s) == o);
  }
  CHECK_FALSE(format_qm_offer(QmOffer{}));
  CHECK_FALSE(format_qm_offer(with(esp(Cipher::des3, Integrity::sha1), 60, 0)));
}
