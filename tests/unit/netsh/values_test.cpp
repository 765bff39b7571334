// Value grammars: security methods, addresses, masks, protocols, ports, authentication.
#include <doctest/doctest.h>

#include "netsh_test_util.h"
#include "policy/netsh_values.h"

using namespace netsh_test;

TEST_CASE("booleans and numbers") {
  CHECK(*parse_netsh_bool("yes"));
  CHECK(*parse_netsh_bool("Y"));
  CHECK_FALSE(*parse_netsh_bool("NO"));
  CHECK_FALSE(*parse_netsh_bool("n"));
  CHECK(parse_netsh_bool("true").error().message == "'true' is not yes or no");
  CHECK(*parse_netsh_uint("480", 1, 71582788) == 480);
  CHECK(parse_netsh_uint("0", 1, 10).error().message == "0 is outside 1..10");
  CHECK(parse_netsh_uint("-1", 0, 10).error().message == "'-1' is not a number");
  CHECK_FALSE(parse_netsh_uint("99999999999999999999999", 0, 10).ok());
}

TEST_CASE("mmsecmethods: Conf-Hash-Group either order, group 3 is DH2048 (IANA 14)") {
  auto m = parse_netsh_mm_methods("3DES-SHA1-2  des-md5-1 SHA1-3DES-3 AES256-SHA256-14 aes128-sha384-20 AES192-SHA-24");
  REQUIRE(m.ok());
  REQUIRE(m->size() == 6);
  CHECK((*m)[0] == MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0});
  CHECK((*m)[1] == MmOffer{Cipher::des, Integrity::md5, DhGroup::modp768, 28800, 0});
  CHECK((*m)[2] == MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp2048, 28800, 0});
  CHECK((*m)[3] == MmOffer{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 28800, 0});
  CHECK((*m)[4] == MmOffer{Cipher::aes128, Integrity::sha384, DhGroup::ecp384, 28800, 0});
  CHECK((*m)[5] == MmOffer{Cipher::aes192, Integrity::sha1, DhGroup::modp2048s256, 28800, 0});
  for (auto g : {"15", "16", "19"}) CHECK(parse_netsh_mm_methods(std::string("3DES-SHA1-") + g).ok());
}

TEST_CASE("mmsecmethods errors") {
  CHECK(contains(parse_netsh_mm_methods("3DES-SHA1-5").error().message, "unknown Diffie-Hellman group '5'"));
  CHECK(contains(parse_netsh_mm_methods("3DES-SHA1").error().message, "expected Conf-Hash-Group"));
  CHECK(contains(parse_netsh_mm_methods("3DES-DES-2").error().message, "'DES' is not a usable hash"));
  CHECK(contains(parse_netsh_mm_methods("AES-GCM128-SHA1-2").error().message, "expected Conf-Hash-Group"));
  CHECK(contains(parse_netsh_mm_methods("NONE-SHA1-2").error().message, "'NONE' is not a usable"));
  CHECK(contains(parse_netsh_mm_methods("3DES-SHA512-2").error().message, "'SHA512' is not a usable hash"));
  CHECK(parse_netsh_mm_methods("  ").error().message == "no main-mode security method given");
  std::string many;
  for (int i = 0; i < 21; ++i) many += "3DES-SHA1-2 ";
  CHECK(parse_netsh_mm_methods(many).error().message == "21 main-mode methods; at most 20 are allowed");
}

TEST_CASE("qmsecmethods: ESP, AH, AH+ESP, lifetimes") {
  auto q = parse_netsh_qm_methods(
      "ESP[3DES,SHA1] esp[md5,des]:300s AH[SHA1]:20480k/900S AH[MD5]+ESP[3DES,None]:100000K/3600s "
      "ESP[None,SHA1] ESP[AES-GCM256,None] ESP[AES256,SHA256]+AH[SHA256]");
  REQUIRE(q.ok());
  REQUIRE(q->size() == 7);
  QmOffer e;
  e.esp = EspTransform{Cipher::des3, Integrity::sha1};
  CHECK((*q)[0] == e);
  e.esp = EspTransform{Cipher::des, Integrity::md5};
  e.lifetime_seconds = 300;
  CHECK((*q)[1] == e);
  QmOffer a;
  a.ah = Integrity::sha1;
  a.lifetime_kbytes = 20480;
  a.lifetime_seconds = 900;
  CHECK((*q)[2] == a);
  QmOffer c;
  c.ah = Integrity::md5;
  c.esp = EspTransform{Cipher::des3, Integrity::none};
  c.lifetime_kbytes = 100000;
  c.lifetime_seconds = 3600;
  CHECK((*q)[3] == c);
  CHECK((*q)[4].esp == EspTransform{Cipher::none, Integrity::sha1});
  CHECK((*q)[5].esp == EspTransform{Cipher::aes_gcm256, Integrity::none});
  CHECK((*q)[6].ah == Integrity::sha256);
  CHECK((*q)[6].esp == EspTransform{Cipher::aes256, Integrity::sha256});
  for (const auto& o : *q) CHECK_FALSE(o.pfs.enabled);
}

TEST_CASE("qmsecmethods errors, including the 300 s / 20480 KB minimums") {
  auto msg = [](const char* v) { return parse_netsh_qm_methods(v).error().message; };
  CHECK(contains(msg("ESP[3DES,SHA1]:299s"), "lifetime 299 s is outside 300..2147483647"));
  CHECK(contains(msg("ESP[3DES,SHA1]:20479k"), "lifetime 20479 KB is outside 20480..2147483647"));
  CHECK(contains(msg("ESP[3DES,SHA1]:2147483648s"), "outside"));
  CHECK(contains(msg("ESP[3DES,SHA1]:300s/400s"), "seconds lifetime is given twice"));
  CHECK(contains(msg("ESP[3DES,SHA1]:300m"), "is not a lifetime"));
  CHECK(contains(msg("ESP[3DES,SHA1]300s"), "lifetimes follow a ':'"));
  CHECK(contains(msg("ESP[3DES,SHA1]:"), "lifetimes follow a ':'"));
  CHECK(contains(msg("ESP[None,None]"), "no encryption and no integrity"));
  CHECK(contains(msg("ESP[3DES]"), "ESP needs an encryption and an integrity algorithm"));
  CHECK(contains(msg("ESP[3DES,DES]"), "two encryption algorithms"));
  CHECK(contains(msg("ESP[MD5,SHA1]"), "two integrity algorithms"));
  CHECK(contains(msg("ESP[3DES,RC4]"), "unknown algorithm 'RC4'"));
  CHECK(contains(msg("ESP[AES-GCM128,SHA1]"), "provides its own integrity"));
  CHECK(contains(msg("AH[None]"), "is not an AH hash"));
  CHECK(contains(msg("AH[3DES]"), "is not an AH hash"));
  CHECK(contains(msg("AH[MD5]+AH[SHA1]"), "AH given twice"));
  CHECK(contains(msg("AH[MD5]+ESP[3DES,MD5]+ESP[DES,MD5]"), "at most AH+ESP"));
  CHECK(contains(msg("GRE[MD5]"), "'GRE' is neither ESP nor AH"));
  CHECK(contains(msg("ESP3DES"), "is not ESP[Conf,Auth] or AH[Hash]"));
  CHECK(msg("") == "no quick-mode security method given");
  std::string many;
  for (int i = 0; i < 51; ++i) many += "AH[MD5] ";
  CHECK(msg(many.c_str()) == "51 quick-mode methods; at most 50 are allowed");
}

TEST_CASE("addresses: me, any, IPv4, IPv6, prefix, DNS; server keywords refused") {
  CHECK(parse_netsh_address("ME")->kind == AddrKind::me);
  CHECK(parse_netsh_address("Any")->kind == AddrKind::any);
  auto a = parse_netsh_address("192.0.2.7");
  REQUIRE(a.ok());
  CHECK(a->kind == AddrKind::subnet);
  CHECK(a->ip == *wire::IpAddr::parse("192.0.2.7"));
  CHECK_FALSE(a->len);
  a = parse_netsh_address("2001:db8::/32");
  REQUIRE(a.ok());
  CHECK(a->ip.is_v6());
  CHECK(a->len == 32);
  a = parse_netsh_address("gw-b.example.net");
  REQUIRE(a.ok());
  CHECK(a->kind == AddrKind::dns);
  CHECK(a->name == "gw-b.example.net");
  for (auto s : {"WINS", "dns", "DHCP", "gateway"})
    CHECK(contains(parse_netsh_address(s).error().message, "is not supported"));
  CHECK(parse_netsh_address("10.0.0.300").error().message == "'10.0.0.300' is not a valid IPv4 or IPv6 address");
  CHECK(parse_netsh_address("10.0.0").error().message == "'10.0.0' is not a valid IPv4 or IPv6 address");
  CHECK(contains(parse_netsh_address("10.0.0.0/33").error().message, "bad prefix length"));
  CHECK(contains(parse_netsh_address("bad name!").error().message, "is not an address"));
  CHECK_FALSE(parse_netsh_address("").ok());
}

TEST_CASE("masks, protocols, ports") {
  CHECK(*parse_netsh_mask("255.255.255.0", false) == 24);
  CHECK(*parse_netsh_mask("24", false) == 24);
  CHECK(*parse_netsh_mask("32", false) == 32);
  CHECK(*parse_netsh_mask("0.0.0.0", false) == 0);
  CHECK(*parse_netsh_mask("64", true) == 64);
  CHECK(contains(parse_netsh_mask("255.0.255.0", false).error().message, "not a contiguous mask"));
  CHECK(contains(parse_netsh_mask("33", false).error().message, "prefix length 1..32"));
  CHECK(contains(parse_netsh_mask("0", false).error().message, "prefix length 1..32"));
  CHECK(contains(parse_netsh_mask("255.255.0.0", true).error().message, "IPv6 masks are prefix lengths"));
  CHECK(*parse_netsh_protocol("any") == 0);
  CHECK(*parse_netsh_protocol("ICMP") == 1);
  CHECK(*parse_netsh_protocol("tcp") == 6);
  CHECK(*parse_netsh_protocol("UDP") == 17);
  CHECK(*parse_netsh_protocol("raw") == 255);
  CHECK(*parse_netsh_protocol("47") == 47);
  CHECK(contains(parse_netsh_protocol("256").error().message, "outside 0..255"));
  CHECK(contains(parse_netsh_protocol("gre").error().message, "unknown protocol 'gre'"));
  CHECK(*parse_netsh_port("0") == 0);
  CHECK(*parse_netsh_port("65535") == 65535);
  CHECK(parse_netsh_port("65536").error().message == "'65536' is not a port (0..65535, 0 = any)");
}

TEST_CASE("rootca, psk") {
  auto m = parse_netsh_rootca(R"(C=US, O=\'Acme, Inc\', CN=Acme Root  certmap:yes EXCLUDECANAME:no)");
  REQUIRE(m.ok());
  CHECK(m->kind == AuthKind::cert);
  CHECK(m->ca == R"(C=US, O="Acme, Inc", CN=Acme Root)");
  CHECK(m->cert_map);
  CHECK_FALSE(m->exclude_ca_name);
  m = parse_netsh_rootca("CN=Root excludecaname:y");
  REQUIRE(m.ok());
  CHECK(m->ca == "CN=Root");
  CHECK_FALSE(m->cert_map);
  CHECK(m->exclude_ca_name);
  CHECK(contains(parse_netsh_rootca("certmap:yes").error().message, "root CA name"));
  CHECK(contains(parse_netsh_rootca("CN=R certmap:maybe").error().message, "'maybe' is not yes or no"));
  CHECK(contains(parse_netsh_rootca("CN=R certmap:yes certmap:no").error().message, "given twice"));
  auto p = parse_netsh_psk("Key With Spaces");
  REQUIRE(p.ok());
  CHECK(p->kind == AuthKind::psk);
  CHECK(p->psk == "Key With Spaces");
  CHECK(parse_netsh_psk("").error().message == "preshared key indicated, but not supplied");
}
