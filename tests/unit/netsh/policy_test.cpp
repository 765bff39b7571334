// add/set/delete policy, set defaultrule, delete all, set store, restorepolicyexamples.
#include <doctest/doctest.h>

#include "netsh_test_util.h"
#include "policy/defaults.h"

using namespace netsh_test;

namespace {
const char* kId1 = "{00000000-0000-4000-8000-000000000001}";

// A policy with one rule using list L and action A.
PolicySet with_rule() {
  PolicySet s;
  run_ok(
      "add policy P\n"
      "add filter filterlist=L srcaddr=me dstaddr=any\n"
      "add filteraction name=A\n"
      "add rule name=R policy=P filterlist=L filteraction=A\n",
      s);
  return s;
}
}  // namespace

TEST_CASE("add policy: every default, field by field") {
  reset_ids();
  PolicySet s;
  auto out = run_ok("netsh ipsec static add policy name=\"Gateway\"", s);
  REQUIRE(s.policies.size() == 1);
  const Policy& p = s.policies[0];
  CHECK(p.id == kId1);
  CHECK(p.name == "Gateway");
  CHECK(p.description.empty());
  CHECK(p.poll_interval_seconds == 180 * 60);
  CHECK_FALSE(p.isakmp.mm_pfs);
  CHECK(p.isakmp.soft_sa_expiry_seconds == 0);
  CHECK(p.isakmp.offers == default_netsh_mm_offers());  // 3DES-SHA1-2 3DES-MD5-2 3DES-SHA1-3, 480 min, no limit
  REQUIRE(p.isakmp.offers.size() == 3);
  CHECK(p.isakmp.offers[2].group == DhGroup::modp2048);
  for (const auto& o : p.isakmp.offers) {
    CHECK(o.lifetime_seconds == 28800);
    CHECK(o.qm_limit == 0);
  }
  CHECK(p.rules.empty());
  CHECK(p.default_response == default_response_rule());
  CHECK(p.default_response.active);
  REQUIRE(p.default_response.auth.size() == 1);
  CHECK(p.default_response.auth[0].kind == AuthKind::kerberos);
  CHECK(p.changed == kNow);
  CHECK(s.filter_lists.empty());
  CHECK(s.filter_actions.empty());
  REQUIRE(out.steps.size() == 1);
  CHECK(out.steps[0].line == 1);
  CHECK(out.steps[0].command == "add policy");
  CHECK(out.steps[0].summary == "added policy 'Gateway'");
  CHECK(out.assignments.empty());
  CHECK(validate(s).ok());
}

TEST_CASE("add policy: every parameter") {
  PolicySet s;
  auto out = run_ok(
      "add policy name=P description=\"two words\" mmpfs=no qmpermm=5 mmlifetime=60 "
      "activatedefaultrule=no pollinginterval=0 assign=yes mmsecmethods=\"AES256-SHA256-14 DES-MD5-1\"",
      s);
  const Policy& p = s.policies.at(0);
  CHECK(p.description == "two words");
  CHECK(p.poll_interval_seconds == 0);
  CHECK_FALSE(p.default_response.active);
  CHECK(p.isakmp.offers == std::vector<MmOffer>{{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 3600, 5},
                                                {Cipher::des, Integrity::md5, DhGroup::modp768, 3600, 5}});
  REQUIRE(out.assignments.size() == 1);
  CHECK(out.assignments[0].policy == "P");
  CHECK(out.assignments[0].assign);
  CHECK(out.assignments[0].line == 1);
  CHECK(out.steps[0].summary == "added policy 'P' (assign requested)");
}

TEST_CASE("add policy: mmpfs forces one quick mode per main mode") {
  PolicySet s;
  run_ok("add policy P mmpfs=yes qmpermm=9", s);
  CHECK(s.policies[0].isakmp.mm_pfs);
  for (const auto& o : s.policies[0].isakmp.offers) CHECK(o.qm_limit == 1);
}

TEST_CASE("add policy: positional arguments in the documented order") {
  PolicySet s;
  run_ok("add policy \"Pos Policy\" \"its description\" yes 0 30", s);
  const Policy& p = s.policies.at(0);
  CHECK(p.name == "Pos Policy");
  CHECK(p.description == "its description");
  CHECK(p.isakmp.mm_pfs);
  CHECK(p.isakmp.offers[0].lifetime_seconds == 1800);
  CHECK(p.isakmp.offers[0].qm_limit == 1);
}

TEST_CASE("add policy errors") {
  PolicySet s;
  run_ok("add policy P", s);
  CHECK(run_err("add policy P", s, "failed") == "line 1: add policy: policy 'P' already exists");
  CHECK(run_err("add policy name=", s, "usage") == "line 1: add policy: name= must not be empty");
  CHECK(run_err("add policy description=x", s, "usage") ==
        "line 1: add policy: the required parameter name is missing");
  CHECK(run_err("add policy Q mmlifetime=0", s, "usage") ==
        "line 1: add policy: mmlifetime=0: 0 is outside 1..71582788");
  CHECK(contains(run_err("add policy Q mmlifetime=71582789", s, "usage"), "outside 1..71582788"));
  CHECK(contains(run_err("add policy Q pollinginterval=43201", s, "usage"),
                 "pollinginterval=43201: 43201 is outside 0..43200"));
  CHECK(contains(run_err("add policy Q qmpermm=2147483648", s, "usage"), "outside 0..2147483647"));
  CHECK(contains(run_err("add policy Q mmpfs=maybe", s, "usage"), "mmpfs=maybe: 'maybe' is not yes or no"));
  CHECK(contains(run_err("add policy Q mmsec=\"3DES-SHA1-7\"", s, "usage"),
                 "mmsecmethods=3DES-SHA1-7: '3DES-SHA1-7': unknown Diffie-Hellman group '7'"));
  CHECK(contains(run_err("add policy Q m=1", s, "usage"),
                 "tag 'm' is ambiguous: it could be mmpfs, mmlifetime, mmsecmethods"));
  // A grammar error is reported before the duplicate.
  CHECK(contains(run_err("add policy P mmlifetime=x", s, "usage"), "'x' is not a number"));
}

TEST_CASE("set policy: changes only what is given; rename; assign/unassign requests") {
  reset_ids();
  PolicySet s;
  run_ok("add policy P mmsecmethods=\"3DES-SHA1-2\" mmlifetime=60 qmpermm=3", s);
  auto out = run_ok("set policy name=P newname=Q description=d pollinginterval=5 activatedefaultrule=n assign=y", s);
  REQUIRE(s.policies.size() == 1);
  const Policy& p = s.policies[0];
  CHECK(p.name == "Q");
  CHECK(p.id == kId1);
  CHECK(p.description == "d");
  CHECK(p.poll_interval_seconds == 300);
  CHECK_FALSE(p.default_response.active);
  CHECK(p.isakmp.offers == std::vector<MmOffer>{{Cipher::des3, Integrity::sha1, DhGroup::modp1024, 3600, 3}});
  REQUIRE(out.assignments.size() == 1);
  CHECK(out.assignments[0].policy == "Q");
  CHECK(out.renamed_policies == std::vector<std::pair<std::string, std::string>>{{"P", "Q"}});

  // New methods keep the lifetime and limit; mmpfs sets the limit to 1 and back.
  run_ok("set policy Q mmsecmethods=\"AES128-SHA1-14 DES-SHA1-1\"", s);
  CHECK(s.policies[0].isakmp.offers ==
        std::vector<MmOffer>{{Cipher::aes128, Integrity::sha1, DhGroup::modp2048, 3600, 3},
                             {Cipher::des, Integrity::sha1, DhGroup::modp768, 3600, 3}});
  run_ok("set policy Q mmpfs=yes", s);
  CHECK(s.policies[0].isakmp.mm_pfs);
  CHECK(s.policies[0].isakmp.offers[1].qm_limit == 1);
  run_ok("set policy Q mmpfs=no", s);
  CHECK_FALSE(s.policies[0].isakmp.mm_pfs);
  CHECK(s.policies[0].isakmp.offers[1].qm_limit == 0);
  out = run_ok("set policy guid={00000000-0000-4000-8000-000000000001} assign=no mmlifetime=1", s);
  CHECK(s.policies[0].isakmp.offers[0].lifetime_seconds == 60);
  REQUIRE(out.assignments.size() == 1);
  CHECK_FALSE(out.assignments[0].assign);
  CHECK(out.steps[0].summary == "changed policy 'Q' (unassign requested)");
}

TEST_CASE("set policy errors") {
  PolicySet s;
  run_ok("add policy P\nadd policy Q", s);
  CHECK(run_err("set policy name=X description=d", s, "failed") ==
        "line 1: set policy: policy name='X' does not exist");
  CHECK(contains(run_err("set policy guid={1} description=d", s, "failed"), "policy guid='{1}' does not exist"));
  CHECK(contains(run_err("set policy P newname=Q", s, "failed"), "policy 'Q' already exists"));
  CHECK(contains(run_err("set policy P gponame=G", s, "usage"), "only the local store exists"));
  CHECK(contains(run_err("set policy name=P guid={1}", s, "usage"), "give only one of name or guid"));
  CHECK(contains(run_err("set policy n=P", s, "usage"), "tag 'n' is ambiguous: it could be name, newname"));
}

TEST_CASE("delete policy: its rules go, and so do the lists and actions no other rule uses") {
  PolicySet s = with_rule();
  run_ok(
      "add policy Other\nadd rule name=R2 policy=Other filterlist=L filteraction=A\n"
      "add filter filterlist=L2 srcaddr=me dstaddr=10.0.0.1\nadd rule R3 P L2 A",
      s);
  auto out = run_ok("delete policy name=P", s);
  REQUIRE(s.policies.size() == 1);
  CHECK(s.policies[0].name == "Other");
  REQUIRE(s.filter_lists.size() == 1);  // L2 was only P's
  CHECK(s.filter_lists[0].name == "L");
  CHECK(s.filter_actions.size() == 1);  // A is still used by Other
  REQUIRE(out.assignments.size() == 1);
  CHECK(out.assignments[0].policy == "P");
  CHECK_FALSE(out.assignments[0].assign);
  CHECK(out.steps[0].summary == "deleted policy 'P' with its 1 unshared filter list(s) and 0 filter action(s)");

  run_ok("delete policy Other", s);
  CHECK(s.policies.empty());
  CHECK(s.filter_lists.empty());
  CHECK(s.filter_actions.empty());
  CHECK(run_err("delete policy Nope", s, "failed") == "line 1: delete policy: policy 'Nope' does not exist");
}

TEST_CASE("delete policy all; a policy named all needs name=") {
  PolicySet s = with_rule();
  run_ok("add policy all\nadd filterlist Standalone", s);
  run_ok("delete policy name=all", s);
  CHECK(s.find_policy("all") == nullptr);
  CHECK(s.find_policy("P") != nullptr);
  auto out = run_ok("delete policy all", s);
  CHECK(s.policies.empty());
  REQUIRE(s.filter_lists.size() == 1);  // never used by a rule, so not part of a policy
  CHECK(s.filter_lists[0].name == "Standalone");
  CHECK(out.assignments.size() == 1);
}

TEST_CASE("set defaultrule") {
  PolicySet s;
  run_ok("add policy P", s);
  run_ok("set defaultrule policy=P qmpfs=yes activate=no qmsecmethods=\"ESP[AES128,SHA1]:3600s\" psk=k kerberos=yes",
         s);
  const auto& d = s.policies[0].default_response;
  CHECK_FALSE(d.active);
  REQUIRE(d.offers.size() == 1);
  CHECK(d.offers[0].esp == EspTransform{Cipher::aes128, Integrity::sha1});
  CHECK(d.offers[0].lifetime_seconds == 3600);
  CHECK(d.offers[0].pfs == Pfs{true, DhGroup::none});
  REQUIRE(d.auth.size() == 2);  // command-line order
  CHECK(d.auth[0].kind == AuthKind::psk);
  CHECK(d.auth[0].psk == "k");
  CHECK(d.auth[1].kind == AuthKind::kerberos);
  // New offers keep PFS; auth is replaced only when given.
  run_ok("set defaultrule P qmsec=\"AH[SHA1] AH[MD5]\"", s);
  CHECK(s.policies[0].default_response.offers.size() == 2);
  CHECK(s.policies[0].default_response.offers[1].pfs.enabled);
  CHECK(s.policies[0].default_response.auth.size() == 2);
  run_ok("set defaultrule P qmpfs=no activate=yes", s);
  CHECK_FALSE(s.policies[0].default_response.offers[0].pfs.enabled);
  CHECK(s.policies[0].default_response.active);
  CHECK(run_err("set defaultrule policy=X activate=no", s, "failed") ==
        "line 1: set defaultrule: policy 'X' does not exist");
  CHECK(contains(run_err("set defaultrule P kerberos=no", s, "usage"), "no authentication method is left"));
  CHECK(contains(run_err("set defaultrule P psk=\"\"", s, "usage"), "preshared key indicated, but not supplied"));
}

TEST_CASE("delete all, set store, set batch, restorepolicyexamples") {
  PolicySet s = with_rule();
  auto out = run_ok("delete all", s);
  CHECK(s == PolicySet{});
  CHECK(out.steps[0].summary == "deleted 1 policies, 1 filter lists and 1 filter actions");
  REQUIRE(out.assignments.size() == 1);
  CHECK_FALSE(out.assignments[0].assign);

  out = run_ok("set store location=local\nset batch mode=enable\nrestorepolicyexamples release=win2k", s);
  CHECK(out.steps.size() == 3);
  CHECK(s == builtin_policies());
  CHECK(contains(run_err("set store location=domain domain=corp.example", s, "usage"), "only the local store exists"));
  CHECK(contains(run_err("set store location=persistent", s, "usage"), "only the local store exists"));
  CHECK(contains(run_err("set store location=local domain=x", s, "usage"), "domain= applies only to location=domain"));
  CHECK(contains(run_err("set store location=remote", s, "usage"), "unknown value 'remote'"));
  CHECK(contains(run_err("restorepolicyexamples release=win2003", s, "usage"), "only the Windows 2000 example"));
  CHECK(contains(run_err("restorepolicyexamples", s, "usage"), "the required parameter release is missing"));

  // Restoring over changed examples puts them back.
  run_ok("set filteraction name=Permit action=block\nset policy \"Client (Respond Only)\" pollinginterval=1", s);
  CHECK_FALSE(s == builtin_policies());
  run_ok("restorepolicyexamples win2k", s);
  CHECK(s == builtin_policies());
}
