// Static mode (-w) semantics (windows-cli.md §1.9, ipseccmd StorePolicy / pol2stor.cpp).
#include <fmt/format.h>

#include <algorithm>

#include "support.h"

using namespace ipsecpol_test;

namespace {

// ids and timestamps are not part of what we compare
PolicySet stripped(PolicySet s) {
  for (auto& p : s.policies) {
    p.id.clear();
    p.changed = 0;
    for (auto& r : p.rules) r.id.clear();
  }
  for (auto& l : s.filter_lists) l.id.clear();
  for (auto& a : s.filter_actions) a.id.clear();
  s.sort();
  return s;
}

StaticApplyResult apply(PolicySet& store, std::string_view line, const Resolver& r = no_dns()) {
  auto cmd = must_parse(line, r);
  auto res = apply_static(store, cmd, fixed_options());
  if (!res) FAIL_CHECK(line, " -> ", res.error().message);
  REQUIRE(res.ok());
  return *res;
}

Error apply_fails(PolicySet& store, std::string_view line) {
  auto cmd = must_parse(line);
  const PolicySet before = store;
  auto res = apply_static(store, cmd, fixed_options());
  REQUIRE_FALSE(res.ok());
  CHECK(store == before);  // all or nothing
  return res.error();
}

FilterAction negotiate(std::string name, std::vector<QmOffer> offers) {
  FilterAction a;
  a.name = std::move(name);
  a.action = ActionType::negotiate;
  a.offers = std::move(offers);
  return a;
}

Rule rule(std::string name, std::vector<AuthMethod> auth, std::optional<Address> tunnel = std::nullopt) {
  Rule r;
  r.name = name;
  r.filter_list = name + " filter list";
  r.filter_action = name + " filter action";
  r.auth = std::move(auth);
  r.tunnel = std::move(tunnel);
  return r;
}

FilterList list(std::string name, std::vector<Filter> filters) {
  FilterList l;
  l.name = std::move(name);
  l.filters = std::move(filters);
  return l;
}

}  // namespace

TEST_CASE("the Branch example: two static commands in sequence") {
  PolicySet store;
  auto r1 = apply(
      store, "ipsecpol -w REG -p \"Branch:60\" -r \"l2tp\" -f 0+*::UDP -n ESP[3DES,SHA] -a PRESHARE:\"s3cret\" -x");
  CHECK(r1.policy == "Branch");
  CHECK(r1.rule == "l2tp");
  CHECK(r1.policy_created);
  CHECK(r1.rule_created);
  CHECK(r1.assign);
  CHECK(r1.notes.empty());
  auto r2 = apply(store,
                  "ipsecpol -w REG -p \"Branch\" -r \"gw-out\" -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 "
                  "-t 198.51.100.2 -n ESP[3DES,SHA]");
  CHECK_FALSE(r2.policy_created);
  CHECK(r2.rule_created);
  CHECK_FALSE(r2.assign);

  PolicySet want;
  Policy p = new_policy("Branch");
  p.poll_interval_seconds = 3600;  // 60 minutes, kept by the second run
  p.default_response.active = false;  // ipseccmd's MakeDefaultResponseRule stores it inactive
  p.rules = {rule("l2tp", {psk("s3cret")}), rule("gw-out", {kerberos()}, host("198.51.100.2"))};
  want.policies = {p};
  want.filter_lists = {list("l2tp filter list", {filter(Address::me(), Address::any(), true, 17)}),
                       list("gw-out filter list", {filter(net("192.0.2.0/24"), net("203.0.113.0/24"), false)})};
  want.filter_actions = {negotiate("l2tp filter action", {esp(Cipher::des3, Integrity::sha1)}),
                         negotiate("gw-out filter action", {esp(Cipher::des3, Integrity::sha1)})};
  CHECK(stripped(store) == stripped(want));

  // the policy is a new_policy: default main mode, the default response rule (inactive, as
  // ipseccmd creates it), 1 hour poll
  const Policy* b = store.find_policy("Branch");
  REQUIRE(b);
  CHECK(b->isakmp.offers == default_mm_offers());
  auto dr = default_response_rule();
  dr.active = false;
  CHECK(b->default_response == dr);
  CHECK(b->changed == 1700000000);
  CHECK_FALSE(b->id.empty());
  CHECK(b->rules[0].id != b->rules[1].id);
}

TEST_CASE("KB 813878: block UDP 1434, then unassign and delete") {
  PolicySet store;
  auto a = apply(store,
                 "ipsecpol -w REG -p \"Block UDP 1434 Filter\" -r \"Block Inbound UDP 1434 Rule\" -f "
                 "*=0:1434:UDP -n BLOCK -x");
  CHECK(a.assign);
  apply(store,
        "ipsecpol -w REG -p \"Block UDP 1434 Filter\" -r \"Block Outbound UDP 1434 Rule\" -f 0=*:1434:UDP -n "
        "BLOCK");
  const Policy* p = store.find_policy("Block UDP 1434 Filter");
  REQUIRE(p);
  REQUIRE(p->rules.size() == 2);
  const auto* in = store.find_filter_action("Block Inbound UDP 1434 Rule filter action");
  REQUIRE(in);
  CHECK(in->action == ActionType::block);
  CHECK(in->offers.empty());
  CHECK(store.find_filter_list("Block Outbound UDP 1434 Rule filter list")->filters ==
        std::vector<Filter>{filter(Address::me(), Address::any(), false, 17, 0, 1434)});

  auto y = apply(store, "ipseccmd -w REG -p \"Block UDP 1434 Filter\" -y");
  CHECK(y.unassign);
  CHECK(store.find_policy("Block UDP 1434 Filter"));  // -y alone changes nothing in the store
  auto o = apply(store, "ipseccmd -w REG -p \"Block UDP 1434 Filter\" -y -o");
  CHECK(o.unassign);
  CHECK(o.policy_deleted);
  CHECK(store.policies.empty());
  CHECK(store.filter_lists.empty());
  CHECK(store.filter_actions.empty());
  auto e = apply_fails(store, "ipseccmd -w REG -p \"Block UDP 1434 Filter\" -o");
  check_error(e, 0, -1, {"Error converting policy: 0x2"}, "not_found");
}

TEST_CASE("an existing rule: only the supplied parts are replaced") {
  PolicySet store;
  apply(store, "ipsecpol -w REG -p P -r R -f 0+*::UDP -n ESP[DES,MD5] -a PRESHARE:k -lan -t 10.9.9.9");
  auto u = apply(store, "ipsecpol -w REG -p P -r R -f 0=10.0.0.0/255.0.0.0");
  CHECK_FALSE(u.rule_created);
  const Policy* p = store.find_policy("P");
  REQUIRE(p->rules.size() == 1);
  const Rule& r = p->rules[0];
  CHECK(store.find_filter_list(r.filter_list)->filters ==
        std::vector<Filter>{filter(Address::me(), net("10.0.0.0/8"), false)});
  CHECK(store.find_filter_action(r.filter_action)->offers == std::vector<QmOffer>{esp(Cipher::des, Integrity::md5)});
  CHECK(r.auth == std::vector<AuthMethod>{psk("k")});
  CHECK(r.conn == ConnType::lan);
  CHECK(r.tunnel == host("10.9.9.9"));
  CHECK(store.filter_lists.size() == 1);
  CHECK(store.filter_actions.size() == 1);

  apply(store, "ipsecpol -w REG -p P -r R -f 0+* -a K C:\"CN=Root\" -dialup -n INPASS ESP[3DES,SHA] -soft");
  p = store.find_policy("P");
  const Rule& r2 = p->rules[0];
  CHECK(r2.auth == std::vector<AuthMethod>{kerberos(), cert("CN=Root")});
  CHECK(r2.conn == ConnType::dialup);
  const FilterAction* fa = store.find_filter_action(r2.filter_action);
  CHECK(fa->action == ActionType::negotiate);
  CHECK(fa->inpass);
  CHECK(fa->soft);
  CHECK(fa->offers == std::vector<QmOffer>{esp(Cipher::des3, Integrity::sha1)});
  // a tunnel rule's filters are one-way, also when the rule existed already
  CHECK_FALSE(store.find_filter_list(r2.filter_list)->filters[0].mirrored);
  CHECK(p->isakmp.soft_sa_expiry_seconds == 300);

  apply(store, "ipsecpol -w REG -p P -r R -f 0+* -n BLOCK");
  fa = store.find_filter_action(store.find_policy("P")->rules[0].filter_action);
  CHECK(fa->action == ActionType::block);
  CHECK_FALSE(fa->soft);
  CHECK(fa->offers.empty());
}

TEST_CASE("new policies, rules without a name, defaults") {
  PolicySet store;
  auto a = apply(store, "ipsecpol -w REG -p Plain -f 0+*");
  CHECK(a.rule.rfind("ipsecpol {", 0) == 0);
  auto b = apply(store, "ipsecpol -w REG -p Plain -f 0+*::ICMP");
  CHECK(b.rule != a.rule);
  const Policy* p = store.find_policy("Plain");
  REQUIRE(p->rules.size() == 2);
  CHECK(p->poll_interval_seconds == 180 * 60);
  const Rule& r = p->rules[0];
  CHECK(r.filter_list == a.rule + " filter list");
  CHECK(r.filter_action == a.rule + " filter action");
  CHECK(r.auth == std::vector<AuthMethod>{kerberos()});  // -a default, stored explicitly
  CHECK(r.conn == ConnType::all);
  CHECK_FALSE(r.tunnel);
  CHECK(store.find_filter_action(r.filter_action)->offers == default_ipsecpol_qm_offers());
}

TEST_CASE("-f DEFAULT updates the default response rule") {
  PolicySet store;
  auto a = apply(store, "ipsecpol -w REG -p Client -f DEFAULT");
  CHECK(a.policy_created);
  CHECK(a.default_response_updated);
  CHECK(store.find_policy("Client")->rules.empty());
  CHECK(store.find_policy("Client")->default_response == default_response_rule());
  CHECK(store.filter_lists.empty());

  apply(store, "ipsecpol -w REG -p Client -f default -n ESP[3DES,SHA]PFS2 ESP[DES,MD5] -a PRESHARE:k -r ignored");
  const auto& d = store.find_policy("Client")->default_response;
  QmOffer o1 = esp(Cipher::des3, Integrity::sha1);
  QmOffer o2 = esp(Cipher::des, Integrity::md5);
  o1.pfs = o2.pfs = Pfs{true, DhGroup::modp1024};  // PFS belongs to the whole action in the store
  CHECK(d.offers == std::vector<QmOffer>{o1, o2});
  CHECK(d.auth == std::vector<AuthMethod>{psk("k")});
  CHECK(d.active);

  auto e = apply_fails(store, "ipsecpol -w REG -p Client -f DEFAULT -n PASS");
  check_error(e, 0xc, 8, {"\"PASS\" (argument 8)", "always negotiates"});
}

TEST_CASE("ISAKMP flags and -soft") {
  PolicySet store;
  apply(store, "ipsecpol -w REG -p M -r r -f 0+* -1s AES256-SHA256-14 3DES-SHA-2 -1k 10Q/3600S");
  auto k = store.find_policy("M")->isakmp;
  CHECK(k.offers == std::vector<MmOffer>{MmOffer{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 3600, 10},
                                         MmOffer{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 3600, 10}});
  CHECK_FALSE(k.mm_pfs);
  CHECK(k.soft_sa_expiry_seconds == 0);
  // a run without -1 flags leaves them alone
  apply(store, "ipsecpol -w REG -p M -r r2 -f 0+*::TCP");
  CHECK(store.find_policy("M")->isakmp == k);
  // -1p / -1k alone: default offers with the limit
  apply(store, "ipsecpol -w REG -p M -r r -f 0+* -1p");
  k = store.find_policy("M")->isakmp;
  CHECK(k.mm_pfs);
  CHECK(k.offers.size() == 4);
  for (const auto& o : k.offers) {
    CHECK(o.qm_limit == 1);
    CHECK(o.lifetime_seconds == 28800);
  }
  apply(store, "ipsecpol -w REG -p S -r r -f 0+* -soft");
  CHECK(store.find_policy("S")->isakmp.soft_sa_expiry_seconds == 300);
  // "r filter action" is taken by policy M's rule r: the name is made unique
  CHECK(store.find_policy("S")->rules[0].filter_action == "r filter action (2)");
  CHECK(store.find_filter_action("r filter action (2)")->soft);
  apply(store, "ipsecpol -w REG -p T -r t -f 0+* -soft -1e 120");
  CHECK(store.find_policy("T")->isakmp.soft_sa_expiry_seconds == 120);
  apply(store, "ipsecpol -w REG -p U -r u -f 0+* -1e 0 -soft");
  CHECK(store.find_policy("U")->isakmp.soft_sa_expiry_seconds == 0);  // -1e wins
}

TEST_CASE("tunnel rules: '+' is stored one-way, as Windows does") {
  PolicySet store;
  auto r = apply(store, "ipsecpol -w REG -p G -r out -f 10.1.0.0/255.255.0.0+10.2.0.0/255.255.0.0 -t 0 192.0.2.9");
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("one-way") != std::string::npos);
  CHECK_FALSE(store.find_filter_list("out filter list")->filters[0].mirrored);
  const Rule& rule = store.find_policy("G")->rules[0];
  CHECK(rule.tunnel_src == Address::me());
  CHECK(rule.tunnel == host("192.0.2.9"));
}

TEST_CASE("DNS names in static mode keep every address") {
  FakeDns dns;
  PolicySet store;
  apply(store, "ipsecpol -w REG -p D -r d -f 0+gw.example", dns.resolver());
  CHECK(store.find_filter_list("d filter list")->filters[0].dst ==
        Address::dns("gw.example", {ip("198.51.100.7"), ip("198.51.100.8")}));
}

TEST_CASE("shared filter lists and actions are not changed behind other rules' backs") {
  PolicySet store = builtin_policies();
  auto r = apply(store,
                 "ipsecpol -w REG -p \"Server (Request Security)\" -r \"Request Security (Optional) Rule\" "
                 "-f 0+*::TCP -soft");
  CHECK_FALSE(r.rule_created);
  CHECK(r.notes.size() == 1);
  // Secure Server still uses the unchanged "All IP Traffic" and "Require Security"
  CHECK(*store.find_filter_list("All IP Traffic") == *builtin_policies().find_filter_list("All IP Traffic"));
  const Rule& rule = store.find_policy(kBuiltinServer)->rules[1];
  CHECK(rule.filter_list == "Request Security (Optional) Rule filter list");
  CHECK(store.find_filter_list(rule.filter_list)->filters ==
        std::vector<Filter>{filter(Address::me(), Address::any(), true, 6)});
  // the action was shared by nobody else: changed in place (it is soft already)
  CHECK(rule.filter_action == "Request Security (Optional)");

  // deleting a policy keeps what another policy uses
  auto d = apply(store, "ipsecpol -w REG -p \"Secure Server (Require Security)\" -o");
  CHECK(d.policy_deleted);
  CHECK(store.find_filter_list("All ICMP Traffic"));  // used by Server
  CHECK(store.find_filter_action("Permit"));          // used by Server
  CHECK_FALSE(store.find_filter_action("Require Security"));
  CHECK_FALSE(store.find_filter_list("All IP Traffic"));  // no longer used by anyone
  CHECK(validate(store).ok());
}

TEST_CASE("-x, -y, -d") {
  PolicySet store;
  auto e = apply_fails(store, "ipsecpol -w REG -p Nope -x");
  check_error(e, 0, -1, {"Error converting policy: 0x2", "\"Nope\""}, "not_found");
  apply(store, "ipsecpol -w REG -p P -r r -f 0+*");
  const PolicySet before = store;
  auto x = apply(store, "ipsecpol -w REG -p P -x");
  CHECK(x.assign);
  CHECK(store == before);
  auto y = apply(store, "ipsecpol -w REG -y");
  CHECK(y.unassign);
  CHECK(y.policy.empty());
  auto d = apply(store, "ipsecpol -w REG -p P -r r -f 0+* -d");
  CHECK(d.unassign_active);
}

TEST_CASE("errors: validation, wrong mode, injected ids") {
  PolicySet store;
  auto e = apply_fails(store, "ipsecpol -w REG -p P -r r -f 0+* -1k 0S");
  CHECK(e.code == "invalid");
  CHECK(e.message.find("main-mode offer 1") != std::string::npos);
  auto dyn = must_parse("ipsecpol -f 0+*");
  CHECK_FALSE(apply_static(store, dyn));

  int n = 0;
  IpsecpolBuildOptions opt;
  opt.new_id = [&] { return fmt::format("{{ID-{}}}", ++n); };
  opt.now = 42;
  auto cmd = must_parse("ipsecpol -w REG -p P -f 0+*");
  auto res = apply_static(store, cmd, opt);
  REQUIRE(res);
  CHECK(res->rule == "ipsecpol {ID-2}");
  CHECK(store.find_policy("P")->id == "{ID-1}");
  CHECK(store.find_policy("P")->changed == 42);
  CHECK(store.find_filter_list("ipsecpol {ID-2} filter list")->id == "{ID-3}");
}

TEST_CASE("notes for what static mode ignores") {
  PolicySet store;
  auto r = apply(store, "ipsecpol -w REG -p P -r r -f 0+* -1f 0+* -confirm");
  CHECK(r.notes.size() == 2);
  // deterministic ids continue after the ones already in the set
  PolicySet again = store;
  apply(again, "ipsecpol -w REG -p Q -r q -f 0+*");
  std::vector<std::string> ids;
  for (const auto& p : again.policies) ids.push_back(p.id);
  for (const auto& l : again.filter_lists) ids.push_back(l.id);
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
}
