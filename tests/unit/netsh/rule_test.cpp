// add/set/delete rule.
#include <doctest/doctest.h>

#include "netsh_test_util.h"

using namespace netsh_test;

namespace {
// Policy P; lists L (one filter) and Empty; actions A and B.
PolicySet base() {
  PolicySet s;
  run_ok("add policy P\nadd filter L me any\nadd filterlist Empty\nadd filteraction A\nadd filteraction B", s);
  return s;
}
}  // namespace

TEST_CASE("add rule: defaults field by field") {
  reset_ids();
  PolicySet s = base();
  s.policies[0].changed = 0;
  auto out = run_ok("add rule name=R policy=P filterlist=L filteraction=A", s);
  REQUIRE(s.policies[0].rules.size() == 1);
  const Rule& r = s.policies[0].rules[0];
  CHECK(r.id == "{00000000-0000-4000-8000-000000000006}");  // after P, L, Empty, A, B
  CHECK(r.name == "R");
  CHECK(r.description.empty());
  CHECK(r.filter_list == "L");
  CHECK(r.filter_action == "A");
  REQUIRE(r.auth.size() == 1);
  CHECK(r.auth[0] == AuthMethod{});  // Kerberos
  CHECK_FALSE(r.tunnel);
  CHECK_FALSE(r.tunnel_src);
  CHECK(r.conn == ConnType::all);
  CHECK(r.active);
  CHECK(s.policies[0].changed == kNow);
  CHECK(out.steps[0].summary == "added rule 'R' to policy 'P' (L -> A)");
  CHECK(validate(s).ok());
}

TEST_CASE("add rule: tunnel, conntype, activate, description, auth in command-line order") {
  PolicySet s = base();
  run_ok(
      "add rule name=R policy=P filterlist=L filteraction=A tunnel=192.0.2.9 conntype=dialup activate=no "
      "description=d rootca=\"CN=Second certmap:yes\" psk=\"pre shared\" kerberos=yes rootca=\"CN=Last\"",
      s);
  const Rule& r = s.policies[0].rules.at(0);
  CHECK(r.tunnel == Address::host(*wire::IpAddr::parse("192.0.2.9")));
  CHECK(r.conn == ConnType::dialup);
  CHECK_FALSE(r.active);
  CHECK(r.description == "d");
  REQUIRE(r.auth.size() == 4);
  CHECK(r.auth[0].kind == AuthKind::cert);
  CHECK(r.auth[0].ca == "CN=Second");
  CHECK(r.auth[0].cert_map);
  CHECK(r.auth[1].kind == AuthKind::psk);
  CHECK(r.auth[1].psk == "pre shared");
  CHECK(r.auth[2].kind == AuthKind::kerberos);
  CHECK(r.auth[3].ca == "CN=Last");
  // Positional order: name policy filterlist filteraction tunnel conntype activate description.
  run_ok("add rule R2 P L B gw-b.example.net lan yes \"via DNS\" kerberos=no psk=k", s);
  const Rule& r2 = s.policies[0].rules.at(1);
  CHECK(r2.tunnel == Address::dns("gw-b.example.net", {*wire::IpAddr::parse("198.51.100.1")}));
  CHECK(r2.conn == ConnType::lan);
  CHECK(r2.description == "via DNS");
  REQUIRE(r2.auth.size() == 1);
  CHECK(r2.auth[0].psk == "k");
  run_ok("add rule R3 P L B tunnel=2001:db8::1 con=all", s);
  CHECK(s.policies[0].rules.at(2).tunnel == Address::host(*wire::IpAddr::parse("2001:db8::1")));
  CHECK(validate(s).ok());
}

TEST_CASE("add rule errors") {
  PolicySet s = base();
  run_ok("add rule R P L A", s);
  auto err = [&](const char* line, const char* code) { return run_err(line, s, code); };
  CHECK(err("add rule R P L A", "failed") == "line 1: add rule: policy 'P' already has a rule 'R'");
  CHECK(err("add rule R2 X L A", "failed") == "line 1: add rule: policy 'X' does not exist");
  CHECK(err("add rule R2 P L Nope", "failed") == "line 1: add rule: filter action 'Nope' does not exist");
  CHECK(err("add rule R2 P Nope A", "failed") == "line 1: add rule: filter list 'Nope' does not exist");
  CHECK(err("add rule R2 P Empty A", "failed") ==
        "line 1: add rule: filter list 'Empty' has no filters; add a filter first");
  CHECK(err("add rule name=R2 policy=P filterlist=L", "usage") ==
        "line 1: add rule: the required parameter filteraction is missing");
  CHECK(contains(err("add rule R2 P L A tunnel=any", "usage"), "tunnel=any: a tunnel endpoint is one IP address"));
  CHECK(contains(err("add rule R2 P L A tunnel=10.0.0.0/8", "usage"), "a tunnel endpoint is one IP address"));
  CHECK(contains(err("add rule R2 P L A tunnel=DHCP", "usage"), "is not supported"));
  CHECK(contains(err("add rule R2 P L A tunnel=unknown.example.net", "failed"), "DNS name lookup failed"));
  CHECK(contains(err("add rule R2 P L A conntype=wifi", "usage"), "conntype=wifi: unknown value 'wifi'"));
  CHECK(contains(err("add rule R2 P L A psk=", "usage"), "preshared key indicated, but not supplied"));
  CHECK(contains(err("add rule R2 P L A kerberos=no", "usage"), "no authentication method is left"));
  CHECK(contains(err("add rule R2 P L A psk=a psk=b", "usage"), "tag 'psk' is given twice"));
  CHECK(contains(err("add rule R2 P L A rootca=\"certmap:yes\"", "usage"), "root CA name"));
  CHECK(contains(err("add rule R2 P L A f=x", "usage"), "tag 'f' is ambiguous: it could be filterlist, filteraction"));
}

TEST_CASE("set rule: by name or id; auth replaced wholesale; tunnel=0 returns to transport") {
  PolicySet s = base();
  run_ok("add rule R1 P L A psk=k kerberos=yes tunnel=192.0.2.1\nadd rule R2 P L A", s);
  run_ok(
      "set rule name=R1 policy=P newname=First filteraction=B rootca=\"CN=Only\" conntype=lan activate=no "
      "description=x tunnel=0",
      s);
  const Rule& r = s.policies[0].rules[0];
  CHECK(r.name == "First");
  CHECK(r.filter_action == "B");
  CHECK(r.filter_list == "L");
  REQUIRE(r.auth.size() == 1);
  CHECK(r.auth[0].ca == "CN=Only");
  CHECK(r.conn == ConnType::lan);
  CHECK_FALSE(r.active);
  CHECK(r.description == "x");
  CHECK_FALSE(r.tunnel);
  run_ok("set rule id=2 policy=P tunnel=198.51.100.7 description=second", s);
  CHECK(s.policies[0].rules[1].tunnel == Address::host(*wire::IpAddr::parse("198.51.100.7")));
  CHECK(s.policies[0].rules[1].auth == std::vector<AuthMethod>{AuthMethod{}});  // untouched
  CHECK(validate(s).ok());

  CHECK(contains(run_err("set rule id=3 policy=P description=x", s, "failed"), "id=3 is the default response rule"));
  CHECK(contains(run_err("set rule id=4 policy=P description=x", s, "failed"), "has no rule with id 4"));
  CHECK(contains(run_err("set rule id=0 policy=P", s, "usage"), "id=0: 0 is outside"));
  CHECK(contains(run_err("set rule name=Nope policy=P", s, "failed"), "policy 'P' has no rule 'Nope'"));
  CHECK(contains(run_err("set rule First P newname=R2", s, "failed"), "already has a rule 'R2'"));
  CHECK(contains(run_err("set rule First P filterlist=Empty", s, "failed"), "has no filters"));
  CHECK(contains(run_err("set rule First P filteraction=Nope", s, "failed"), "filter action 'Nope' does not exist"));
  CHECK(contains(run_err("set rule name=First", s, "usage"), "the required parameter policy is missing"));
}

TEST_CASE("delete rule: by name, by id (renumbering), all; never the default response rule") {
  PolicySet s = base();
  run_ok("add rule R1 P L A\nadd rule R2 P L A\nadd rule R3 P L A", s);
  run_ok("delete rule id=1 P", s);  // "delete rule id=1 Policy1": the untagged word is the policy
  REQUIRE(s.policies[0].rules.size() == 2);
  CHECK(s.policies[0].rules[0].name == "R2");
  run_ok("delete rule id=1 policy=P", s);  // ids renumber: R3 is now 1
  REQUIRE(s.policies[0].rules.size() == 1);
  CHECK(s.policies[0].rules[0].name == "R3");
  CHECK(run_err("delete rule id=2 policy=P", s, "failed") ==
        "line 1: delete rule: id=2 is the default response rule of policy 'P', which cannot be deleted (set "
        "defaultrule activate=no turns it off)");
  CHECK(contains(run_err("delete rule R1 P", s, "failed"), "policy 'P' has no rule 'R1'"));
  CHECK(contains(run_err("delete rule R3 Nope", s, "failed"), "policy 'Nope' does not exist"));
  run_ok("add rule R4 P L A", s);
  auto out = run_ok("delete rule all P", s);
  CHECK(s.policies[0].rules.empty());
  CHECK(s.policies[0].default_response.active);
  CHECK(out.steps[0].summary == "deleted all 2 rule(s) of policy 'P' (the default response rule stays)");
  // Deleting rules keeps their lists and actions (only delete policy removes unshared ones).
  CHECK(s.filter_lists.size() == 2);
  CHECK(s.filter_actions.size() == 2);
}
