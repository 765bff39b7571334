// The SPD compiler: expansion (mirror, DNS, families, me), actions, ordering, MM filters.
#include <doctest/doctest.h>

#include <algorithm>

#include "policy/spd_weight.h"
#include "spd_test_util.h"

using namespace spdtest;

namespace {

bool sorted_by_weight(const std::vector<SpdFilter>& v) {
  return std::is_sorted(v.begin(), v.end(), [](const SpdFilter& a, const SpdFilter& b) { return a.weight > b.weight; });
}

}  // namespace

TEST_CASE("Secure Server (Require Security) on a host with one IPv4 address") {
  auto spd = compile(builtin_policies(), kBuiltinSecureServer, {ip("192.0.2.10")});
  CHECK(spd.assigned_policy == kBuiltinSecureServer);
  REQUIRE(spd.sources.size() == 1);
  CHECK(spd.sources[0].kind == "static");
  // Two rules x one mirrored me<->any filter x two families x (filter + mirror).
  CHECK(spd.filters.size() == 8);
  // Specific: only IPv4 (no local IPv6 address); me->any outbound and any->me inbound.
  REQUIRE(spd.specific.size() == 4);
  CHECK(sorted_by_weight(spd.specific));
  CHECK(spd.specific[0].weight == 0x02100101u);  // any -> me, ICMP
  CHECK(spd.specific[0].direction == SpdDirection::inbound);
  CHECK(spd.specific[0].dst.me);
  CHECK(spd.specific[0].dst.prefix == pfx("192.0.2.10/32"));
  CHECK(spd.specific[0].src.prefix == pfx("0.0.0.0/0"));
  CHECK(spd.specific[0].action == ActionType::permit);
  CHECK(spd.specific[1].weight == 0x02100100u);  // me -> any, ICMP
  CHECK(spd.specific[1].direction == SpdDirection::outbound);
  CHECK(spd.specific[2].weight == 0x02100001u);  // any -> me, all IP
  CHECK(spd.specific[3].weight == 0x02100000u);  // me -> any, all IP
  // Require Security: inbound clear accepted (inpass), outbound negotiated.
  CHECK(spd.specific[3].action == ActionType::negotiate);
  CHECK(spd.specific[3].outbound_action == ActionType::negotiate);
  CHECK(spd.specific[3].inbound_action == ActionType::permit);
  CHECK(spd.specific[3].action_for(true) == ActionType::negotiate);
  REQUIRE(spd.specific[3].qm_policy != kSpdNone);
  CHECK(spd.qm_policies[spd.specific[3].qm_policy].name == "Require Security");
  CHECK(spd.qm_policies[spd.specific[3].qm_policy].offers.size() == 4);
  CHECK(spd.specific[1].qm_policy == kSpdNone);  // permit: no QM policy
  // The default response rule makes no filters but is available to IKE.
  REQUIRE(spd.default_response);
  CHECK(spd.default_response->offers == default_response_offers());
  CHECK(spd.auth[spd.default_response->auth].methods[0].kind == AuthKind::kerberos);
  CHECK(spd.mm_policies[spd.default_response->mm_policy].name == kBuiltinSecureServer);
}

TEST_CASE("Client (Respond Only): no filters, only the default response") {
  auto spd = compile(builtin_policies(), kBuiltinClient, {ip("192.0.2.10")});
  CHECK(spd.filters.empty());
  CHECK(spd.specific.empty());
  CHECK(spd.mm_filters.empty());
  REQUIRE(spd.default_response);
  CHECK(spd.default_response->offers.size() == 6);
}

TEST_CASE("mirrored filters expand to two with addresses and ports swapped") {
  SetBuilder b;
  b.list("l", {filt(sub("10.0.0.0/8"), Address::me(), 6, 80, 1234, true), filt(sub("10.0.0.0/8"), Address::me(), 17, 53, 0, false),
               filt(Address::any(), Address::any(), 0, 7, 7, true)})
      .action("block", ActionType::block);
  b.rule("P", "r", "l", "block");
  auto spd = compile(b.set, "P", {ip("10.9.9.9")});
  // filter 0: v4 only (10/8 fixes the family) + mirror; filter 1: one; filter 2: any<->any with
  // equal ports is its own mirror -> one per family.
  REQUIRE(spd.filters.size() == 5);
  const auto& f = spd.filters[0];
  const auto& m = spd.filters[1];
  CHECK_FALSE(f.mirror);
  CHECK(m.mirror);
  CHECK(f.src.prefix == pfx("10.0.0.0/8"));
  CHECK(f.dst.me);
  CHECK(m.src.me);
  CHECK(m.dst.prefix == pfx("10.0.0.0/8"));
  CHECK(f.src_port == 80);
  CHECK(f.dst_port == 1234);
  CHECK(m.src_port == 1234);
  CHECK(m.dst_port == 80);
  CHECK(m.protocol == 6);
  CHECK(m.index == f.index);
  CHECK(m.inbound_action == f.inbound_action);  // actions are per packet direction, not swapped
  CHECK(f.direction == SpdDirection::inbound);
  CHECK(m.direction == SpdDirection::outbound);
  CHECK_FALSE(spd.filters[2].mirror);
  CHECK(spd.filters[2].dst_port == 0);
  CHECK(spd.filters[3].is_v6() == false);
  CHECK(spd.filters[4].is_v6() == true);
  CHECK_FALSE(spd.filters[4].mirror);
  // Blocks make no main-mode filters and no QM policy.
  CHECK(spd.mm_filters.empty());
  CHECK(spd.qm_policies.empty());
}

TEST_CASE("DNS addresses expand to one filter per resolved address") {
  SetBuilder b;
  b.list("l", {filt(Address::me(), Address::dns("www.example", {ip("192.0.2.1"), ip("192.0.2.2"), ip("2001:db8::1")}), 6,
                    0, 443, true)})
      .action("p", ActionType::permit);
  b.rule("P", "r", "l", "p");
  auto spd = compile(b.set, "P", {ip("198.51.100.7"), ip("2001:db8:ffff::7")});
  REQUIRE(spd.filters.size() == 6);
  CHECK(spd.filters[0].dst.prefix == pfx("192.0.2.1/32"));
  CHECK(spd.filters[1].src.prefix == pfx("192.0.2.1/32"));  // its mirror
  CHECK(spd.filters[2].dst.prefix == pfx("192.0.2.2/32"));
  CHECK(spd.filters[4].dst.prefix == pfx("2001:db8::1/128"));
  CHECK(spd.filters[4].src.me);
  CHECK(spd.filters[4].src.is_v6());
  CHECK(spd.specific.size() == 6);
}

TEST_CASE("me expands to each local address of the same family") {
  SetBuilder b;
  b.list("l", {filt(Address::me(), Address::any())}).action("p", ActionType::permit);
  b.rule("P", "r", "l", "p");

  SUBCASE("no addresses: no specific filters") {
    auto spd = compile(b.set, "P", {});
    CHECK(spd.filters.size() == 4);
    CHECK(spd.specific.empty());
  }
  SUBCASE("one IPv4 address") {
    auto spd = compile(b.set, "P", {ip("192.0.2.10")});
    REQUIRE(spd.specific.size() == 2);
    for (const auto& f : spd.specific) CHECK_FALSE(f.is_v6());
  }
  SUBCASE("several IPv4 and IPv6 addresses") {
    auto spd = compile(b.set, "P", {ip("192.0.2.10"), ip("2001:db8::10"), ip("198.51.100.7")});
    REQUIRE(spd.specific.size() == 6);
    int out4 = 0, in4 = 0, out6 = 0, in6 = 0;
    for (const auto& f : spd.specific) {
      CHECK(f.generic != kSpdNone);
      const SpdAddr& me = f.direction == SpdDirection::outbound ? f.src : f.dst;
      CHECK(me.me);
      CHECK(me.prefix.is_host());
      if (f.is_v6()) {
        CHECK(me.prefix.addr == ip("2001:db8::10"));
        (f.direction == SpdDirection::outbound ? out6 : in6)++;
      } else {
        CHECK((me.prefix.addr == ip("192.0.2.10") || me.prefix.addr == ip("198.51.100.7")));
        (f.direction == SpdDirection::outbound ? out4 : in4)++;
      }
    }
    CHECK(out4 == 2);
    CHECK(in4 == 2);
    CHECK(out6 == 1);
    CHECK(in6 == 1);
    // Equal weights keep the order of the local addresses (IPv6 weights are larger, so the
    // IPv6 pair sorts first).
    CHECK(spd.specific[0].is_v6());
    std::vector<wire::IpAddr> inbound4;
    for (const auto& f : spd.specific)
      if (!f.is_v6() && f.direction == SpdDirection::inbound) inbound4.push_back(f.dst.prefix.addr);
    CHECK(inbound4 == std::vector<wire::IpAddr>{ip("192.0.2.10"), ip("198.51.100.7")});
  }
}

TEST_CASE("transport filters: Windows' inbound/outbound separation") {
  SetBuilder b;
  b.list("l", {filt(sub("10.0.0.0/8"), sub("172.16.0.0/12"), 0, 0, 0, false),   // source subnet holds me
               filt(sub("192.168.0.0/16"), sub("172.16.0.0/12"), 0, 0, 0, false),  // neither holds me
               filt(sub("10.1.2.3/32"), sub("172.16.0.1/32"), 0, 0, 0, false),  // a host that is a local address
               filt(sub("224.0.0.0/4"), sub("10.0.0.0/8"), 0, 0, 0, false)})     // multicast counts as both
      .action("p", ActionType::permit);
  b.rule("P", "r", "l", "p");
  auto spd = compile(b.set, "P", {ip("10.1.2.3")});
  std::vector<std::pair<std::uint32_t, SpdDirection>> got;
  for (const auto& f : spd.specific) got.emplace_back(spd.filters[f.generic].index, f.direction);
  std::sort(got.begin(), got.end());
  const std::vector<std::pair<std::uint32_t, SpdDirection>> want = {
      {0, SpdDirection::outbound}, {2, SpdDirection::outbound}, {3, SpdDirection::outbound}, {3, SpdDirection::inbound}};
  CHECK(got == want);
}

TEST_CASE("tunnel rules: endpoints, direction, mirror ignored, main-mode filters") {
  SetBuilder b;
  b.list("out", {filt(sub("10.1.0.0/16"), sub("10.2.0.0/16"), 0, 0, 0, true)})
      .list("in", {filt(sub("10.2.0.0/16"), sub("10.1.0.0/16"), 0, 0, 0, false)})
      .action("sec", ActionType::negotiate);
  b.rule("P", "to-b", "out", "sec").tunnel = sub("203.0.113.2/32");
  b.rule("P", "from-b", "in", "sec").tunnel = Address::me();
  auto spd = compile(b.set, "P", {ip("198.51.100.7")});
  REQUIRE(spd.filters.size() == 2);  // the mirror flag is ignored on tunnel filters
  REQUIRE(spd.specific.size() == 2);
  for (const auto& f : spd.specific) {
    REQUIRE(f.tunnel);
    CHECK(f.weight == 0x03103001u);
    if (spd.rules[f.rule].rule == "to-b") {
      CHECK(f.tunnel->prefix == pfx("203.0.113.2/32"));
      CHECK(f.direction == SpdDirection::outbound);
    } else {
      CHECK(f.tunnel->prefix == pfx("198.51.100.7/32"));
      CHECK(f.direction == SpdDirection::inbound);
    }
  }
  // Tie: equal weights keep rule order.
  CHECK(spd.rules[spd.specific[0].rule].rule == "to-b");
  // Main mode: me <-> 203.0.113.2 for the first rule (mirrored); me -> me for the second.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& m : spd.mm_filters)
    pairs.emplace_back(m.src.me ? "me" : m.src.prefix.str(), m.dst.me ? "me" : m.dst.prefix.str());
  const std::vector<std::pair<std::string, std::string>> want = {{"me", "203.0.113.2/32"}, {"203.0.113.2/32", "me"}, {"me", "me"}};
  CHECK(pairs == want);
  CHECK(spd.mm_filters[0].weight == 0x04200001u);
  CHECK(spd.mm_filters[0].index == kSpdNone);
  // Specific MM: me <-> the remote gateway; me -> me makes none.
  REQUIRE(spd.mm_specific.size() == 2);
  CHECK(spd.mm_specific[0].weight == spd.mm_specific[1].weight);  // host <-> host: equal, generic order
  CHECK(spd.mm_specific[0].src.prefix == pfx("198.51.100.7/32"));
  CHECK(spd.mm_specific[0].src.me);
  CHECK(spd.mm_specific[0].direction == SpdDirection::outbound);
  CHECK(spd.mm_specific[1].src.prefix == pfx("203.0.113.2/32"));
  CHECK(spd.mm_specific[1].direction == SpdDirection::inbound);
}

TEST_CASE("main-mode filters of transport rules: one per filter address pair, duplicates merged") {
  SetBuilder b;
  b.list("l", {filt(Address::me(), sub("192.0.2.0/24"), 6, 0, 80), filt(Address::me(), sub("192.0.2.0/24"), 6, 0, 443)})
      .action("sec", ActionType::negotiate);
  b.rule("P", "r", "l", "sec");
  auto spd = compile(b.set, "P", {ip("198.51.100.7")});
  CHECK(spd.filters.size() == 4);
  REQUIRE(spd.mm_filters.size() == 2);  // me -> 192.0.2.0/24 and its mirror, once
  CHECK(spd.mm_filters[0].src.me);
  CHECK(spd.mm_filters[1].mirror);
  CHECK(spd.mm_filters[0].weight == ((528u + 492u) << 16));
  REQUIRE(spd.mm_specific.size() == 2);
  const auto& auth = spd.auth[spd.mm_filters[0].auth];
  CHECK(auth.name == "P/r");
  REQUIRE(auth.methods.size() == 1);
  CHECK(auth.methods[0].psk.empty());  // the secret stays in the store
  CHECK(auth.methods[0].psk_ref == "secret/psk/r");
}

TEST_CASE("rules: inactive skipped, missing objects reported, actions and soft kept") {
  SetBuilder b;
  b.list("l", {filt(Address::me(), sub("192.0.2.0/24"))})
      .action("opt", ActionType::negotiate, true, true)
      .action("deny", ActionType::block);
  b.rule("P", "a", "l", "opt");
  b.rule("P", "b", "l", "deny").active = false;
  b.rule("P", "c", "nope", "deny");
  auto spd = compile(b.set, "P", {ip("198.51.100.7")});
  REQUIRE(spd.rules.size() == 1);
  CHECK(spd.rules[0].rule == "a");
  REQUIRE(spd.warnings.size() == 1);
  CHECK(spd.warnings[0].find("'nope'") != std::string::npos);
  for (const auto& f : spd.filters) {
    CHECK(f.soft);
    CHECK(f.outbound_action == ActionType::negotiate);
    CHECK(f.inbound_action == ActionType::permit);
  }
  CHECK(spd.qm_policies[0].soft);
  CHECK(spd.qm_policies[0].inpass);
}

TEST_CASE("ordering: equal weights go to dynamic sets (newest first), then the static policy") {
  SetBuilder st;
  st.list("l", {filt(Address::me(), sub("192.0.2.0/24"))}).action("deny", ActionType::block);
  st.rule("P", "static-block", "l", "deny");
  auto dyn = [](const std::string& rule, ActionType type) {
    SetBuilder d;
    d.list("l", {filt(Address::me(), sub("192.0.2.0/24"))}).action("a", type);
    d.rule(std::string(kDynamicPolicyName), rule, "l", "a");
    return d.set;
  };
  SpdInputs in;
  in.assigned_set = st.set;
  in.assigned_policy = std::string("P");
  in.dynamic = {{"dynamic/1", dyn("old", ActionType::negotiate)}, {"dynamic/2", dyn("new", ActionType::permit)}};
  in.addresses = {ip("198.51.100.7")};
  auto spd = compile_spd(in);
  REQUIRE(spd.sources.size() == 3);
  CHECK(spd.sources[0].id == "dynamic/2");
  CHECK(spd.sources[1].id == "dynamic/1");
  CHECK(spd.sources[2].kind == "static");
  REQUIRE(spd.specific.size() == 6);
  // Per weight class (the inbound mirrors, which have the tie breaker, then outbound): new, old, static.
  const char* order[] = {"new", "old", "static-block"};
  for (int i = 0; i < 3; ++i) {
    CHECK(spd.rules[spd.specific[static_cast<std::size_t>(i)].rule].rule == order[i]);
    CHECK(spd.rules[spd.specific[static_cast<std::size_t>(i + 3)].rule].rule == order[i]);
  }
  CHECK(spd.specific[0].weight == spd.specific[2].weight);
  CHECK(spd.specific[0].weight > spd.specific[3].weight);
}

TEST_CASE("ordering within a policy: rule order, then filter order, then the mirror") {
  SetBuilder b;
  b.list("l1", {filt(Address::me(), sub("192.0.2.0/24"), 0, 0, 0, true), filt(Address::me(), sub("192.0.3.0/24"))})
      .list("l2", {filt(Address::me(), sub("192.0.2.0/24"))})
      .action("p", ActionType::permit)
      .action("d", ActionType::block);
  b.rule("P", "first", "l1", "p");
  b.rule("P", "second", "l2", "d");
  auto spd = compile(b.set, "P", {ip("198.51.100.7")});
  REQUIRE(spd.specific.size() == 6);
  // The mirrors (subnet -> me, weight 1020 << 16 | tie breaker) first: first/0, first/1,
  // second/0; then the outbound originals in the same order.
  for (std::size_t i : {0u, 3u}) {
    CHECK(spd.specific[i].mirror == (i == 0));
    CHECK(spd.rules[spd.specific[i].rule].rule == "first");
    CHECK(spd.specific[i].index == 0);
    CHECK(spd.specific[i + 1].index == 1);
    CHECK(spd.rules[spd.specific[i + 2].rule].rule == "second");
  }
  CHECK(spd.specific[0].weight == spd.specific[2].weight);
}

TEST_CASE("ordering: a filter before its mirror when both weigh the same") {
  SetBuilder b;
  b.list("l", {filt(sub("192.0.2.0/24"), sub("192.0.3.0/24"))}).action("p", ActionType::permit);
  b.rule("P", "r", "l", "p");
  auto spd = compile(b.set, "P", {ip("192.0.2.5")});
  REQUIRE(spd.specific.size() == 2);
  CHECK(spd.specific[0].weight == spd.specific[1].weight);
  CHECK_FALSE(spd.specific[0].mirror);
  CHECK(spd.specific[0].direction == SpdDirection::outbound);
  CHECK(spd.specific[1].mirror);
  CHECK(spd.specific[1].direction == SpdDirection::inbound);
}

TEST_CASE("default response: the assigned policy's, else the newest dynamic set's") {
  auto with_dr = [](const std::string& policy, bool active) {
    SetBuilder d;
    d.policy(policy).default_response = default_response_rule();
    d.policy(policy).default_response.active = active;
    return d.set;
  };
  SpdInputs in;
  in.dynamic = {{"d1", with_dr(std::string(kDynamicPolicyName), true)}, {"d2", with_dr(std::string(kDynamicPolicyName), true)}};
  auto spd = compile_spd(in);
  REQUIRE(spd.default_response);
  CHECK(spd.sources[spd.default_response->source].id == "d2");
  in.assigned_set = with_dr("S", true);
  in.assigned_policy = std::string("S");
  spd = compile_spd(in);
  REQUIRE(spd.default_response);
  CHECK(spd.sources[spd.default_response->source].kind == "static");
  in.assigned_set = with_dr("S", false);
  spd = compile_spd(in);
  REQUIRE(spd.default_response);
  CHECK(spd.sources[spd.default_response->source].id == "d2");
}

TEST_CASE("specialize_spd re-resolves me without touching the generic lists") {
  auto in = SpdInputs{};
  in.assigned_set = builtin_policies();
  in.assigned_policy = kBuiltinServer;
  in.addresses = {ip("192.0.2.10")};
  auto spd = compile_spd(in);
  const auto generic = spd.filters;
  specialize_spd(spd, {ip("198.51.100.7"), ip("2001:db8::7")});
  CHECK(spd.filters == generic);
  in.addresses = {ip("198.51.100.7"), ip("2001:db8::7")};
  CHECK(spd == compile_spd(in));
  CHECK(spd.specific.size() == 8);
}

TEST_CASE("explicit main-mode filters (ipseccmd -1f) replace the derived ones") {
  PolicySet set;
  Policy p = new_policy(std::string(kDynamicPolicyName));
  Rule r;
  r.name = "r";
  r.filter_list = "l";
  r.filter_action = "a";
  Filter mm;
  mm.src = Address::me();
  mm.dst = Address::subnet(*wire::IpPrefix::parse("198.51.100.0/24"));
  mm.mirrored = true;
  r.mm_filters = {mm};
  p.rules = {r};
  FilterList l;
  l.name = "l";
  Filter f;
  f.src = Address::me();
  f.dst = Address::any();
  f.protocol = 6;
  l.filters = {f};
  FilterAction a;
  a.name = "a";
  a.offers = default_ipsecpol_qm_offers();
  set.policies = {p};
  set.filter_lists = {l};
  set.filter_actions = {a};
  REQUIRE(validate(set).ok());
  SpdInputs in;
  in.dynamic.push_back({"d", set});
  in.addresses = {*wire::IpAddr::parse("198.51.100.1")};
  CompiledSpd spd = compile_spd(in);
  // Only the explicit filter (both directions), none derived from me -> any.
  REQUIRE(spd.mm_filters.size() == 2);
  CHECK(spd.mm_filters[0].src.me);
  CHECK(spd.mm_filters[0].dst.prefix.str() == "198.51.100.0/24");
  CHECK(spd.mm_filters[1].dst.me);
  CHECK(spd.mm_filters[1].mirror);
  // Without -1f the main-mode filters come from the rule's filters (me <-> any, per family).
  set.policies[0].rules[0].mm_filters.clear();
  SpdInputs in2 = in;
  in2.dynamic[0].set = set;
  CompiledSpd derived = compile_spd(in2);
  CHECK(derived.mm_filters.size() == 4);
  // A filter with a protocol is not a main-mode filter.
  set.policies[0].rules[0].mm_filters = {f};
  CHECK_FALSE(validate(set).ok());
}
