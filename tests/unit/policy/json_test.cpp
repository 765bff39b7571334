#include <doctest/doctest.h>

#include "policy/defaults.h"
#include "base/strings.h"
#include "policy/json.h"

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

PolicySet sample() {
  PolicySet s = builtin_policies();
  s.merge(l2tp_policy({}));
  Policy p = new_policy("Branch");
  p.id = "{11111111-2222-4333-8444-555555555555}";
  p.changed = 1700000000;
  p.poll_interval_seconds = 3600;
  Rule r;
  r.id = "{AAAAAAAA-2222-4333-8444-555555555555}";
  r.name = "gw-out";
  r.filter_list = "gw-out";
  r.filter_action = "gw-out";
  r.tunnel = Address::host(*wire::IpAddr::parse("198.51.100.2"));
  AuthMethod psk;
  psk.kind = AuthKind::psk;
  psk.psk = "s3cret";
  AuthMethod cert;
  cert.kind = AuthKind::cert;
  cert.ca = "C=US, O=Org, CN=Root";
  r.auth = {psk, cert};
  p.rules.push_back(r);
  FilterList fl;
  fl.name = "gw-out";
  Filter f;
  f.src = Address::subnet(*wire::IpPrefix::parse("192.0.2.0/24"));
  f.dst = Address::subnet(*wire::IpPrefix::parse("203.0.113.0/24"));
  f.mirrored = false;
  fl.filters.push_back(f);
  Filter d;
  d.src = Address::me();
  d.dst = Address::dns("gw.example", {*wire::IpAddr::parse("198.51.100.7"), *wire::IpAddr::parse("2001:db8::7")});
  d.protocol = 6;
  d.dst_port = 443;
  fl.filters.push_back(d);
  FilterAction fa;
  fa.name = "gw-out";
  QmOffer o;
  o.esp = EspTransform{Cipher::aes_gcm256, Integrity::none};
  o.lifetime_seconds = 3600;
  o.lifetime_kbytes = 50000;
  o.pfs = Pfs{true, DhGroup::ecp256};
  QmOffer o2;
  o2.ah = Integrity::sha256;
  o2.esp = EspTransform{Cipher::aes128, Integrity::sha1};
  o2.pfs = Pfs{true, DhGroup::none};
  fa.offers = {o, o2};
  s.policies.push_back(p);
  s.filter_lists.push_back(fl);
  s.filter_actions.push_back(fa);
  return s;
}

}  // namespace

TEST_CASE("built-in and L2TP policies validate") {
  CHECK(validate(builtin_policies()).ok());
  CHECK(validate(sample()).ok());
  auto b = builtin_policies();
  REQUIRE(b.policies.size() == 3);
  const auto* server = b.find_policy(kBuiltinServer);
  REQUIRE(server);
  CHECK(server->rules.size() == 2);
  CHECK(server->default_response.offers.size() == 6);
  const auto* req = b.find_filter_action("Request Security (Optional)");
  REQUIRE(req);
  CHECK(req->soft);
  CHECK(req->inpass);
  CHECK(req->offers.size() == 4);
  CHECK(req->offers[2].ah == Integrity::sha1);
  CHECK(req->offers[2].lifetime_seconds == 300);
}

TEST_CASE("L2TP automatic policy matches rasman's offers") {
  CHECK(l2tp_qm_offers(L2tpEncryption::require).size() == 12);
  CHECK(l2tp_qm_offers(L2tpEncryption::optional).size() == 16);
  CHECK(l2tp_qm_offers(L2tpEncryption::require_max).size() == 6);
  CHECK(l2tp_qm_offers(L2tpEncryption::none).size() == 4);
  auto first = l2tp_qm_offers(L2tpEncryption::require).front();
  CHECK(first.esp->cipher == Cipher::des3);
  CHECK(first.esp->integrity == Integrity::md5);
  CHECK(first.lifetime_seconds == 3600);
  CHECK(first.lifetime_kbytes == 250000);
  auto srv = l2tp_policy({});
  REQUIRE(srv.filter_lists.size() == 1);
  CHECK(srv.filter_lists[0].name == "L2TP Server Inbound and Outbound Filter");
  CHECK(srv.filter_lists[0].filters[0].dst_port == 1701);
  CHECK(srv.filter_lists[0].filters[0].mirrored);
  L2tpPolicyOptions c;
  c.role = L2tpRole::client;
  c.server = wire::IpAddr::parse("203.0.113.1");
  auto cli = l2tp_policy(c);
  CHECK(cli.filter_lists[0].filters[0].src_port == 1701);
  CHECK(cli.filter_lists[0].filters[0].dst.str() == "203.0.113.1/32");
}

TEST_CASE("JSON export -> import -> export is byte-identical") {
  auto s = sample();
  std::string once = to_json_text(s);
  auto back = policy_set_from_text(once);
  REQUIRE_MESSAGE(back.ok(), back.error().message);
  std::string twice = to_json_text(*back);
  CHECK(once == twice);
  auto sorted = s;
  sorted.sort();
  CHECK(*back == sorted);
}

TEST_CASE("JSON PSK output modes") {
  auto s = sample();
  s.policies.back().rules[0].auth[0].psk_ref = "secret/psk/{X}";
  auto hidden = to_json_text(s, {PskOutput::hidden});
  CHECK(hidden.find("s3cret") == std::string::npos);
  CHECK(hidden.find("(hidden)") != std::string::npos);
  auto ref = to_json_text(s, {PskOutput::ref});
  CHECK(ref.find("s3cret") == std::string::npos);
  CHECK(ref.find("secret/psk/{X}") != std::string::npos);
  auto bad = policy_set_from_text(hidden);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("hidden") != std::string::npos);
}

TEST_CASE("JSON import errors name the offending field") {
  auto base = to_json(sample());
  auto expect = [&](auto mutate, std::string_view needle) {
    auto j = base;
    mutate(j);
    auto r = policy_set_from_json(nlohmann::json::parse(j.dump()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "usage");
    CHECK_MESSAGE(r.error().message.find(needle) != std::string::npos, r.error().message);
  };
  expect([](ojson& j) { j["format"] = "x"; }, "$.format");
  expect([](ojson& j) { j["version"] = 7; }, "$.version");
  expect([](ojson& j) { j["bogus"] = 1; }, "$.bogus: unknown field");
  expect([](ojson& j) { j["policies"][0]["rules"] = 5; }, "policies[0].rules: expected an array");
  expect([](ojson& j) { j["filter_lists"][0]["filters"][0]["protocol"] = 300; }, "filter_lists[0].filters[0].protocol");
  expect([](ojson& j) { j["filter_lists"][0]["filters"][0]["source"] = "10.0.0.1/8"; }, "bits set outside");
  expect([](ojson& j) { j["filter_lists"][0]["filters"][0]["source"] = "nonsense"; }, "filters[0].source");
  expect([](ojson& j) { j["filter_actions"][0]["offers"] = ojson::array({{{"ah", "sha3"}}}); }, "offers[0].ah");
  expect([](ojson& j) { j["filter_actions"][0]["action"] = "allow"; }, "filter_actions[0].action");
  expect([](ojson& j) { j["policies"][0]["isakmp"]["offers"][0]["dh_group"] = 3; }, "dh_group");
  expect([](ojson& j) { j["policies"][0]["rules"][0]["filter_list"] = "missing"; }, "does not exist");
  expect([](ojson& j) { j["policies"][0]["name"] = j["policies"][1]["name"]; }, "duplicate");
  auto r = policy_set_from_text("{\"format\": ");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("not valid JSON") != std::string::npos);
}

TEST_CASE("validate catches semantic errors") {
  auto s = sample();
  s.filter_actions.back().offers[0].lifetime_seconds = 100;
  auto v = validate(s);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().message.find("300 s minimum") != std::string::npos);
  s = sample();
  s.filter_actions.back().offers[0].esp = EspTransform{Cipher::none, Integrity::none};
  CHECK_FALSE(validate(s).ok());
  s = sample();
  s.filter_lists.back().filters[0].dst = Address::subnet(*wire::IpPrefix::parse("2001:db8::/32"));
  CHECK(validate(s).error().message.find("different address families") != std::string::npos);
  s = sample();
  s.filter_lists.back().filters[0].protocol = 1;
  s.filter_lists.back().filters[0].src_port = 5;
  CHECK(validate(s).error().message.find("ports given for protocol 1") != std::string::npos);
}

TEST_CASE("JSON import: a number too large for a double is a usage error, not an exception") {
  auto r = policy_set_from_text("{\"format\":\"ipseckit-policy\",\"version\":99e99999}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "usage");
  CHECK(r.error().message.find("not valid JSON") != std::string::npos);
}

TEST_CASE("JSON import: deep nesting is refused before parsing") {
  std::string deep(100000, '[');
  auto r = policy_set_from_text(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("nested deeper") != std::string::npos);
  CHECK(str::json_nesting_depth("{\"a\":\"[[[[\",\"b\":[{}]}", 10) == 3);
}

TEST_CASE("JSON rule field aggressive_mode: absent = false, written only when true, refused when not a boolean") {
  PolicySet s = sample();
  Policy* p = s.find_policy("Branch");
  REQUIRE(p != nullptr);
  CHECK(to_json_text(s).find("aggressive_mode") == std::string::npos);
  p->rules.front().aggressive_mode = true;
  const std::string text = to_json_text(s);
  CHECK(text.find("\"aggressive_mode\": true") != std::string::npos);
  auto back = policy_set_from_json(nlohmann::json::parse(text));
  REQUIRE(back.ok());
  REQUIRE(back->find_policy("Branch") != nullptr);
  CHECK(back->find_policy("Branch")->rules.front().aggressive_mode);
  auto j = nlohmann::json::parse(text);
  for (auto& pol : j["policies"])
    for (auto& r : pol["rules"])
      if (r.contains("aggressive_mode")) r["aggressive_mode"] = "yes";
  auto bad = policy_set_from_json(j);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("aggressive_mode") != std::string::npos);
}

TEST_CASE("JSON rule fields local_id / peer_id: written only when set, round-trip, a bad identity is refused by name") {
  PolicySet s = sample();
  Policy* p = s.find_policy("Branch");
  REQUIRE(p != nullptr);
  CHECK(to_json_text(s).find("peer_id") == std::string::npos);
  p->rules.front().local_id = "fqdn:gw.example.com";
  p->rules.front().peer_id = "user_fqdn:alice@example.com";
  const std::string text = to_json_text(s);
  CHECK(text.find("\"peer_id\": \"user_fqdn:alice@example.com\"") != std::string::npos);
  auto back = policy_set_from_json(nlohmann::json::parse(text));
  REQUIRE(back.ok());
  CHECK(back->find_policy("Branch")->rules.front().local_id == "fqdn:gw.example.com");
  CHECK(back->find_policy("Branch")->rules.front().peer_id == "user_fqdn:alice@example.com");
  CHECK(to_json_text(*back) == text);
  auto j = nlohmann::json::parse(text);
  for (auto& pol : j["policies"])
    for (auto& r : pol["rules"])
      if (r.contains("peer_id")) r["peer_id"] = "alice@example.com";
  auto bad = policy_set_from_json(j);
  REQUIRE_FALSE(bad.ok());
  CHECK_MESSAGE(bad.error().message.find("peer_id: 'alice@example.com' is not an identity") != std::string::npos,
                bad.error().message);
}
