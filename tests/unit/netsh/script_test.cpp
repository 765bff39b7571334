// Whole scripts: line forms, contexts, comments, errors with line numbers and positions,
// all-or-nothing, assignment requests, and a realistic gateway-to-gateway tunnel.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "netsh_test_util.h"
#include "policy/defaults.h"

using namespace netsh_test;

TEST_CASE("line forms: netsh ipsec static, ipsec static, bare, netsh -c, abbreviations, case") {
  PolicySet s;
  auto out = run_ok(
      "netsh ipsec static add policy name=A\n"
      "ipsec static add policy B\n"
      "add policy C\n"
      "static add policy D\n"
      "netsh -c \"ipsec static\" add policy E\n"
      "netsh -c ipsec static add policy F\n"
      "NETSH IPSEC STATIC ADD POLICY NAME=G\n"
      "a po H\n"
      "del pol H\n",
      s);
  REQUIRE(s.policies.size() == 7);
  for (std::size_t i = 0; i < 7; ++i) CHECK(s.policies[i].name == std::string(1, static_cast<char>('A' + i)));
  REQUIRE(out.steps.size() == 9);
  CHECK(out.steps[7].command == "add policy");
  CHECK(out.steps[8].command == "delete policy");
  CHECK(out.steps[8].line == 9);
}

TEST_CASE("comments, blank lines, CRLF") {
  PolicySet s;
  auto out = run_ok(
      "# a comment with \"an unbalanced quote\n"
      "   # indented comment\r\n"
      "rem netsh ipsec static add policy Ignored\r\n"
      "REM\n"
      "\r\n"
      "   \n"
      "add policy \"Real\"\r\n",
      s);
  REQUIRE(s.policies.size() == 1);
  CHECK(s.policies[0].name == "Real");
  REQUIRE(out.steps.size() == 1);
  CHECK(out.steps[0].line == 7);
}

TEST_CASE("contexts: pushd/popd, entering contexts, .., exit ends the script") {
  PolicySet s;
  run_ok(
      "pushd ipsec static\n"
      "add policy A\n"
      "popd\n"
      "ipsec\n"  // now in netsh ipsec
      "static add policy B\n"
      "static\n"  // now in netsh ipsec static
      "add policy C\n"
      "..\n"
      "..\n"  // root
      "ipsec static add policy D\n"
      "netsh ipsec static\n"
      "add policy E\n"
      "exit\n"
      "add policy NotRun\n",
      s);
  REQUIRE(s.policies.size() == 5);
  CHECK(s.policies[4].name == "E");
  // At the root, a bare command is not an ipsec static command.
  CHECK(run_err("..\n..\nadd policy X", s, "usage") ==
        "line 3: 'add' in context 'netsh': only 'netsh ipsec static' commands are supported");
  CHECK(run_err("popd", s, "usage") == "line 1: popd without pushd");
  CHECK(contains(run_err("pushd ipsec wrong", s, "usage"), "pushd: 'wrong' is not a context"));
}

TEST_CASE("unsupported commands and contexts are clear errors") {
  PolicySet s;
  CHECK(run_err("show policy all", s, "usage") == "line 1: show: show is not supported in scripts; use ipsecpol show");
  CHECK(run_err("netsh ipsec static show all", s, "usage") ==
        "line 1: show: show is not supported in scripts; use ipsecpol show");
  CHECK(run_err("exportpolicy file=c:\\x.ipsec", s, "usage") ==
        "line 1: exportpolicy: exportpolicy is not supported in scripts; use ipsecpol export");
  CHECK(run_err("importpolicy file=x.ipsec", s, "usage") ==
        "line 1: importpolicy: importpolicy is not supported in scripts; use ipsecpol import");
  CHECK(contains(run_err("netsh ipsec dynamic add mmpolicy name=x", s, "usage"), "'ipsec dynamic' is not supported"));
  CHECK(run_err("netsh interface ip set address x", s, "usage") ==
        "line 1: 'interface' in context 'netsh': only 'netsh ipsec static' commands are supported");
  CHECK(contains(run_err("netsh -f script.txt", s, "usage"), "netsh option '-f' is not supported"));
  CHECK(contains(run_err("s policy P", s, "usage"), "command 's' is ambiguous: it could be set, show"));
  CHECK(contains(run_err("frobnicate policy P", s, "usage"), "unknown command 'frobnicate'"));
  CHECK(contains(run_err("add", s, "usage"),
                 "add what? (expected one of: policy, filterlist, filter, filteraction, rule)"));
  CHECK(contains(run_err("add name=x", s, "usage"), "add what?"));
  CHECK(contains(run_err("add fil name=x", s, "usage"), "object 'fil' is ambiguous"));
  CHECK(contains(run_err("delete store", s, "usage"), "unknown object 'store'"));
}

TEST_CASE("errors name the line, the command, the tag=value and carry the byte position") {
  PolicySet s;
  const std::string script = "add policy P\n\nadd filter filterlist=L srcaddr=me dstaddr=10.0.0.999\n";
  auto r = run_netsh_script(script, s, options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "usage");
  CHECK(r.error().message ==
        "line 3: add filter: dstaddr=10.0.0.999: '10.0.0.999' is not a valid IPv4 or IPv6 address");
  CHECK(r.error().position == static_cast<int>(script.find("dstaddr")));
  // An unknown tag.
  r = run_netsh_script("add policy name=P colour=red", s, options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.starts_with("line 1: add policy: unknown tag 'colour' (expected one of: name, description"));
  CHECK(r.error().position == 18);
  // A tokenizer error.
  r = run_netsh_script("add policy P\nadd policy \"Q", s, options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "line 2: unterminated quote");
  CHECK(r.error().position == 24);
}

TEST_CASE("all or nothing: a script whose last line fails leaves the store unchanged") {
  PolicySet s = builtin_policies();
  const PolicySet before = s;
  auto r = run_netsh_script(
      "add policy New\n"
      "add filter L me any\n"
      "add filteraction A\n"
      "add rule R New L A\n"
      "delete policy \"Server (Request Security)\"\n"
      "delete filteraction name=A\n",  // in use by R: fails
      s, options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "failed");
  CHECK(r.error().message ==
        "line 6: delete filteraction: filter action 'A' is in use by rule 'R' of policy 'New'; delete or change the "
        "rule first");
  CHECK(s == before);
}

TEST_CASE("assignment requests follow renames and deletions") {
  PolicySet s;
  auto out = run_ok(
      "add policy A assign=yes\n"
      "set policy A newname=A2\n"
      "add policy B assign=yes\n"
      "delete policy B\n"
      "add policy C\n"
      "set policy C assign=no\n",
      s);
  REQUIRE(out.assignments.size() == 3);  // assign A (now A2); B's assign dropped, its unassign kept; unassign C
  CHECK(out.assignments[0].policy == "A2");
  CHECK(out.assignments[0].assign);
  CHECK(out.assignments[0].line == 1);
  CHECK(out.assignments[1].policy == "B");
  CHECK_FALSE(out.assignments[1].assign);
  CHECK(out.assignments[1].line == 4);
  CHECK(out.assignments[2].policy == "C");
  CHECK_FALSE(out.assignments[2].assign);
  CHECK(out.renamed_policies.empty());  // A was not in the input store
}

TEST_CASE("a gateway-to-gateway tunnel policy (site A 10.1/16 at 192.0.2.1, site B 10.2/16 at 198.51.100.1)") {
  PolicySet s;
  auto out = run_ok(R"(# Site A gateway: tunnel to site B, pre-shared key
netsh ipsec static add policy name="Site A to Site B" description="Tunnel to branch B" mmsecmethods="AES256-SHA256-14 3DES-SHA1-2" mmlifetime=240 qmpermm=0
netsh ipsec static add filterlist name="A to B" description="Site A LAN to site B LAN"
netsh ipsec static add filterlist name="B to A"
netsh ipsec static add filter filterlist="A to B" srcaddr=10.1.0.0 srcmask=255.255.0.0 dstaddr=10.2.0.0 dstmask=16 protocol=ANY mirrored=no
netsh ipsec static add filter filterlist="B to A" srcaddr=10.2.0.0 srcmask=16 dstaddr=10.1.0.0 dstmask=255.255.0.0 mirrored=no
netsh ipsec static add filteraction name="Tunnel ESP" description="ESP only, PFS" qmpfs=yes action=negotiate qmsecmethods="ESP[AES256,SHA256]:3600s/100000k ESP[3DES,SHA1]:3600s/100000k"
netsh ipsec static add rule name="A to B" policy="Site A to Site B" filterlist="A to B" filteraction="Tunnel ESP" tunnel=198.51.100.1 conntype=lan psk="branch b shared secret"
netsh ipsec static add rule name="B to A" policy="Site A to Site B" filterlist="B to A" filteraction="Tunnel ESP" tunnel=192.0.2.1 conntype=lan psk="branch b shared secret"
netsh ipsec static set defaultrule policy="Site A to Site B" activate=no
netsh ipsec static set policy name="Site A to Site B" assign=yes
)",
                    s);
  CHECK(out.steps.size() == 10);
  REQUIRE(out.assignments.size() == 1);
  CHECK(out.assignments[0].policy == "Site A to Site B");
  CHECK(out.assignments[0].assign);

  REQUIRE(s.policies.size() == 1);
  const Policy& p = s.policies[0];
  CHECK(p.name == "Site A to Site B");
  CHECK(p.description == "Tunnel to branch B");
  CHECK(p.isakmp.offers == std::vector<MmOffer>{{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 14400, 0},
                                                {Cipher::des3, Integrity::sha1, DhGroup::modp1024, 14400, 0}});
  CHECK_FALSE(p.default_response.active);
  REQUIRE(p.rules.size() == 2);

  const Rule& ab = p.rules[0];
  CHECK(ab.name == "A to B");
  CHECK(ab.filter_list == "A to B");
  CHECK(ab.filter_action == "Tunnel ESP");
  CHECK(ab.tunnel == Address::host(*wire::IpAddr::parse("198.51.100.1")));
  CHECK(ab.conn == ConnType::lan);
  REQUIRE(ab.auth.size() == 1);
  CHECK(ab.auth[0].kind == AuthKind::psk);
  CHECK(ab.auth[0].psk == "branch b shared secret");
  const Rule& ba = p.rules[1];
  CHECK(ba.tunnel == Address::host(*wire::IpAddr::parse("192.0.2.1")));
  CHECK(ba.filter_list == "B to A");

  REQUIRE(s.filter_lists.size() == 2);
  const FilterList* l = s.find_filter_list("A to B");
  REQUIRE(l);
  CHECK(l->description == "Site A LAN to site B LAN");
  REQUIRE(l->filters.size() == 1);
  CHECK(l->filters[0].src == Address::subnet(prefix("10.1.0.0/16")));
  CHECK(l->filters[0].dst == Address::subnet(prefix("10.2.0.0/16")));
  CHECK_FALSE(l->filters[0].mirrored);
  CHECK(s.find_filter_list("B to A")->filters.at(0).src == Address::subnet(prefix("10.2.0.0/16")));

  REQUIRE(s.filter_actions.size() == 1);
  const FilterAction& fa = s.filter_actions[0];
  CHECK(fa.action == ActionType::negotiate);
  REQUIRE(fa.offers.size() == 2);
  CHECK(fa.offers[0].esp == EspTransform{Cipher::aes256, Integrity::sha256});
  CHECK(fa.offers[1].esp == EspTransform{Cipher::des3, Integrity::sha1});
  for (const auto& o : fa.offers) {
    CHECK(o.lifetime_seconds == 3600);
    CHECK(o.lifetime_kbytes == 100000);
    CHECK(o.pfs == Pfs{true, DhGroup::none});
  }
  CHECK_FALSE(fa.inpass);
  CHECK_FALSE(fa.soft);

  auto v = validate(s);
  if (!v) FAIL_CHECK(v.error().message);
  CHECK(v.ok());
}

TEST_CASE("scripts on the built-in policies") {
  PolicySet s = builtin_policies();
  run_ok(
      "set policy name=\"Secure Server (Require Security)\" newname=\"Secure Server\"\n"
      "add rule name=Web policy=\"Secure Server\" filterlist=\"All IP Traffic\" filteraction=Permit\n"
      "set filterlist \"All IP Traffic\" newname=\"Everything\"\n",
      s);
  const Policy* p = s.find_policy("Secure Server");
  REQUIRE(p);
  CHECK(p->rules.size() == 3);
  for (const auto& q : s.policies)
    for (const auto& r : q.rules) CHECK(r.filter_list != "All IP Traffic");
  CHECK(validate(s).ok());
  auto out = run_ok("set policy \"Secure Server\" newname=\"Secure Server (Require Security)\"", s);
  CHECK(out.renamed_policies ==
        std::vector<std::pair<std::string, std::string>>{{"Secure Server", "Secure Server (Require Security)"}});
}

TEST_CASE("an empty script changes nothing") {
  PolicySet s = builtin_policies();
  auto out = run_ok("", s);
  CHECK(out.steps.empty());
  CHECK(s == builtin_policies());
}

TEST_CASE("every fuzz seed script runs cleanly on an empty and on the built-in set") {
  const std::filesystem::path dir = std::filesystem::path(IPSECKIT_SOURCE_DIR) / "tests/fuzz/corpus/netsh_script";
  NetshOptions opt = options();
  opt.resolve = [](const std::string& name) {  // the fuzz target's resolver
    std::vector<wire::IpAddr> out;
    if (name.ends_with(".v6.test"))
      out.push_back(*wire::IpAddr::parse("2001:db8::7"));
    else if (name.ends_with(".test"))
      out.push_back(*wire::IpAddr::parse("192.0.2.7"));
    return out;
  };
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (PolicySet s : {PolicySet{}, builtin_policies()}) {
      INFO(entry.path().filename().string());
      auto r = run_netsh_script(text, s, opt);
      if (!r) FAIL_CHECK(r.error().message);
      CHECK(r.ok());
      CHECK(validate(s).ok());
    }
    ++seeds;
  }
  CHECK(seeds >= 5);
}

TEST_CASE("a bad value is a usage error even when the object is also missing") {
  PolicySet s;
  CHECK(contains(run_err("set policy name=Nope mmlifetime=0", s, "usage"), "mmlifetime=0"));
  CHECK(contains(run_err("set defaultrule policy=Nope qmpfs=maybe", s, "usage"), "qmpfs=maybe"));
  CHECK(contains(run_err("set filteraction Nope action=allow", s, "usage"), "action=allow"));
  CHECK(contains(run_err("set filterlist Nope newname=", s, "usage"), "newname= must not be empty"));
  CHECK(contains(run_err("set rule name=R policy=Nope conntype=wifi", s, "usage"), "conntype=wifi"));
  CHECK(contains(run_err("set rule id=0 policy=Nope", s, "usage"), "id=0"));
  CHECK(contains(run_err("delete rule id=x policy=Nope", s, "usage"), "id=x"));
  CHECK(contains(run_err("add rule R Nope L A tunnel=any", s, "usage"), "tunnel=any"));
  // Without a bad value, the missing object is reported.
  CHECK(contains(run_err("set rule name=R policy=Nope conntype=lan", s, "failed"), "policy 'Nope' does not exist"));
}
