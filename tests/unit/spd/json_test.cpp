// The compiled SPD document: exact round trip, netdiag's keys, strictness, no secrets.
#include <doctest/doctest.h>

#include "policy/spd_json.h"
#include "spd_test_util.h"

using namespace spdtest;
using json = nlohmann::json;

namespace {

CompiledSpd rich_spd() {
  SetBuilder b;
  b.list("web", {filt(Address::me(), Address::dns("www.example", {ip("192.0.2.1"), ip("2001:db8::1")}), 6, 0, 443)})
      .list("gw", {filt(sub("10.1.0.0/16"), sub("10.2.0.0/16"), 0, 0, 0, false)})
      .list("back", {filt(sub("10.2.0.0/16"), sub("10.1.0.0/16"), 0, 0, 0, false)})
      .list("icmp", {filt(Address::me(), Address::any(), 1)})
      .action("sec", ActionType::negotiate, true, true)
      .action("tun", ActionType::negotiate)
      .action("deny", ActionType::block);
  b.rule("P", "web", "web", "sec");
  b.rule("P", "to-b", "gw", "tun").tunnel = sub("203.0.113.2/32");
  Rule& back = b.rule("P", "from-b", "back", "tun");
  back.tunnel = Address::me();
  back.tunnel_src = sub("203.0.113.2/32");
  back.conn = ConnType::lan;
  Rule& icmp = b.rule("P", "icmp", "icmp", "deny");
  icmp.conn = ConnType::dialup;
  AuthMethod cert;
  cert.kind = AuthKind::cert;
  cert.ca = "CN=Root";
  cert.cert_map = true;
  b.set.policies[0].rules[0].auth.push_back(cert);
  b.policy("P").default_response = default_response_rule();
  b.policy("P").isakmp.mm_pfs = true;
  b.policy("P").isakmp.soft_sa_expiry_seconds = 600;

  SpdInputs in;
  in.assigned_set = b.set;
  in.assigned_policy = std::string("P");
  SetBuilder d;
  d.list("l", {filt(Address::any(), Address::me(), 17, 0, 500)}).action("p", ActionType::permit);
  d.rule(std::string(kDynamicPolicyName), "dyn", "l", "p");
  d.rule(std::string(kDynamicPolicyName), "broken", "missing", "p");
  in.dynamic = {{"dynamic/7", d.set}};
  in.addresses = {ip("198.51.100.7"), ip("2001:db8:ffff::7")};
  in.generation = 42;
  return compile_spd(in);
}

}  // namespace

TEST_CASE("CompiledSpd JSON round trip is exact") {
  for (const CompiledSpd& spd : {rich_spd(), compile(builtin_policies(), kBuiltinServer, {ip("192.0.2.10")}),
                                 compile(builtin_policies(), kBuiltinClient, {}), CompiledSpd{}}) {
    const json j = to_json(spd);
    auto back = compiled_spd_from_json(j);
    REQUIRE_MESSAGE(back.ok(), back.error().message);
    CHECK(*back == spd);
    CHECK(to_json(*back) == j);
    // And through text.
    auto again = compiled_spd_from_json(json::parse(j.dump()));
    REQUIRE(again.ok());
    CHECK(*again == spd);
  }
}

TEST_CASE("the rich SPD exercises every part of the document") {
  const CompiledSpd spd = rich_spd();
  CHECK(spd.generation == 42);
  CHECK(spd.sources.size() == 2);
  CHECK(spd.default_response.has_value());
  CHECK_FALSE(spd.warnings.empty());
  CHECK_FALSE(spd.mm_specific.empty());
  bool tunnel_me = false, tunnel_addr = false, v6 = false;
  for (const auto& f : spd.filters) {
    if (f.tunnel && f.tunnel->me) tunnel_me = true;
    if (f.tunnel && !f.tunnel->me) tunnel_addr = true;
    if (f.is_v6()) v6 = true;
  }
  CHECK(tunnel_me);
  CHECK(tunnel_addr);
  CHECK(v6);
}

TEST_CASE("netdiag's per-filter keys") {
  const CompiledSpd spd = compile(builtin_policies(), kBuiltinSecureServer, {ip("192.0.2.10")});
  const json j = to_json(spd);
  CHECK(j["format"] == "ipseckit-spd");
  CHECK(j["addresses"] == json::array({"192.0.2.10"}));
  for (const char* list : {"filters", "specific"}) {
    REQUIRE(j[list].is_array());
    REQUIRE_FALSE(j[list].empty());
    for (const auto& f : j[list])
      for (const char* key : {"policy", "rule", "src", "dst", "protocol", "src_port", "dst_port", "action", "tunnel", "weight"})
        CHECK_MESSAGE(f.contains(key), list, " lacks ", key);
  }
  const json& first = j["specific"][0];  // any -> me ICMP (highest weight)
  CHECK(first["policy"] == kBuiltinSecureServer);
  CHECK(first["rule"] == "Permit unsecure ICMP packets to pass through.");
  CHECK(first["src"] == "0.0.0.0/0");
  CHECK(first["dst"] == "me");
  CHECK(first["dst_addr"] == "192.0.2.10/32");
  CHECK(first["protocol"] == 1);
  CHECK(first["src_port"] == 0);
  CHECK(first["action"] == "permit");
  CHECK(first["tunnel"].is_null());
  CHECK(first["weight"] == 0x02100101);
  CHECK(first["direction"] == "inbound");
  const json& last = j["specific"][3];
  CHECK(last["action"] == "negotiate");
  CHECK(last["inbound_action"] == "permit");
  CHECK(last["outbound_action"] == "negotiate");
  CHECK(j["qm_policies"][last["qm_policy"].get<std::size_t>()]["name"] == "Require Security");
}

TEST_CASE("pre-shared keys never reach the document") {
  const json j = to_json(rich_spd());
  const std::string text = j.dump();
  CHECK(text.find("correct horse battery staple") == std::string::npos);
  CHECK(text.find("secret/psk/web") != std::string::npos);
}

TEST_CASE("the reader is strict") {
  const json good = to_json(rich_spd());
  auto fails = [&](auto&& mutate, const char* where) {
    json j = good;
    mutate(j);
    auto r = compiled_spd_from_json(j);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.find(where) != std::string::npos, r.error().message);
  };
  fails([](json& j) { j["format"] = "ipseckit-policy"; }, "spd.format");
  fails([](json& j) { j["version"] = 2; }, "spd.version");
  fails([](json& j) { j["surprise"] = 1; }, "spd.surprise");
  fails([](json& j) { j["specific"][0].erase("weight"); }, "spd.specific[0].weight");
  fails([](json& j) { j["specific"][0]["src"] = "10.0.0.0"; }, "spd.specific[0].src");
  fails([](json& j) { j["filters"][0]["action"] = "allow"; }, "spd.filters[0].action");
  fails([](json& j) { j["filters"][0]["rule_id"] = 999; }, "spd.filters[0].rule_id");
  fails([](json& j) { j["filters"][0]["rule"] = "renamed"; }, "spd.filters[0].rule_id");
  fails([](json& j) { j["filters"][0]["qm_policy"] = 999; }, "spd.filters[0]");
  fails([](json& j) { j["specific"][0]["generic"] = 99999; }, "spd.specific[0]");
  fails([](json& j) { j["filters"][0]["family"] = 5; }, "spd.filters[0].family");
  fails([](json& j) { j["addresses"][0] = "not-an-ip"; }, "spd.addresses[0]");
  fails([](json& j) { j["qm_policies"][0]["offers"][0]["esp"]["encryption"] = "rot13"; }, "offers");
  fails([](json& j) { j["auth"][0]["methods"][0]["method"] = "password"; }, "spd.auth[0].methods[0].method");
  fails([](json& j) { j["default_response"]["auth"] = 999; }, "spd.default_response");
  auto r = compiled_spd_from_json(json::array());
  CHECK_FALSE(r.ok());
}

TEST_CASE("a rule's aggressive_mode survives the SPD document (absent = false)") {
  CompiledSpd spd = rich_spd();
  REQUIRE_FALSE(spd.rules.empty());
  CHECK(to_json(spd).dump().find("aggressive_mode") == std::string::npos);
  spd.rules.front().aggressive_mode = true;
  const json j = to_json(spd);
  CHECK(j["rules"][0]["aggressive_mode"] == true);
  auto back = compiled_spd_from_json(json::parse(j.dump()));
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  CHECK(back->rules.front().aggressive_mode);
  json bad = j;
  bad["rules"][0]["aggressive_mode"] = 1;
  CHECK_FALSE(compiled_spd_from_json(bad).ok());
}
