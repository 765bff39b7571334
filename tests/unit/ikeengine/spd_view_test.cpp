// SpdPolicyView's initiator side on a host with two addresses (spd_policy_view.h).
#include <doctest/doctest.h>

#include "../spd/spd_test_util.h"
#include "ike/spd_policy_view.h"

namespace {
using ipseckit::policy::Address;
using ipseckit::wire::FiveTuple;
using ipseckit::wire::IpPrefix;
ipseckit::wire::IpAddr sv_addr(const char* s) { return spdtest::ip(s); }
IpPrefix sv_host(const char* s) { return IpPrefix::host(sv_addr(s)); }
}  // namespace

TEST_CASE("for_rule: a transport filter naming a secondary address of this host") {
  spdtest::SetBuilder b;
  b.list("second", {spdtest::filt(Address::subnet(sv_host("198.51.100.11")),
                         Address::subnet(sv_host("198.51.100.2")))});
  b.list("mine", {spdtest::filt(Address::me(), Address::subnet(sv_host("198.51.100.3")))});
  b.action("esp", ipseckit::policy::ActionType::negotiate);
  b.rule("p", "second", "second", "esp");
  b.rule("p", "mine", "mine", "esp");
  ipseckit::ike::SpdPolicyView v(spdtest::compile(b.set, "p", {sv_addr("198.51.100.1"), sv_addr("198.51.100.11")}));

  auto s = v.for_rule("second", sv_addr("198.51.100.2"));
  REQUIRE(s.has_value());
  CHECK(s->peer == sv_addr("198.51.100.2"));
  CHECK_FALSE(s->qm.tunnel);
  CHECK(s->qm.local.prefix == sv_host("198.51.100.11"));  // the IKE source too
  CHECK(s->qm.remote.prefix == sv_host("198.51.100.2"));
  CHECK_FALSE(v.for_rule("second", sv_addr("198.51.100.3")).has_value());

  // "me" expands to both addresses: for_rule gives one of them, for_packet the one it is asked for
  auto m = v.for_rule("mine", sv_addr("198.51.100.3"));
  REQUIRE(m.has_value());
  CHECK(m->qm.local.prefix.is_host());
  auto p = v.for_packet(FiveTuple{sv_addr("198.51.100.11"), sv_addr("198.51.100.3"), 0, 0, 0});
  REQUIRE(p.has_value());
  CHECK(p->qm.rule == "mine");
  CHECK(p->qm.local.prefix == sv_host("198.51.100.11"));
  // an acquire from the secondary address picks the rule naming it
  auto a = v.for_packet(FiveTuple{sv_addr("198.51.100.11"), sv_addr("198.51.100.2"), 17, 1701, 1701});
  REQUIRE(a.has_value());
  CHECK(a->qm.rule == "second");
  CHECK(a->qm.local.prefix == sv_host("198.51.100.11"));
  // the primary address is not covered by "second"
  CHECK_FALSE(v.for_packet(FiveTuple{sv_addr("198.51.100.1"), sv_addr("198.51.100.2"), 17, 1701, 1701}).has_value());
}

TEST_CASE("main_mode: a rule's aggressive_mode (JSON form) turns Aggressive Mode on for its peers only") {
  spdtest::SetBuilder b;
  b.list("agg", {spdtest::filt(Address::me(), Address::subnet(sv_host("198.51.100.2")))});
  b.list("plain", {spdtest::filt(Address::me(), Address::subnet(sv_host("198.51.100.3")))});
  b.action("esp", ipseckit::policy::ActionType::negotiate);
  b.rule("p", "agg", "agg", "esp").aggressive_mode = true;
  b.rule("p", "plain", "plain", "esp");
  ipseckit::ike::SpdPolicyView v(spdtest::compile(b.set, "p", {sv_addr("198.51.100.1")}));
  auto a = v.main_mode(sv_addr("198.51.100.1"), sv_addr("198.51.100.2"));
  REQUIRE(a.has_value());
  CHECK(a->rule == "agg");
  CHECK(a->aggressive_responder);
  CHECK(a->aggressive_initiator);
  auto p = v.main_mode(sv_addr("198.51.100.1"), sv_addr("198.51.100.3"));
  REQUIRE(p.has_value());
  CHECK(p->rule == "plain");
  CHECK_FALSE(p->aggressive_responder);
  CHECK_FALSE(p->aggressive_initiator);
}
