// export_ipsecpol_script: run the script against an empty store and get the policy back.
#include "support.h"

using namespace ipsecpol_test;

namespace {

// A policy with its rules' lists and actions resolved, without what ipsecpol cannot carry
// (ids, timestamps, descriptions, the names of lists and actions).
struct CanonRule {
  Rule rule;
  std::vector<Filter> filters;
  FilterAction action;
  friend bool operator==(const CanonRule&, const CanonRule&) = default;
};
struct Canon {
  Policy policy;
  std::vector<CanonRule> rules;
  friend bool operator==(const Canon&, const Canon&) = default;
};

std::vector<AuthMethod> canon_auth(std::vector<AuthMethod> a) {
  if (a.empty()) a.push_back(kerberos());  // "empty means Kerberos"
  return a;
}

Canon canon(const PolicySet& set, const std::string& name) {
  const Policy* p = set.find_policy(name);
  REQUIRE(p);
  Canon c;
  c.policy = *p;
  c.policy.id.clear();
  c.policy.changed = 0;
  c.policy.description.clear();
  c.policy.rules.clear();
  c.policy.default_response.auth = canon_auth(c.policy.default_response.auth);
  for (const auto& r : p->rules) {
    CanonRule cr;
    cr.rule = r;
    cr.rule.id.clear();
    cr.rule.description.clear();
    cr.rule.filter_list.clear();
    cr.rule.filter_action.clear();
    cr.rule.auth = canon_auth(r.auth);
    const FilterList* fl = set.find_filter_list(r.filter_list);
    const FilterAction* fa = set.find_filter_action(r.filter_action);
    REQUIRE(fl);
    REQUIRE(fa);
    cr.filters = fl->filters;
    for (auto& f : cr.filters) f.description.clear();
    cr.action = *fa;
    cr.action.id.clear();
    cr.action.name.clear();
    cr.action.description.clear();
    c.rules.push_back(std::move(cr));
  }
  return c;
}

PolicySet replay(const std::string& script, const Resolver& r = no_dns()) {
  PolicySet store;
  for (const auto& line : split_script(script)) {
    INFO("line ", line.line, ": ", str::join(line.args, " "));
    auto cmd = parse_ipsecpol_command(line.args, r);
    if (!cmd) FAIL_CHECK(cmd.error().message);
    REQUIRE(cmd.ok());
    auto res = apply_static(store, *cmd, fixed_options());
    if (!res) FAIL_CHECK(res.error().message);
    REQUIRE(res.ok());
  }
  return store;
}

void round_trip(const PolicySet& set, const std::string& name, const Resolver& r = no_dns()) {
  const std::string script = export_ipsecpol_script(set, name, true);
  INFO("script:\n", script);
  PolicySet back = replay(script, r);
  CHECK(back.policies.size() == 1);
  CHECK(canon(back, name) == canon(set, name));
}

bool has_rem(const std::string& script, std::string_view text) {
  for (const auto& line : str::split(script, "\n"))
    if (line.substr(0, 4) == "REM " && line.find(text) != std::string_view::npos) return true;
  return false;
}

PolicySet from_commands(std::initializer_list<std::string_view> lines, const Resolver& r = no_dns()) {
  PolicySet store;
  for (auto line : lines) {
    auto cmd = must_parse(line, r);
    auto res = apply_static(store, cmd, fixed_options());
    if (!res) FAIL_CHECK(line, " -> ", res.error().message);
    REQUIRE(res.ok());
  }
  return store;
}

}  // namespace

TEST_CASE("export: the Branch policy, exactly") {
  PolicySet store = from_commands(
      {"ipsecpol -w REG -p \"Branch:60\" -r \"l2tp\" -f 0+*::UDP -n ESP[3DES,SHA] -a PRESHARE:\"s3cret\" -x",
       "ipsecpol -w REG -p \"Branch\" -r \"gw-out\" -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -t "
       "198.51.100.2 -n ESP[3DES,SHA]"});
  const std::string script = export_ipsecpol_script(store, "Branch", true, true);
  CHECK(script ==
        "REM ipsecpol script for policy \"Branch\", written by ipseckit. Run the lines in order; REM lines note what "
        "the ipsecpol syntax cannot express.\n"
        "ipsecpol -w REG -p \"Branch:60\" -r \"l2tp\" -f 0+*::UDP -n ESP[3DES,SHA] -a PRESHARE:\"s3cret\"\n"
        "ipsecpol -w REG -p \"Branch:60\" -r \"gw-out\" -f 192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0 -n "
        "ESP[3DES,SHA] -a KERBEROS -t 198.51.100.2\n"
        "ipsecpol -w REG -p \"Branch:60\" -x\n");
  round_trip(store, "Branch");
  // -x comes back as an assignment
  auto lines = split_script(script);
  auto last = parse_ipsecpol_command(lines.back().args, no_dns());
  REQUIRE(last);
  PolicySet replayed = replay(script);
  auto res = apply_static(replayed, *last, fixed_options());
  REQUIRE(res);
  CHECK(res->assign);
}

TEST_CASE("export: pre-shared keys are withheld unless asked for") {
  PolicySet store = from_commands({"ipsecpol -w REG -p P -r r -f 0+* -a PRESHARE:\"two words\" KERBEROS"});
  const std::string hidden = export_ipsecpol_script(store, "P", false);
  CHECK(hidden.find("s3cret") == std::string::npos);
  CHECK(hidden.find("PRESHARE:\"(hidden)\"") != std::string::npos);
  CHECK(has_rem(hidden, "pre-shared key is withheld"));
  const std::string shown = export_ipsecpol_script(store, "P", true);
  CHECK(shown.find("PRESHARE:\"two words\"") != std::string::npos);
  round_trip(store, "P");
}

TEST_CASE("export: the three built-in policies round-trip") {
  const PolicySet builtins = builtin_policies();
  for (const char* name : {kBuiltinClient, kBuiltinServer, kBuiltinSecureServer}) {
    INFO(name);
    round_trip(builtins, name);
    const std::string script = export_ipsecpol_script(builtins, name, true);
    CHECK(has_rem(script, "policy description (not expressible)"));
  }
  const std::string server = export_ipsecpol_script(builtins, kBuiltinServer, true);
  CHECK(has_rem(server, "filter list \"All IP Traffic\" of rule \"Request Security (Optional) Rule\" is recreated"));
  CHECK(server.find("-n INPASS ESP[3DES,SHA]900S/100000K ESP[DES,SHA]900S/100000K AH[SHA]300S/100000K "
                    "AH[MD5]300S/100000K -a KERBEROS -soft -1e 0") != std::string::npos);
  CHECK(server.find("-f 0+*::ICMP -n PASS -a KERBEROS") != std::string::npos);
  // the Client policy has no rule: -f DEFAULT creates it
  const std::string client = export_ipsecpol_script(builtins, kBuiltinClient, true);
  CHECK(client.find("-f DEFAULT -n ESP[3DES,SHA] ESP[3DES,MD5] ESP[DES,SHA] ESP[DES,MD5] AH[SHA] AH[MD5] -a "
                    "KERBEROS") != std::string::npos);
}

TEST_CASE("export: the automatic L2TP policies round-trip (inactive default response, as ipsecpol creates it)") {
  for (auto role : {L2tpRole::server, L2tpRole::client}) {
    for (auto enc :
         {L2tpEncryption::require, L2tpEncryption::optional, L2tpEncryption::require_max, L2tpEncryption::none}) {
      L2tpPolicyOptions o;
      o.role = role;
      o.encryption = enc;
      if (role == L2tpRole::client) o.server = ip("203.0.113.5");
      const PolicySet set = l2tp_policy(o);
      const std::string script = export_ipsecpol_script(set, kL2tpPolicyName, true);
      INFO(script);
      CHECK(script.find("DEFAULT") == std::string::npos);  // nothing to write: created inactive
      PolicySet back = replay(script);
      CHECK_FALSE(back.policies[0].default_response.active);
      CHECK(canon(back, kL2tpPolicyName) == canon(set, kL2tpPolicyName));
    }
  }
}

TEST_CASE("export: many command-built policies round-trip") {
  FakeDns dns;
  const PolicySet store = from_commands(
      {
          "ipsecpol -w REG -p \"Site A:90\" -r \"to B\" -f 10.1.0.0/255.255.0.0=10.2.0.0/255.255.0.0 -t 192.0.2.2 "
          "-n ESP[AES256,SHA256]3600S/50000KPFS14 ESP[AES-GCM128]PFS14 -a CERT:\"C=US, O=\\\"Q\\\" Org, CN=Root\" "
          "-1s AES256-SHA256-14 3DES-SHA-2 -1k 5Q/7200S",
          "ipsecpol -w REG -p \"Site A\" -r \"from B\" -f 10.2.0.0/255.255.0.0=10.1.0.0/255.255.0.0 -t 0 192.0.2.1 "
          "-n ESP[AES256,SHA256]3600S/50000KPFS14 -a PRESHARE:\"p@ss word\"",
          "ipsecpol -w REG -p \"Site A\" -r web -f *=0:443:TCP *=0:80:TCP 0:500+*::UDP -n INPASS ESP[3DES,SHA] "
          "AH[SHA]+ESP[DES,NONE]PFS -soft -lan -a K C",
          "ipsecpol -w REG -p \"Site A\" -r dial -f 0+gw.example 0+128.* -dialup -n ESP[NONE,SHA] AH[MD5]",
          "ipsecpol -w REG -p \"Site A\" -r block -f 0+144.92.*.* -n BLOCK",
          "ipsecpol -w REG -p \"Site A\" -f DEFAULT -n ESP[3DES,MD5]20480K -a CERT",
          "ipsecpol -w REG -p Other -r x -f 0+* -1p -1e 600",
          "ipsecpol -w REG -p Soft -r s -f 0+* -soft",
          "ipsecpol -w REG -p Pfs -r s -f 0+* -n ESP[3DES,SHA]P2 ESP[DES,SHA]",
      },
      dns.resolver());
  for (const auto& p : store.policies) {
    INFO(p.name);
    round_trip(store, p.name, dns.resolver());
  }
}

TEST_CASE("export: what ipsecpol cannot express becomes REM lines") {
  PolicySet set = from_commands({"ipsecpol -w REG -p Odd -r a -f 0+* -n ESP[3DES,SHA]",
                                 "ipsecpol -w REG -p Odd -r b -f 0+*::TCP -n ESP[3DES,SHA]"});
  Policy& p = set.policies[0];
  p.description = "line one\nline two";
  p.poll_interval_seconds = 100;
  p.rules[0].description = "first";
  p.rules[1].active = false;
  p.rules[1].filter_list = p.rules[0].filter_list;  // a shared list
  auto* fl = set.find_filter_list(p.rules[0].filter_list);
  fl->description = "the list";
  Filter v6 = filter(host("2001:db8::1"), Address::any(), true);
  v6.description = "v6 host";
  fl->filters.push_back(v6);
  fl->filters.push_back(
      filter(Address::dns("gw.example", {ip("198.51.100.7"), ip("2001:db8::7")}), Address::me(), false));
  auto* fa = set.find_filter_action(p.rules[0].filter_action);
  fa->offers.push_back(esp(Cipher::des, Integrity::md5));
  fa->offers[0].pfs = Pfs{true, DhGroup::modp2048};
  AuthMethod c = cert("CN=Root");
  c.cert_map = true;
  AuthMethod ref;
  ref.kind = AuthKind::psk;
  ref.psk_ref = "secret/psk/{X}";
  p.rules[0].auth = {c, ref};
  Rule bad;
  bad.name = "-dash";
  bad.filter_list = p.rules[0].filter_list;
  bad.filter_action = p.rules[0].filter_action;
  p.rules.push_back(bad);
  Rule v6only;
  v6only.name = "v6only";
  v6only.filter_list = "v6 list";
  v6only.filter_action = p.rules[0].filter_action;
  set.filter_lists.push_back([] {
    FilterList l;
    l.name = "v6 list";
    l.filters = {filter(host("2001:db8::1"), host("2001:db8::2"), true)};
    return l;
  }());
  p.rules.push_back(v6only);
  p.default_response.active = false;
  p.default_response.offers.pop_back();  // inactive, with its own methods: not writable

  const std::string s = export_ipsecpol_script(set, "Odd", true);
  INFO(s);
  for (const char* want :
       {"policy description (not expressible): line one line two", "polling interval 100 s",
        "rule \"a\" description (not expressible): first", "rule \"b\" is inactive", "is shared by several rules",
        "filter list \"a filter list\" description (not expressible): the list", "IPv6 address 2001:db8::1/128",
        "v6 host", "resolves \"gw.example\" to IPv4 addresses only", "PFS differs between offers",
        "certificate mapping", "held in the store as secret/psk/{X}", "rule \"-dash\" cannot be named with -r",
        "rule \"v6only\" has no filter that ipsecpol can express",
        "inactive default response rule has its own security methods"}) {
    CHECK(has_rem(s, want));
  }
  // every command line still runs
  FakeDns dns;
  PolicySet back = replay(s, dns.resolver());
  REQUIRE(back.find_policy("Odd"));
  CHECK(back.find_policy("Odd")->rules.size() == 2);  // a and b; -dash and v6only left out

  // a name -p cannot carry: nothing but REM lines
  PolicySet colon = from_commands({"ipsecpol -w REG -p x -r r -f 0+*"});
  colon.policies[0].name = "a:b";
  const std::string c2 = export_ipsecpol_script(colon, "a:b", true);
  CHECK(split_script(c2).empty());
  CHECK(has_rem(c2, "cannot be given to -p"));
  CHECK(export_ipsecpol_script(colon, "missing", true) ==
        "REM ipsecpol export: there is no policy named \"missing\"\n");
}
