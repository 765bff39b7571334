// Dynamic mode: one run as a PolicySet holding the "(dynamic)" policy.
#include "support.h"

using namespace ipsecpol_test;

namespace {

DynamicBuildResult build(std::string_view line, const Resolver& r = no_dns()) {
  auto cmd = must_parse(line, r);
  auto res = build_dynamic(cmd, fixed_options());
  if (!res) FAIL_CHECK(line, " -> ", res.error().message);
  REQUIRE(res.ok());
  REQUIRE(res->set.policies.size() == 1);
  CHECK(res->set.policies[0].name == kDynamicPolicyName);
  CHECK(validate(res->set).ok());
  return *res;
}

}  // namespace

TEST_CASE("dynamic: secure all traffic with a pre-shared key (the first §1.12 example)") {
  auto d = build("ipsecpol -f 0+* -n ESP[DES,MD5] -a PRESHARE:\"abc\"");
  const Policy& p = d.set.policies[0];
  REQUIRE(p.rules.size() == 1);
  const Rule& r = p.rules[0];
  CHECK(r.name.rfind("ipsecpol {", 0) == 0);
  CHECK(d.rules == std::vector<std::string>{r.name});
  CHECK(r.auth == std::vector<AuthMethod>{psk("abc")});
  CHECK_FALSE(r.tunnel);
  CHECK(d.set.find_filter_list(r.filter_list)->filters ==
        std::vector<Filter>{filter(Address::me(), Address::any(), true)});
  const FilterAction* fa = d.set.find_filter_action(r.filter_action);
  CHECK(fa->action == ActionType::negotiate);
  CHECK(fa->offers == std::vector<QmOffer>{esp(Cipher::des, Integrity::md5)});
  // default IKE offers; no default response rule in dynamic mode
  CHECK(p.isakmp.offers == default_mm_offers());
  CHECK_FALSE(p.default_response.active);
  CHECK(p.changed == 1700000000);
}

TEST_CASE("dynamic: the two-run site-to-site tunnel") {
  auto out = build(
      "ipsecpol -f 10.1.1.0/255.255.255.0=10.2.2.0/255.255.255.0 -t 192.168.2.1 -n "
      "ESP[3DES,SHA]3600S/50000KP -1s 3DES-SHA-2 -a P:\"k\" -r out");
  const Policy& p = out.set.policies[0];
  const Rule& r = p.rules[0];
  CHECK(r.name == "out");
  CHECK(r.filter_list == "out filter list");
  CHECK(r.tunnel == host("192.168.2.1"));
  QmOffer o = esp(Cipher::des3, Integrity::sha1, 3600, 50000);
  o.pfs = Pfs{true, DhGroup::none};
  CHECK(out.set.find_filter_action(r.filter_action)->offers == std::vector<QmOffer>{o});
  CHECK(p.isakmp.offers == std::vector<MmOffer>{MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 28800, 0}});
  auto in = build(
      "ipsecpol -f 10.2.2.0/255.255.255.0=10.1.1.0/255.255.255.0 -t 192.168.1.1 -n "
      "ESP[3DES,SHA]3600S/50000KP -1s 3DES-SHA-2 -a P:\"k\" -r in");
  CHECK(in.set.policies[0].rules[0].tunnel == host("192.168.1.1"));
}

TEST_CASE("dynamic: ( ) and [ ] filters become their own rules") {
  auto d = build("ipseccmd -f (0+10.0.0.5) 0+*::UDP [*=0:135:TCP] -n ESP[3DES,SHA] -soft -lan -r R");
  const Policy& p = d.set.policies[0];
  REQUIRE(p.rules.size() == 3);
  CHECK(d.rules == std::vector<std::string>{"R", "R (pass-through)", "R (block)"});
  for (const auto& r : p.rules) CHECK(r.conn == ConnType::lan);
  CHECK(d.set.find_filter_list("R filter list")->filters ==
        std::vector<Filter>{filter(Address::me(), Address::any(), true, 17)});
  CHECK(d.set.find_filter_list("R (pass-through) filter list")->filters ==
        std::vector<Filter>{filter(Address::me(), host("10.0.0.5"), true)});
  CHECK(d.set.find_filter_list("R (block) filter list")->filters ==
        std::vector<Filter>{filter(Address::any(), Address::me(), false, 6, 0, 135)});
  const FilterAction* main = d.set.find_filter_action("R filter action");
  CHECK(main->soft);
  CHECK(main->offers == std::vector<QmOffer>{esp(Cipher::des3, Integrity::sha1)});
  CHECK(d.set.find_filter_action("R (pass-through) filter action")->action == ActionType::permit);
  CHECK(d.set.find_filter_action("R (block) filter action")->action == ActionType::block);
  CHECK(p.isakmp.soft_sa_expiry_seconds == 300);  // -soft
}

TEST_CASE("dynamic: a block-only run, -n PASS overriding wrappers, DEFAULT") {
  auto b = build("ipseccmd -f [*=0:80:TCP]");
  const Policy& p = b.set.policies[0];
  REQUIRE(p.rules.size() == 1);
  CHECK(p.rules[0].name.find("(block)") != std::string::npos);

  auto pass = build("ipsecpol -f [0+*] 0+*::UDP -n PASS");
  REQUIRE(pass.set.policies[0].rules.size() == 1);
  CHECK(pass.set.filter_actions[0].action == ActionType::permit);
  CHECK(pass.notes.size() == 1);

  auto inpass = build("ipsecpol -f 0+* -n INPASS");
  CHECK(inpass.set.filter_actions[0].inpass);
  CHECK(inpass.set.filter_actions[0].offers == default_ipsecpol_qm_offers());

  auto def = build("ipseccmd -f DEFAULT -a CERT");
  const Policy& dp = def.set.policies[0];
  CHECK(dp.rules.empty());
  CHECK(dp.default_response.active);
  CHECK(dp.default_response.offers == default_ipsecpol_qm_offers());
  CHECK(dp.default_response.auth == std::vector<AuthMethod>{cert()});
  auto bad = build_dynamic(must_parse("ipseccmd -f DEFAULT -n BLOCK"), fixed_options());
  REQUIRE_FALSE(bad);
  check_error(bad.error(), 0xc, 4, {"always negotiates"});
}

TEST_CASE("dynamic: main mode flags, notes, DNS first address") {
  FakeDns dns;
  auto d = build("ipsecpol -f 0+gw.example -1s AES128-SHA256-14 -1k 3600S -1p -1e 100 -1f 0+* -x -p ignored",
                 dns.resolver());
  const Policy& p = d.set.policies[0];
  CHECK(p.isakmp.offers ==
        std::vector<MmOffer>{MmOffer{Cipher::aes128, Integrity::sha256, DhGroup::modp2048, 3600, 1}});
  CHECK(p.isakmp.mm_pfs);
  CHECK(p.isakmp.soft_sa_expiry_seconds == 100);
  CHECK(d.notes.size() == 2);  // -p, -x
  // -1f: the explicit main-mode filter is kept on the rule (me <-> any, mirrored)
  REQUIRE(p.rules[0].mm_filters.size() == 1);
  CHECK(p.rules[0].mm_filters[0].src == Address::me());
  CHECK(p.rules[0].mm_filters[0].dst == Address::any());
  CHECK(p.rules[0].mm_filters[0].mirrored);
  CHECK(d.set.filter_lists[0].filters[0].dst == Address::dns("gw.example", {ip("198.51.100.7")}));
  // tunnel filters are one-way here too
  auto t = build("ipsecpol -f 10.0.0.0/255.0.0.0+* -t 192.0.2.1");
  CHECK_FALSE(t.set.filter_lists[0].filters[0].mirrored);
  CHECK(t.notes.size() == 1);
  // a static command is refused
  CHECK_FALSE(build_dynamic(must_parse("ipsecpol -w REG -p x -f 0+*"), fixed_options()));
}
