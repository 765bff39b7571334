// add/set/delete filterlist, add/delete filter.
#include <doctest/doctest.h>

#include "netsh_test_util.h"

using namespace netsh_test;

TEST_CASE("add filterlist: defaults and duplicates") {
  reset_ids();
  PolicySet s;
  auto out = run_ok("add filterlist name=\"Web Servers\" description=\"port 80\"\nadd filterlist Empty", s);
  REQUIRE(s.filter_lists.size() == 2);
  CHECK(s.filter_lists[0] == FilterList{"{00000000-0000-4000-8000-000000000001}", "Web Servers", "port 80", {}});
  CHECK(s.filter_lists[1].description.empty());
  CHECK(out.steps[1].summary == "added filter list 'Empty'");
  CHECK(run_err("add filterlist Empty", s, "failed") == "line 1: add filterlist: filter list 'Empty' already exists");
}

TEST_CASE("add filter: defaults (mirrored, any protocol, any ports), list auto-created") {
  reset_ids();
  PolicySet s;
  auto out = run_ok("add filter filterlist=L srcaddr=me dstaddr=any", s);
  REQUIRE(s.filter_lists.size() == 1);
  const auto& l = s.filter_lists[0];
  CHECK(l.name == "L");
  CHECK(l.id == "{00000000-0000-4000-8000-000000000001}");
  REQUIRE(l.filters.size() == 1);
  const Filter& f = l.filters[0];
  CHECK(f.src == Address::me());
  CHECK(f.dst == Address::any());
  CHECK(f.protocol == 0);
  CHECK(f.src_port == 0);
  CHECK(f.dst_port == 0);
  CHECK(f.mirrored);
  CHECK(f.description.empty());
  CHECK(out.steps[0].summary == "added filter me <-> any to filter list 'L' (created)");
}

TEST_CASE("add filter: every parameter, masks dotted and as prefixes, abbreviated tags") {
  PolicySet s;
  run_ok(
      "add filter filterl=L srca=10.1.0.0 srcm=255.255.0.0 dsta=192.0.2.0 dstm=24 proto=TCP srcp=0 dstp=443 "
      "mir=no desc=\"https out\"",
      s);
  const Filter& f = s.filter_lists.at(0).filters.at(0);
  CHECK(f.src == Address::subnet(prefix("10.1.0.0/16")));
  CHECK(f.dst == Address::subnet(prefix("192.0.2.0/24")));
  CHECK(f.protocol == 6);
  CHECK(f.dst_port == 443);
  CHECK_FALSE(f.mirrored);
  CHECK(f.description == "https out");
  // Positional: filterlist, srcaddr, dstaddr, description, protocol, mirrored, srcmask, dstmask, srcport, dstport.
  run_ok("add filter L 10.9.9.9 me \"pos\" UDP yes 255.255.255.255 32 500 500", s);
  const Filter& g = s.filter_lists[0].filters.at(1);
  CHECK(g.src == Address::host(*wire::IpAddr::parse("10.9.9.9")));
  CHECK(g.dst == Address::me());
  CHECK(g.description == "pos");
  CHECK(g.protocol == 17);
  CHECK(g.src_port == 500);
  CHECK(g.dst_port == 500);
}

TEST_CASE("add filter: IPv6, inline prefixes, DNS names through the resolver") {
  PolicySet s;
  run_ok(
      "add filter L srcaddr=2001:db8:1::/48 dstaddr=2001:db8:2:: dstmask=64 protocol=icmp\n"
      "add filter L srcaddr=me dstaddr=db.example.net\n"
      "add filter L srcaddr=any srcmask=0.0.0.0 dstaddr=10.0.0.0/8",
      s);
  const auto& fs = s.filter_lists.at(0).filters;
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].src == Address::subnet(prefix("2001:db8:1::/48")));
  CHECK(fs[0].dst == Address::subnet(prefix("2001:db8:2::/64")));
  CHECK(fs[0].protocol == 1);
  CHECK(fs[1].dst ==
        Address::dns("db.example.net", {*wire::IpAddr::parse("10.2.0.5"), *wire::IpAddr::parse("2001:db8::5")}));
  CHECK(fs[2].src == Address::any());
  CHECK(fs[2].dst == Address::subnet(prefix("10.0.0.0/8")));
  CHECK(validate(s).ok());
}

TEST_CASE("add filter errors") {
  PolicySet s;
  run_ok("add filter L me any", s);
  auto err = [&](const char* line, const char* code) { return run_err(line, s, code); };
  CHECK(err("add filter L me any", "failed") ==
        "line 1: add filter: filter list 'L' already has the filter me <-> any");
  CHECK(err("add filter L srcaddr=10.0.0.300 dstaddr=any", "usage") ==
        "line 1: add filter: srcaddr=10.0.0.300: '10.0.0.300' is not a valid IPv4 or IPv6 address");
  CHECK(contains(err("add filter L me WINS", "usage"), "dstaddr=WINS: the server keyword 'WINS' is not supported"));
  CHECK(contains(err("add filter L me 10.0.0.1 dstmask=255.0.255.0", "usage"),
                 "dstmask=255.0.255.0: '255.0.255.0' is not a contiguous mask"));
  CHECK(contains(err("add filter L me 10.0.0.1 dstmask=33", "usage"), "prefix length 1..32"));
  CHECK(contains(err("add filter L me 10.0.0.1 dstmask=24", "usage"), "bits set outside its /24 mask"));
  CHECK(contains(err("add filter L me 10.0.0.0/8 dstmask=8", "usage"), "the prefix is given twice"));
  CHECK(contains(err("add filter L me any srcmask=24", "usage"), "'me' is a single host"));
  CHECK(contains(err("add filter L me any protocol=icmp dstport=80", "usage"),
                 "dstport=80: ports apply only to protocol TCP or UDP"));
  CHECK(contains(err("add filter L me any srcport=80", "usage"), "ports apply only to protocol TCP or UDP"));
  CHECK(contains(err("add filter L me any protocol=tcp dstport=65536", "usage"), "is not a port"));
  CHECK(contains(err("add filter L 10.0.0.1 2001:db8::1", "usage"), "different address families"));
  CHECK(contains(err("add filter L me me", "usage"), "source and destination are the same (me)"));
  CHECK(contains(err("add filter L me nowhere.example.net", "failed"),
                 "dstaddr=nowhere.example.net: DNS name lookup failed"));
  CHECK(contains(err("add filter L me any mirrored=perhaps", "usage"), "mirrored=perhaps"));
  CHECK(contains(err("add filter filterlist=L srcaddr=me", "usage"), "the required parameter dstaddr is missing"));
  CHECK(
      contains(err("add filter L me any s=1", "usage"), "tag 's' is ambiguous: it could be srcaddr, srcmask, srcport"));

  // Without a resolver, DNS names are refused rather than looked up.
  NetshOptions no_dns = options();
  no_dns.resolve = nullptr;
  auto r = run_netsh_script("add filter L me db.example.net", s, no_dns);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "failed");
  CHECK(contains(r.error().message, "no resolver"));
}

TEST_CASE("delete filter deletes the exact match only") {
  PolicySet s;
  run_ok(
      "add filter L me any\n"
      "add filter L me any protocol=tcp dstport=80\n"
      "add filter L me any protocol=tcp dstport=80 mirrored=no\n"
      "add filter L me db.example.net",
      s);
  run_ok("delete filter L me any protocol=tcp dstport=80", s);
  const auto* fs = &s.filter_lists.at(0).filters;
  REQUIRE(fs->size() == 3);
  CHECK((*fs)[0].protocol == 0);
  CHECK_FALSE((*fs)[1].mirrored);
  // DNS names match by name, without a lookup.
  NetshOptions no_dns = options();
  no_dns.resolve = nullptr;
  REQUIRE(run_netsh_script("delete filter filterlist=L srcaddr=me dstaddr=DB.example.net", s, no_dns).ok());
  fs = &s.filter_lists.at(0).filters;  // the run replaced the set
  CHECK(fs->size() == 2);
  CHECK(contains(run_err("delete filter L me any protocol=udp", s, "failed"),
                 "filter list 'L' has no filter me <-> any protocol 17"));
  CHECK(contains(run_err("delete filter X me any", s, "failed"), "filter list 'X' does not exist"));
  CHECK(contains(run_err("delete filter L me any description=x", s, "usage"), "unknown tag 'description'"));
}

TEST_CASE("set filterlist renames and the rules follow") {
  reset_ids();
  PolicySet s;
  run_ok("add policy P\nadd filter L me any\nadd filteraction A\nadd rule R P L A", s);
  run_ok("set filterlist name=L newname=\"All Mine\" description=d", s);
  CHECK(s.filter_lists.at(0).name == "All Mine");
  CHECK(s.filter_lists[0].description == "d");
  CHECK(s.policies[0].rules[0].filter_list == "All Mine");
  CHECK(validate(s).ok());
  run_ok("add filterlist Other", s);
  CHECK(contains(run_err("set filterlist Other newname=\"All Mine\"", s, "failed"),
                 "filter list 'All Mine' already exists"));
  CHECK(contains(run_err("set filterlist Nope description=x", s, "failed"), "filter list name='Nope' does not exist"));
  run_ok("set filterlist guid={00000000-0000-4000-8000-000000000002} description=byguid", s);
  CHECK(s.filter_lists[0].description == "byguid");
}

TEST_CASE("delete filterlist: in use is an error naming the rule; all keeps the used ones") {
  PolicySet s;
  run_ok("add policy P\nadd filter L me any\nadd filteraction A\nadd rule R P L A\nadd filterlist Free", s);
  CHECK(run_err("delete filterlist L", s, "failed") ==
        "line 1: delete filterlist: filter list 'L' is in use by rule 'R' of policy 'P'; delete or change the rule "
        "first");
  CHECK(contains(run_err("delete filterlist Nope", s, "failed"), "filter list 'Nope' does not exist"));
  auto out = run_ok("delete filterlist all", s);
  REQUIRE(s.filter_lists.size() == 1);
  CHECK(s.filter_lists[0].name == "L");
  CHECK(out.steps[0].summary == "deleted 1 filter list(s); kept (used by rules): L");
  run_ok("delete rule R P\ndelete filterlist name=L", s);
  CHECK(s.filter_lists.empty());
}
