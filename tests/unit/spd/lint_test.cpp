// `ipsecpol check` findings on crafted policies.
#include <doctest/doctest.h>

#include <algorithm>

#include "policy/lint.h"
#include "spd_test_util.h"

using namespace spdtest;

namespace {

std::vector<LintFinding> with_code(const std::vector<LintFinding>& all, const std::string& code) {
  std::vector<LintFinding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [&](const LintFinding& f) { return f.code == code; });
  return out;
}

std::string dump(const std::vector<LintFinding>& all) {
  std::string s;
  for (const auto& f : all) s += std::string(severity_name(f.severity)) + " " + f.code + " " + f.path.str() + ": " + f.message + "\n";
  return s;
}

// A modern, clean policy: two rules, no overlaps, strong algorithms, a long PSK.
SetBuilder clean() {
  SetBuilder b;
  b.list("web", {filt(Address::me(), sub("192.0.2.0/24"), 6, 0, 443)})
      .list("deny", {filt(Address::me(), sub("198.51.100.0/24"))})
      .action("secure", ActionType::negotiate)
      .action("block", ActionType::block);
  b.rule("P", "web", "web", "secure");
  b.rule("P", "deny", "deny", "block");
  return b;
}

}  // namespace

TEST_CASE("a clean policy has no findings") {
  const auto b = clean();
  const auto f = lint(b.set, "P");
  CHECK_MESSAGE(f.empty(), dump(f));
  CHECK(lint(b.set, "").empty());
}

TEST_CASE("unknown policy, missing objects, empty lists, negotiate without offers") {
  auto b = clean();
  CHECK(with_code(lint(b.set, "Nope"), "unknown-policy").size() == 1);
  b.list("empty", {}).action("nothing", ActionType::negotiate, false, false, {});
  b.rule("P", "r-missing-list", "ghost", "secure");
  b.rule("P", "r-missing-action", "web", "ghost");
  b.rule("P", "r-empty", "empty", "nothing");
  const auto f = lint(b.set, "P");
  REQUIRE(with_code(f, "missing-filter-list").size() == 1);
  CHECK(with_code(f, "missing-filter-list")[0].severity == LintSeverity::error);
  CHECK(with_code(f, "missing-filter-list")[0].path.rule == "r-missing-list");
  CHECK(with_code(f, "missing-filter-action").size() == 1);
  REQUIRE(with_code(f, "empty-filter-list").size() == 1);
  CHECK(with_code(f, "empty-filter-list")[0].path.filter_list == "empty");
  REQUIRE(with_code(f, "negotiate-without-offers").size() == 1);
  CHECK(with_code(f, "negotiate-without-offers")[0].path.filter_action == "nothing");
  CHECK(with_code(f, "negotiate-without-offers")[0].severity == LintSeverity::error);
}

TEST_CASE("shadowed filters: same selectors later, or covered by a heavier tunnel filter") {
  auto b = clean();
  b.list("web-again", {filt(Address::me(), sub("192.0.2.0/24"), 6, 0, 443)});
  b.rule("P", "web-block", "web-again", "block");
  const auto f = with_code(lint(b.set, "P"), "shadowed-filter");
  REQUIRE_MESSAGE(f.size() == 1, dump(f));
  CHECK(f[0].path.rule == "web-block");
  CHECK(f[0].path.filter_list == "web-again");
  CHECK(f[0].path.filter == 0);
  CHECK(f[0].message.find("rule 'web'") != std::string::npos);
  CHECK(f[0].message.find("never applies") != std::string::npos);  // its block never applies

  SetBuilder t;
  t.list("gw", {filt(sub("10.1.0.0/16"), sub("10.2.0.0/16"), 0, 0, 0, false)})
      .list("tcp", {filt(sub("10.1.0.0/16"), sub("10.2.0.0/16"), 6, 0, 0, false)})
      .list("back", {filt(sub("10.2.0.0/16"), sub("10.1.0.0/16"), 0, 0, 0, false)})
      .action("sec", ActionType::negotiate)
      .action("p", ActionType::permit);
  t.rule("P", "tcp-clear", "tcp", "p");
  t.rule("P", "tunnel", "gw", "sec").tunnel = sub("203.0.113.2/32");
  t.rule("P", "tunnel-back", "back", "sec").tunnel = Address::me();
  const auto g = with_code(lint(t.set, "P"), "shadowed-filter");
  REQUIRE(g.size() == 1);
  CHECK(g[0].path.rule == "tcp-clear");  // weight 0x100 < tunnel 0x3000, and the tunnel filter covers it
}

TEST_CASE("a more specific filter later in the list is not shadowed") {
  auto b = clean();
  b.list("web-host", {filt(Address::me(), sub("192.0.2.7/32"), 6, 0, 443)});
  b.rule("P", "web-host", "web-host", "block");
  const auto f = lint(b.set, "P");
  CHECK(with_code(f, "shadowed-filter").empty());
  const auto e = with_code(f, "overlap-exception");
  REQUIRE(e.size() == 1);
  CHECK(e[0].path.rule == "web");  // the general rule is the one the exception is carved out of
  CHECK(e[0].example == "me:* -> 192.0.2.7:443 proto 6");
}

TEST_CASE("partial overlaps with different actions report an example five-tuple") {
  SetBuilder b;
  b.list("a", {filt(sub("10.0.0.0/8"), sub("192.0.2.0/24"), 0, 0, 0, false)})
      .list("b", {filt(sub("10.1.0.0/16"), Address::any(), 6, 0, 0, false)})
      .action("p", ActionType::permit)
      .action("d", ActionType::block);
  b.rule("P", "allow", "a", "p");
  b.rule("P", "deny", "b", "d");
  const auto f = with_code(lint(b.set, "P"), "overlap-conflict");
  REQUIRE_MESSAGE(f.size() == 1, dump(lint(b.set, "P")));
  CHECK(f[0].example == "10.1.0.1:* -> 192.0.2.1:* proto 6");
  CHECK(f[0].message.find("rule 'allow' applies") != std::string::npos);
  CHECK(f[0].path.rule == "deny");
  // Same action: no finding.
  b.set.filter_actions[1].action = ActionType::permit;
  CHECK(with_code(lint(b.set, "P"), "overlap-conflict").empty());
}

TEST_CASE("weak algorithms, NULL encryption, short keys, Kerberos only: the built-in policies") {
  const auto f = lint(builtin_policies(), kBuiltinSecureServer);
  const auto weak = with_code(f, "weak-algorithm");
  // 4 main-mode offers, 4 Require Security offers, 6 default response offers.
  CHECK(weak.size() == 14);
  bool mm_hint = false;
  for (const auto& w : weak)
    if (w.path.filter_action.empty() && w.path.rule.empty() && w.path.offer == 2)
      mm_hint = w.message.find("DES (use AES-128-GCM or AES-256)") != std::string::npos &&
                w.message.find("DH group 1 (use group 14, 19 or 20)") != std::string::npos;
  CHECK(mm_hint);
  // The Require Security rule and the default response rule are Kerberos only.
  const auto krb = with_code(f, "kerberos-only");
  REQUIRE(krb.size() == 2);
  CHECK(krb[0].path.rule == "(default response)");
  CHECK(krb[1].path.rule == "Require Security");
  // ICMP permit carved out of "all IP": an exception, not a conflict.
  REQUIRE(with_code(f, "overlap-exception").size() == 1);
  CHECK(with_code(f, "overlap-exception")[0].example == "me:* -> *:* proto 1");
  CHECK(with_code(f, "overlap-conflict").empty());
  CHECK(with_code(f, "shadowed-filter").empty());
}

TEST_CASE("ESP NULL and short pre-shared keys (never printed)") {
  auto b = clean();
  b.set.filter_actions[0].offers.push_back(esp(Cipher::none, Integrity::sha256));
  b.set.policies[0].rules[0].auth[0].psk = "Xy7#kq";
  const auto f = lint(b.set, "P");
  REQUIRE(with_code(f, "esp-null").size() == 1);
  CHECK(with_code(f, "esp-null")[0].path.offer == 1);
  const auto s = with_code(f, "short-psk");
  REQUIRE(s.size() == 1);
  CHECK(s[0].path.rule == "web");
  for (const auto& x : f) CHECK(x.message.find("Xy7#kq") == std::string::npos);
  b.set.policies[0].rules[0].auth.clear();  // empty = Kerberos
  CHECK(with_code(lint(b.set, "P"), "kerberos-only").size() == 1);
}

TEST_CASE("a rule that allows Aggressive Mode is warned about") {
  auto b = clean();
  CHECK(with_code(lint(b.set, "P"), "aggressive-mode").empty());
  b.set.policies[0].rules[0].aggressive_mode = true;
  const auto a = with_code(lint(b.set, "P"), "aggressive-mode");
  REQUIRE(a.size() == 1);
  CHECK(a[0].path.rule == "web");
  CHECK(a[0].severity == LintSeverity::warning);
  CHECK(a[0].message.find("offline") != std::string::npos);
}

TEST_CASE("ports without TCP/UDP, mixed families") {
  auto b = clean();
  b.list("odd", {filt(Address::me(), sub("203.0.113.0/24"), 0, 0, 80), filt(sub("10.0.0.0/8"), sub("2001:db8::/32"))});
  b.rule("P", "odd", "odd", "block");
  const auto f = lint(b.set, "P");
  REQUIRE(with_code(f, "ports-without-protocol").size() == 1);
  CHECK(with_code(f, "ports-without-protocol")[0].path.filter == 0);
  REQUIRE(with_code(f, "mixed-family").size() == 1);
  CHECK(with_code(f, "mixed-family")[0].path.filter == 1);
  CHECK(with_code(f, "mixed-family")[0].severity == LintSeverity::error);
}

TEST_CASE("tunnel rules: mirrored filters and the missing return rule") {
  SetBuilder b;
  b.list("gw", {filt(sub("10.1.0.0/16"), sub("10.2.0.0/16"), 0, 0, 0, true)})
      .list("back", {filt(sub("10.2.0.0/16"), sub("10.1.0.0/16"), 0, 0, 0, false)})
      .action("sec", ActionType::negotiate);
  b.rule("P", "to-b", "gw", "sec").tunnel = sub("203.0.113.2/32");
  auto f = lint(b.set, "P");
  REQUIRE(with_code(f, "mirrored-tunnel-filter").size() == 1);
  REQUIRE(with_code(f, "tunnel-missing-reverse").size() == 1);
  CHECK(with_code(f, "tunnel-missing-reverse")[0].message.find("10.2.0.0/16 -> 10.1.0.0/16") != std::string::npos);
  b.rule("P", "from-b", "back", "sec").tunnel = sub("198.51.100.7/32");
  f = lint(b.set, "P");
  CHECK(with_code(f, "tunnel-missing-reverse").empty());
  CHECK(with_code(f, "mirrored-tunnel-filter").size() == 1);
}

TEST_CASE("unused lists and actions: whole-set checks only") {
  auto b = clean();
  b.list("spare", {filt(Address::me(), Address::any())}).action("spare-action", ActionType::permit);
  const auto all = lint(b.set, "");
  REQUIRE(with_code(all, "unused-filter-list").size() == 1);
  CHECK(with_code(all, "unused-filter-list")[0].path.filter_list == "spare");
  REQUIRE(with_code(all, "unused-filter-action").size() == 1);
  CHECK(with_code(lint(b.set, "P"), "unused-filter-list").empty());
}

TEST_CASE("finding paths print for people") {
  LintPath p{"P", "R", "L", {}, 2, -1};
  CHECK(p.str() == "policy \"P\" / rule \"R\" / filter list \"L\" [2]");
  LintPath q{{}, {}, {}, "A", -1, 0};
  CHECK(q.str() == "filter action \"A\" / offer 1");
}
