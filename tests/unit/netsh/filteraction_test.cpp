// add/set/delete filteraction.
#include <doctest/doctest.h>

#include "netsh_test_util.h"
#include "policy/defaults.h"

using namespace netsh_test;

TEST_CASE("add filteraction: defaults field by field") {
  reset_ids();
  PolicySet s;
  auto out = run_ok("add filteraction name=\"Negotiate\"", s);
  REQUIRE(s.filter_actions.size() == 1);
  const FilterAction& a = s.filter_actions[0];
  CHECK(a.id == "{00000000-0000-4000-8000-000000000001}");
  CHECK(a.name == "Negotiate");
  CHECK(a.description.empty());
  CHECK(a.action == ActionType::negotiate);
  CHECK(a.offers == default_netsh_qm_offers());  // ESP[3DES,SHA1] ESP[3DES,MD5], no lifetimes, no PFS
  CHECK_FALSE(a.inpass);
  CHECK_FALSE(a.soft);
  CHECK(out.steps[0].summary == "added filter action 'Negotiate' (negotiate)");
  CHECK(validate(s).ok());
}

TEST_CASE("add filteraction: qmpfs on every offer, inpass, soft, methods") {
  PolicySet s;
  run_ok(
      "add filteraction name=Strict description=d qmpfs=yes inpass=yes soft=yes action=negotiate "
      "qmsecmethods=\"ESP[AES256,SHA256]:3600s/50000k AH[SHA1]+ESP[3DES,None]\"",
      s);
  const FilterAction& a = s.filter_actions.at(0);
  CHECK(a.description == "d");
  CHECK(a.inpass);
  CHECK(a.soft);
  REQUIRE(a.offers.size() == 2);
  CHECK(a.offers[0].esp == EspTransform{Cipher::aes256, Integrity::sha256});
  CHECK(a.offers[0].lifetime_seconds == 3600);
  CHECK(a.offers[0].lifetime_kbytes == 50000);
  CHECK(a.offers[1].ah == Integrity::sha1);
  for (const auto& o : a.offers) CHECK(o.pfs == Pfs{true, DhGroup::none});
}

TEST_CASE("add filteraction: permit and block ignore methods, inpass and soft (still checked)") {
  PolicySet s;
  run_ok(
      "add filteraction Pass action=permit qmsecmethods=\"ESP[DES,MD5]\" inpass=yes\n"
      "add filteraction Drop \"\" no no yes block",  // positional: description qmpfs inpass soft action
      s);
  for (const auto& a : s.filter_actions) {
    CHECK(a.offers.empty());
    CHECK_FALSE(a.inpass);
    CHECK_FALSE(a.soft);
  }
  CHECK(s.filter_actions[0].action == ActionType::permit);
  CHECK(s.filter_actions[1].action == ActionType::block);
  CHECK(contains(run_err("add filteraction X action=permit qmsecmethods=\"ESP[x,y]\"", s, "usage"),
                 "unknown algorithm 'x'"));
}

TEST_CASE("add filteraction errors") {
  PolicySet s;
  run_ok("add filteraction A", s);
  CHECK(run_err("add filteraction A", s, "failed") == "line 1: add filteraction: filter action 'A' already exists");
  CHECK(contains(run_err("add filteraction B action=allow", s, "usage"),
                 "action=allow: unknown value 'allow' (expected one of: permit, block, negotiate)"));
  CHECK(contains(run_err("add filteraction B qmsec=\"ESP[3DES,SHA1]:100s\"", s, "usage"),
                 "qmsecmethods=ESP[3DES,SHA1]:100s: 'ESP[3DES,SHA1]:100s': lifetime 100 s is outside 300..2147483647"));
  CHECK(contains(run_err("add filteraction B qmsec=\"ESP[3DES,SHA1]:1000k\"", s, "usage"), "lifetime 1000 KB"));
  CHECK(contains(run_err("add filteraction B soft=1", s, "usage"), "soft=1: '1' is not yes or no"));
  CHECK(contains(run_err("add filteraction B q=yes", s, "usage"), "ambiguous: it could be qmpfs, qmsecmethods"));
}

TEST_CASE("add filteraction: keyword values abbreviate") {
  PolicySet s;
  run_ok("add filteraction A action=neg\nadd filteraction B action=PER", s);
  CHECK(s.filter_actions[0].action == ActionType::negotiate);
  CHECK(s.filter_actions[1].action == ActionType::permit);
}

TEST_CASE("set filteraction") {
  PolicySet s;
  run_ok("add policy P\nadd filter L me any\nadd filteraction A\nadd rule R P L A", s);
  run_ok("set filteraction A qmpfs=yes", s);
  for (const auto& o : s.filter_actions[0].offers) CHECK(o.pfs.enabled);
  // New methods keep PFS.
  run_ok("set filteraction name=A qmsecmethods=\"ESP[AES128,SHA1]\" inpass=yes description=x", s);
  const FilterAction& a = s.filter_actions[0];
  REQUIRE(a.offers.size() == 1);
  CHECK(a.offers[0].esp == EspTransform{Cipher::aes128, Integrity::sha1});
  CHECK(a.offers[0].pfs.enabled);
  CHECK(a.inpass);
  CHECK(a.description == "x");
  // Block drops the offers; back to negotiate brings the defaults.
  run_ok("set filteraction A action=block", s);
  CHECK(s.filter_actions[0].offers.empty());
  CHECK_FALSE(s.filter_actions[0].inpass);
  run_ok("set filteraction A action=negotiate", s);
  CHECK(s.filter_actions[0].offers == default_netsh_qm_offers());
  // Rename: the rule follows; the policy is stamped.
  s.policies[0].changed = 0;
  run_ok("set filteraction name=A newname=B", s);
  CHECK(s.filter_actions[0].name == "B");
  CHECK(s.policies[0].rules[0].filter_action == "B");
  CHECK(s.policies[0].changed == kNow);
  CHECK(validate(s).ok());
  run_ok("add filteraction C", s);
  CHECK(contains(run_err("set filteraction C newname=B", s, "failed"), "filter action 'B' already exists"));
  CHECK(contains(run_err("set filteraction Z soft=yes", s, "failed"), "filter action name='Z' does not exist"));
}

TEST_CASE("delete filteraction") {
  PolicySet s;
  run_ok("add policy P\nadd filter L me any\nadd filteraction A\nadd rule R P L A\nadd filteraction Free", s);
  CHECK(run_err("delete filteraction A", s, "failed") ==
        "line 1: delete filteraction: filter action 'A' is in use by rule 'R' of policy 'P'; delete or change the "
        "rule first");
  CHECK(contains(run_err("delete filteraction Nope", s, "failed"), "does not exist"));
  auto out = run_ok("delete filteraction all", s);
  REQUIRE(s.filter_actions.size() == 1);
  CHECK(out.steps[0].summary == "deleted 1 filter action(s); kept (used by rules): A");
  run_ok("delete rule id=1 policy=P\ndelete filteraction A", s);
  CHECK(s.filter_actions.empty());
}
