// The command line: modes, tokenizer rules and literal messages (windows-cli.md §1.1-§1.4).
#include <fmt/format.h>

#include "support.h"

using namespace ipsecpol_test;

namespace {

Error must_fail(std::vector<std::string> args, const Resolver& r = no_dns()) {
  auto c = parse_ipsecpol_command(args, r);
  if (c) FAIL_CHECK("unexpectedly parsed: ", str::join(args, " "));
  REQUIRE_FALSE(c.ok());
  return c.error();
}

IpsecpolCommand must_args(std::vector<std::string> args, const Resolver& r = no_dns()) {
  auto c = parse_ipsecpol_command(args, r);
  if (!c) FAIL_CHECK(str::join(args, " "), " -> ", c.error().message);
  REQUIRE(c.ok());
  return *c;
}

}  // namespace

TEST_CASE("modes: usage, help, batch, -u, subcommands") {
  CHECK(must_args({}).mode == IpsecpolMode::usage);
  for (const char* h : {"-?", "/?", "-h", "-H", "-help", "/Hxyz"}) {
    INFO(h);
    CHECK(must_args({h}).mode == IpsecpolMode::extended_usage);
  }
  auto b = must_args({"-FILE", "cmds.txt"});
  CHECK(b.mode == IpsecpolMode::batch);
  CHECK(b.batch_file == "cmds.txt");
  check_error(must_fail({"-file"}), 0, 1, {"file name"});
  CHECK(must_args({"-u"}).mode == IpsecpolMode::delete_dynamic);
  CHECK(must_args({"/U"}).mode == IpsecpolMode::delete_dynamic);
  CHECK(must_args({"\\\\server", "-u"}).mode == IpsecpolMode::delete_dynamic);
  // -u with anything else is just an unknown flag
  check_error(must_fail({"-u", "-f", "0+*"}), 0, 1, {"Unknown flag: -u"});
  for (const char* s : {"export", "import", "check", "netsh"}) {
    auto c = must_args({s, "--policy", "x"});
    CHECK(c.mode == IpsecpolMode::subcommand);
    CHECK(c.subcommand == s);
    CHECK(c.args.size() == 3);
  }
}

TEST_CASE("query mode: show with combinable keywords") {
  auto c = must_args({"show", "filters", "sas"});
  CHECK(c.mode == IpsecpolMode::show);
  CHECK(c.show == ShowQuery{true, false, false, false, true});
  CHECK(must_args({"SHOW", "Policies", "AUTH", "stats"}).show == ShowQuery{false, true, true, true, false});
  CHECK(must_args({"show", "all"}).show == ShowQuery{true, true, true, true, true});
  CHECK(must_args({"show"}).show == ShowQuery{});
  auto m = must_args({"\\\\srv", "show", "filters"});
  CHECK(m.mode == IpsecpolMode::show);
  CHECK(m.machine == "srv");
  // an unknown keyword asks for the extended usage, as ipseccmd does
  CHECK(must_args({"show", "filters", "bogus"}).mode == IpsecpolMode::extended_usage);
  // ipseccmd finds "show" anywhere before a -1f ...
  CHECK(must_args({"-f", "0+*", "show", "stats"}).mode == IpsecpolMode::show);
  // ... but not after one
  check_error(must_fail({"-1f", "0+*", "show"}), 0x5, 3, {"\"show\""});
}

TEST_CASE("tokenizer: flags by their first letter, keywords spelt out") {
  auto c = must_args({"-confirm", "-f", "0+*", "-xyz", "-lanx", "-softly", "-1pfs"});
  CHECK(c.confirm);
  CHECK(c.assign);  // parsed; ignored in dynamic mode
  CHECK(c.conn == ConnType::lan);
  CHECK(c.soft);
  CHECK(c.mm_pfs);
  // "-dialup" is tested before "-d"; "-dial" is -d
  auto d = must_args({"-f", "0+*", "-dialup"});
  CHECK(d.conn == ConnType::dialup);
  CHECK_FALSE(d.unassign_active);
  auto dd = must_args({"-f", "0+*", "-dial"});
  CHECK(dd.unassign_active);
  CHECK_FALSE(dd.conn);
  // '/' works as a flag character
  auto s = must_args({"/f", "0+*", "/n", "ESP[DES,MD5]", "/soft"});
  CHECK(s.filters.size() == 1);
  CHECK(s.soft);
  // letters are case-sensitive
  check_error(must_fail({"-F", "0+*"}), 0, 1, {"Unknown flag: -F"});
  check_error(must_fail({"-f", "0+*", "-SOFT"}), 0, 3, {"Unknown flag: -SOFT"});
  check_error(must_fail({"-f", "0+*", "-1"}), 0, 3, {"Unknown flag: -1"});
  check_error(must_fail({"-f", "0+*", "-l"}), 0, 3, {"Unknown flag: -l"});
}

TEST_CASE("tokenizer: list flags, glued values, repeated flags") {
  auto g = must_args({"-f0+*", "10.0.0.1+*", "-n", "ESP[DES,MD5]", "-f", "*=0:80:TCP", "-nAH[SHA]", "-1sDES-MD5-1",
                      "3DES-SHA-2", "-aK", "CERT"});
  REQUIRE(g.filters.size() == 3);
  CHECK(g.filters[0].text == "0+*");
  CHECK(g.filters[0].position == 1);
  CHECK(g.filters[1].position == 2);
  CHECK(g.filters[2].text == "*=0:80:TCP");
  CHECK(g.filters[2].position == 6);
  CHECK(g.offers() == std::vector<QmOffer>{esp(Cipher::des, Integrity::md5), ah(Integrity::sha1)});
  REQUIRE(g.mm_offers.size() == 2);
  CHECK(g.mm_offers[0].cipher == Cipher::des);
  CHECK(g.auth == std::vector<AuthMethod>{kerberos(), cert()});
  // a glued value that starts like a flag
  check_error(must_fail({"-f-x"}), 0, 1, {"Unexpected flag: -f-x. Check usage."});
  check_error(must_fail({"-f", "0+*", "-n/ESP[DES,MD5]"}), 0, 3, {"Unexpected flag: -n/ESP[DES,MD5]. Check usage."});
  check_error(must_fail({"-f", "0+*", "-t-1"}), 0, 3, {"Unexpected flag: -t-1. Check usage."});
  check_error(must_fail({"-f", "0+*", "-1s-DES-MD5-1"}), 0, 3, {"Unexpected flag"});
}

TEST_CASE("tokenizer: value flags") {
  auto c = must_args({"-w", "REG", "-pBranch:60", "-r", "rule one", "-f", "0+*", "-1k", "10Q", "-1e600", "-1k3600S"});
  CHECK(c.mode == IpsecpolMode::static_mode);
  CHECK(c.storage == StorageType::registry);
  CHECK(c.policy_name == "Branch");
  CHECK(c.poll_minutes == 60u);
  CHECK(c.rule_name == "rule one");
  CHECK(c.mm_rekey == MmRekey{10u, 3600u});
  CHECK(c.soft_sa_expiry == 600u);
  // -w: only the first letter; DS takes a domain; C is the undocumented cache
  CHECK(must_args({"-w", "registry", "-p", "x", "-f", "0+*"}).storage == StorageType::registry);
  auto ds = must_args({"-wDS:corp.example.com", "-p", "x", "-f", "0+*"});
  CHECK(ds.storage == StorageType::directory);
  CHECK(ds.storage_location == "corp.example.com");
  CHECK(must_args({"-w", "c", "-p", "x", "-f", "0+*"}).storage == StorageType::cache);
  check_error(must_fail({"-w", "FILE", "-p", "x", "-f", "0+*"}), 0x17, 2,
              {"Error 0x17 occurred: The TYPE of storage \"FILE\" (argument 2) is not supported"});
  // missing values
  check_error(must_fail({"-f", "0+*", "-w"}), 0, 3, {"You must specify storage info: -w. Check usage."});
  check_error(must_fail({"-w", "-p", "x"}), 0, 2, {"You must specify storage info: -p. Check usage."});
  check_error(must_fail({"-w", "REG", "-p", "-f", "0+*"}), 0, 4, {"You must specify policy name: -f. Check usage."});
  check_error(must_fail({"-w", "REG", "-p", "x", "-f", "0+*", "-r"}), 0, 7, {"You must specify rule name: -r."});
  check_error(must_fail({"-f", "0+*", "-t"}), 0, 3, {"You must specify tunnel address: -t."});
  check_error(must_fail({"-f", "0+*", "-1k"}), 0, 3, {"You must specify phase 1 rekey: -1k."});
  check_error(must_fail({"-f", "0+*", "-1e", "-soft"}), 0, 4, {"You must specify soft SA expiration time: -soft."});
  // -p minutes
  CHECK(must_args({"-w", "REG", "-p", "x:0", "-f", "0+*"}).poll_minutes == std::nullopt);  // 0 = not given
  CHECK(must_args({"-w", "REG", "-p", "x:", "-f", "0+*"}).poll_minutes == std::nullopt);
  check_error(must_fail({"-w", "REG", "-p", "x:soon", "-f", "0+*"}), 0xc, 4, {"\"soon\"", "minutes"});
}

TEST_CASE("tokenizer: -t with one or two endpoints") {
  FakeDns dns;
  auto one = must_args({"-f", "10.1.1.0/255.255.255.0=10.2.2.0/255.255.255.0", "-t", "192.168.2.1"}, dns.resolver());
  CHECK(one.tunnel == host("192.168.2.1"));
  CHECK_FALSE(one.tunnel_src);
  auto two = must_args({"-t192.168.1.1", "192.168.2.1", "-f", "0+*"}, dns.resolver());
  CHECK(two.tunnel_src == host("192.168.1.1"));
  CHECK(two.tunnel == host("192.168.2.1"));
  auto named = must_args({"-f", "0=*", "-t", "gw.example"}, dns.resolver());
  CHECK(named.tunnel == Address::dns("gw.example", {ip("198.51.100.7")}));
  check_error(must_fail({"-f", "0=*", "-t", "1.2.3"}), 0x8, 4, {"\"1.2.3\" (argument 4)"});
  check_error(must_fail({"-f", "0=*", "-t", "1.1.1.1", "2.2.2"}), 0x8, 5, {"\"2.2.2\""});
  // a third word is not taken
  check_error(must_fail({"-f", "0=*", "-t", "1.1.1.1", "2.2.2.2", "3.3.3.3"}), 0, 6, {"I don't understand: 3.3.3.3"});
  // DEFAULT cannot be a tunnel rule
  check_error(must_fail({"-f", "DEFAULT", "-t", "1.1.1.1"}), 0xc, 2, {"tunnel"});
}

TEST_CASE("literal messages") {
  check_error(must_fail({"-n", "ESP[DES,MD5]"}), 0, -1, {"You must supply filters with -f"});
  check_error(must_fail({"-w", "REG", "-p", "x"}), 0, -1, {"You must supply filters with -f"});
  check_error(must_fail({"-w", "REG", "-f", "0+*"}), 0, -1, {"You must supply a policy name"});
  check_error(must_fail({"-w", "REG", "-p", ":60", "-f", "0+*"}), 0, -1, {"You must supply a policy name"});
  check_error(must_fail({"0+*"}), 0, 1, {"I don't understand: 0+*"});
  // list values run to the next flag: the offer is read as a (badly bracketed) filterspec
  check_error(must_fail({"-f", "0+*", "ESP[DES,MD5]"}), 0x4, 3, {"\"ESP[DES,MD5]\" (argument 3)"});
  check_error(must_fail({"-f", "0+*", "-q"}), 0, 3, {"Unknown flag: -q"});
  check_error(must_fail({"-f", "0+*", ""}), 0, 3, {"Unknown flag: "});  // "" counts as a flag (strchr quirk)
  check_error(must_fail({"-f", "0+*", "-lan", "-dialup"}), 0, 4, {"-lan and -dialup are mutually exclusive"});
  // dynamic mode has no -x exemption
  check_error(must_fail({"-x"}), 0, -1, {"You must supply filters with -f"});
  // static mode: -x, -y, -o need no filters; -y needs no name
  CHECK(must_args({"-w", "REG", "-p", "x", "-x"}).assign);
  CHECK(must_args({"-w", "REG", "-p", "x", "-o"}).delete_policy);
  CHECK(must_args({"-w", "REG", "-y"}).unassign);
}

TEST_CASE("argument length limit: 255 symbols") {
  const std::string name255 = std::string(255, 'n');
  const std::string name256 = std::string(256, 'n');
  CHECK(must_args({"-w", "REG", "-p", name255, "-f", "0+*"}).policy_name == name255);
  check_error(must_fail({"-w", "REG", "-p", name256, "-f", "0+*"}), 0, 4,
              {"Error: the argument is too long (>255 symbols)"});
  // checked before anything else is parsed (but after -file and help)
  check_error(must_fail({name256}), 0, 1, {"too long"});
  CHECK(must_args({"-file", name256}).mode == IpsecpolMode::batch);
}

TEST_CASE("\\\\machine only as the first argument") {
  auto c = must_args({"\\\\server1", "-f", "0+*"});
  CHECK(c.machine == "server1");
  CHECK(c.mode == IpsecpolMode::dynamic_mode);
  check_error(must_fail({"-f", "0+*", "\\\\server1"}), 0x5, 3, {});
  check_error(must_fail({"-n", "ESP[DES,MD5]", "\\\\server1"}), 0xc, 3, {});
}

TEST_CASE("static mode: ( ) and [ ] are refused, DNS keeps every address") {
  check_error(must_fail({"-w", "REG", "-p", "x", "-f", "(0+*)"}), 0xc, 6, {"-n PASS", "static mode"});
  check_error(must_fail({"-w", "REG", "-p", "x", "-f", "[0+*]"}), 0xc, 6, {"-n BLOCK"});
  FakeDns dns;
  auto s = must_args({"-f", "gw.example+0", "-w", "REG", "-p", "x"}, dns.resolver());
  CHECK(s.filters[0].filter.src.resolved.size() == 2);
  auto d = must_args({"-f", "gw.example+0"}, dns.resolver());
  CHECK(d.filters[0].filter.src.resolved.size() == 1);
  // DEFAULT must stand alone
  check_error(must_fail({"-f", "DEFAULT", "0+*"}), 0xc, -1, {"DEFAULT"});
}

TEST_CASE("the example command lines of windows-cli.md §1.12 parse") {
  FakeDns dns;
  {
    auto c = must_parse("ipsecpol -f 0+* -n ESP[DES,MD5] -a PRESHARE:\"abc\"", dns.resolver());
    CHECK(c.mode == IpsecpolMode::dynamic_mode);
    REQUIRE(c.filters.size() == 1);
    CHECK(c.filters[0].filter == filter(Address::me(), Address::any(), true));
    CHECK(c.offers() == std::vector<QmOffer>{esp(Cipher::des, Integrity::md5)});
    CHECK(c.auth == std::vector<AuthMethod>{psk("abc")});
  }
  {
    auto c = must_parse(
        "ipsecpol -f 10.1.1.0/255.255.255.0=10.2.2.0/255.255.255.0 -t 192.168.2.1 -n "
        "ESP[3DES,SHA]3600S/50000KP -1s 3DES-SHA-2 -a P:\"k\"",
        dns.resolver());
    CHECK(c.filters[0].filter == filter(net("10.1.1.0/24"), net("10.2.2.0/24"), false));
    CHECK(c.tunnel == host("192.168.2.1"));
    QmOffer o = esp(Cipher::des3, Integrity::sha1, 3600, 50000);
    o.pfs = Pfs{true, DhGroup::none};
    CHECK(c.offers() == std::vector<QmOffer>{o});
    CHECK(c.mm_offers == std::vector<MmOffer>{MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0}});
    CHECK(c.auth == std::vector<AuthMethod>{psk("k")});
    auto rev = must_parse(
        "ipsecpol -f 10.2.2.0/255.255.255.0=10.1.1.0/255.255.255.0 -t 192.168.1.1 -n "
        "ESP[3DES,SHA]3600S/50000KP -1s 3DES-SHA-2 -a P:\"k\"",
        dns.resolver());
    CHECK(rev.tunnel == host("192.168.1.1"));
  }
  {
    auto c = must_parse(
        "ipsecpol -w REG -p \"Block UDP 1434 Filter\" -r \"Block Inbound UDP 1434 Rule\" -f "
        "*=0:1434:UDP -n BLOCK -x");
    CHECK(c.mode == IpsecpolMode::static_mode);
    CHECK(c.policy_name == "Block UDP 1434 Filter");
    CHECK(c.rule_name == "Block Inbound UDP 1434 Rule");
    CHECK(c.filters[0].filter == filter(Address::any(), Address::me(), false, 17, 0, 1434));
    CHECK(c.special_action() == NegPolicyKind::block);
    CHECK(c.assign);
  }
  {
    auto c = must_parse(
        "ipsecpol -w REG -p \"Block UDP 1434 Filter\" -r \"Block Outbound UDP 1434 Rule\" -f "
        "0=*:1434:UDP -n BLOCK");
    CHECK(c.filters[0].filter == filter(Address::me(), Address::any(), false, 17, 0, 1434));
  }
  {
    auto c = must_parse("ipseccmd -w REG -p \"Block UDP 1434 Filter\" -y");
    CHECK(c.unassign);
    CHECK(c.filters.empty());
    CHECK(must_parse("ipseccmd -w REG -p \"Block UDP 1434 Filter\" -y -o").delete_policy);
  }
  {
    auto c = must_parse("ipseccmd -f [*=0:80:TCP]");
    CHECK(c.filters[0].action == FilterSpecAction::block);
    CHECK(c.filters[0].filter == filter(Address::any(), Address::me(), false, 6, 0, 80));
  }
  {
    auto c = must_parse("ipseccmd -f (0+10.0.0.5) 0+*::UDP -n ESP[3DES,SHA] -soft -lan");
    REQUIRE(c.filters.size() == 2);
    CHECK(c.filters[0].action == FilterSpecAction::permit);
    CHECK(c.filters[0].filter == filter(Address::me(), host("10.0.0.5"), true));
    CHECK(c.filters[1].filter == filter(Address::me(), Address::any(), true, 17));
    CHECK(c.soft);
    CHECK(c.conn == ConnType::lan);
  }
  {
    auto c = must_parse(
        "ipseccmd -w DS:corp.example.com -p Corp:60 -r Web -f *=0:80:TCP -n INPASS ESP[3DES,SHA] "
        "-a K C:\"CN=Corp Root\"");
    CHECK(c.storage == StorageType::directory);
    CHECK(c.storage_location == "corp.example.com");
    CHECK(c.policy_name == "Corp");
    CHECK(c.poll_minutes == 60u);
    CHECK(c.special_action() == NegPolicyKind::inpass);
    CHECK(c.offers() == std::vector<QmOffer>{esp(Cipher::des3, Integrity::sha1)});
    CHECK(c.auth == std::vector<AuthMethod>{kerberos(), cert("CN=Corp Root")});
  }
  {
    auto c = must_parse("ipseccmd show filters sas");
    CHECK(c.mode == IpsecpolMode::show);
    CHECK(c.show == ShowQuery{true, false, false, false, true});
  }
  CHECK(must_parse("ipseccmd -u").mode == IpsecpolMode::delete_dynamic);
}

TEST_CASE("command helpers") {
  auto c = must_args({"-f", "0+*", "-n", "PASS", "ESP[DES,MD5]", "BLOCK", "-1p"});
  CHECK(c.special_action() == NegPolicyKind::block);  // the last one
  CHECK(c.offers().size() == 1);
  CHECK(c.sets_isakmp());
  CHECK_FALSE(must_args({"-f", "0+*", "-soft"}).sets_isakmp());
  CHECK(must_args({"-f", "DEFAULT"}).is_default_response());
  CHECK(is_ipsecpol_flag("-x"));
  CHECK(is_ipsecpol_flag("/x"));
  CHECK(is_ipsecpol_flag(""));
  CHECK_FALSE(is_ipsecpol_flag("x"));
}

TEST_CASE("every text2pol message id through the whole command line, with its argv position") {
  struct Case {
    const char* line;
    std::int64_t proto;
    int position;
  };
  const Case cases[] = {
      {"ipsecpol -f 0+* (0+*", 0x3, 3},
      {"ipsecpol -n ESP[DES,MD5] -f [0+*", 0x4, 4},
      {"ipsecpol -f 10.1.1.1-10.2.2.2", 0x5, 2},
      {"ipsecpol -f 0+nowhere.example", 0x7, 2},
      {"ipsecpol -f 0+* 0+10.0.0.0/16", 0x8, 3},
      {"ipsecpol -f0+*::SCTP", 0x9, 1},
      {"ipsecpol -f 0+* -n ESP[DES,MD5]1H", 0xa, 4},
      {"ipsecpol -f 0+* -n AH[DES]", 0xb, 4},
      {"ipsecpol -f 0+* -n ESP(DES,MD5)", 0xc, 4},
      {"ipsecpol -f 0+* -n ESP[DES,MD5] ESP[DES,3DES]", 0xd, 5},
      {"ipsecpol -f 0+* -nESP[NONE,NONE]", 0xe, 3},
      {"ipsecpol -f 0+* -n ESP[DES]", 0xf, 4},
      {"ipsecpol -f 0+* -n GRE[DES]", 0x10, 4},
      {"ipsecpol -f 0+* -a KERBEROS PRESHARE", 0x11, 5},
      {"ipsecpol -f 0+* -a NTLM", 0x12, 4},
      {"ipsecpol -f 0+* -1s 3DES-SHA-2 3DES-SHA-4", 0x14, 5},
      {"ipsecpol -f 0+* -1s 3DES-SHA-", 0x15, 4},
      {"ipsecpol -f 0+* -1k 10M", 0x16, 4},
      {"ipsecpol -w LDAP -p x -f 0+*", 0x17, 2},
      {"ipsecpol -f 0+* 0=", 0x1a, 3},
      {"ipsecpol -f 0+* -n ESP[3DES,SHA]3600S/5000K", 0x1b, 4},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = parse(c.line);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "usage");
    CHECK(r.error().proto == c.proto);
    CHECK(r.error().position == c.position);
    CHECK(r.error().message.rfind(fmt::format("Error 0x{:x} occurred: ", c.proto), 0) == 0);
    CHECK(r.error().message.find(fmt::format("(argument {})", c.position)) != std::string::npos);
  }
}
