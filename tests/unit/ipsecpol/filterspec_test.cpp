// FilterSpec grammar (windows-cli.md §1.5).
#include "support.h"

using namespace ipsecpol_test;

namespace {

Result<FilterSpec> fs(std::string_view text, const Resolver& r = no_dns(), DnsResolution dns = DnsResolution::first,
                      bool main_mode = false) {
  FilterSpecContext ctx;
  ctx.resolver = r;
  ctx.dns = dns;
  ctx.position = 2;
  ctx.main_mode = main_mode;
  return parse_filterspec(text, ctx);
}

Filter must(std::string_view text, const Resolver& r = no_dns(), DnsResolution dns = DnsResolution::first) {
  auto f = fs(text, r, dns);
  if (!f) FAIL_CHECK(text, " -> ", f.error().message);
  REQUIRE(f.ok());
  return f->filter;
}

}  // namespace

TEST_CASE("filterspec: the documented examples") {
  FakeDns dns;
  // Machine1+Machine2::6: TCP both ways between two hosts
  CHECK(must("Machine1+Machine2::6", dns.resolver()) ==
        filter(Address::dns("Machine1", {ip("10.0.0.1")}), Address::dns("Machine2", {ip("10.0.0.2")}), true, 6));
  // 172.31.0.0/255.255.0.0:80=157.0.0.0/255.0.0.0:80:TCP
  CHECK(must("172.31.0.0/255.255.0.0:80=157.0.0.0/255.0.0.0:80:TCP") ==
        filter(net("172.31.0.0/16"), net("157.0.0.0/8"), false, 6, 80, 80));
  // (0+128.2.1.1): two exempt filters (one mirrored filter, pass-through)
  auto pass = fs("(0+128.2.1.1)");
  REQUIRE(pass);
  CHECK(pass->action == FilterSpecAction::permit);
  CHECK(pass->filter == filter(Address::me(), host("128.2.1.1"), true));
  // *=0:1434:UDP: any -> me, destination UDP 1434
  CHECK(must("*=0:1434:UDP") == filter(Address::any(), Address::me(), false, 17, 0, 1434));
  // [*=0:80:TCP]: block
  auto block = fs("[*=0:80:TCP]");
  REQUIRE(block);
  CHECK(block->action == FilterSpecAction::block);
  CHECK(block->filter == filter(Address::any(), Address::me(), false, 6, 0, 80));
  // 0+*::UDP, 0+*, 0=*:1434:UDP
  CHECK(must("0+*::UDP") == filter(Address::me(), Address::any(), true, 17));
  CHECK(must("0+*") == filter(Address::me(), Address::any(), true));
  CHECK(must("0=*:1434:UDP") == filter(Address::me(), Address::any(), false, 17, 0, 1434));
  CHECK(must("10.1.1.0/255.255.255.0=10.2.2.0/255.255.255.0") == filter(net("10.1.1.0/24"), net("10.2.2.0/24"), false));
}

TEST_CASE("filterspec: address forms") {
  SUBCASE("0 and * by their first character") {
    CHECK(must("0.0.0.0+*").src == Address::me());  // 0.0.0.0 is "me", not any
    CHECK(must("0/255.0.0.0+*").src == Address::me());
    CHECK(must("*/255.255.255.0=0").src == Address::any());
    CHECK(must("*.*=0").src == Address::any());
  }
  SUBCASE("hosts and masks") {
    CHECK(must("192.0.2.1=*").src == host("192.0.2.1"));
    CHECK(must("192.0.2.1/255.255.255.255=*").src == host("192.0.2.1"));
    CHECK(must("192.0.2.77/255.255.255.0=*").src == net("192.0.2.0/24"));  // host bits cleared
    CHECK(must("10.0.0.0/0.0.0.0=*").src == net("0.0.0.0/0"));
  }
  SUBCASE("star forms imply the mask") {
    CHECK(must("128.*=0").src == net("128.0.0.0/8"));
    CHECK(must("128.*.*=0").src == net("128.0.0.0/8"));
    CHECK(must("128.*.*.*=0").src == net("128.0.0.0/8"));
    CHECK(must("144.92.*.*=0").src == net("144.92.0.0/16"));
    CHECK(must("10.1.2.*=0").src == net("10.1.2.0/24"));
    CHECK(must("144.92.*/255.255.255.0=0").src == net("144.92.0.0/24"));  // an explicit mask wins
  }
  SUBCASE("ports and protocols") {
    CHECK(must("0:500+*::UDP") == filter(Address::me(), Address::any(), true, 17, 500, 0));
    CHECK(must("0+*::icmp").protocol == 1);
    CHECK(must("0+*::Tcp").protocol == 6);
    CHECK(must("0+*::raw").protocol == 255);
    CHECK(must("0+*::47").protocol == 47);
    CHECK(must("0+*::0").protocol == 0);
    CHECK(must("0+*:80:").protocol == 0);  // empty protocol: any (atol(""))
    CHECK(must("0+*:0:255").protocol == 255);
    CHECK(must("0:1701=*:1701:17") == filter(Address::me(), Address::any(), false, 17, 1701, 1701));
  }
  SUBCASE("DEFAULT") {
    auto d = fs("default");
    REQUIRE(d);
    CHECK(d->is_default);
    CHECK(d->filter.src == Address::me());
    CHECK(d->filter.dst == Address::me());
  }
}

TEST_CASE("filterspec: DNS names are resolved at once through the injected resolver") {
  FakeDns dns;
  auto first = must("gw.example=0", dns.resolver(), DnsResolution::first);
  CHECK(first.src == Address::dns("gw.example", {ip("198.51.100.7")}));
  auto all = must("gw.example=0", dns.resolver(), DnsResolution::all);
  // all IPv4 addresses (gethostbyname returns A records only)
  CHECK(all.src == Address::dns("gw.example", {ip("198.51.100.7"), ip("198.51.100.8")}));
  CHECK(dns.lookups == 2);
  // the mask of a DNS name is ignored: one filter per host
  CHECK(must("corp.example/255.255.0.0=0", dns.resolver()).src == Address::dns("corp.example", {ip("192.0.2.10")}));
  // any letter makes a DNS name
  auto bad = fs("10.1.1.1a=0", dns.resolver());
  REQUIRE_FALSE(bad);
  check_error(bad.error(), 0x7, 2, {"Error 0x7 occurred: ", "DNS name lookup failed.", "\"10.1.1.1a\""});
  auto v6 = fs("v6only.example+0", dns.resolver());
  REQUIRE_FALSE(v6);
  check_error(v6.error(), 0x7, 2, {"DNS name lookup failed."});
  // no resolver: every name fails
  auto none = fs("host.example+0", Resolver{});
  REQUIRE_FALSE(none);
  CHECK(none.error().proto == 0x7);
}

TEST_CASE("filterspec: errors carry the message id, the token and its position") {
  struct Case {
    const char* text;
    std::int64_t proto;
    std::vector<std::string_view> parts;
  };
  const Case cases[] = {
      {"(0+*", 0x3, {"Error 0x3 occurred: ", "\"(0+*\" (argument 2)", "not closed"}},
      {"[0+*", 0x4, {"Error 0x4 occurred: ", "\"[0+*\" (argument 2)", "not closed"}},
      {"x(0+*)", 0x3, {"not closed properly"}},
      {"[0+*)", 0x4, {"not closed properly"}},
      {"10.1.1.1-10.2.2.2",
       0x5,
       {"Error 0x5 occurred: source and destination of filter \"10.1.1.1-10.2.2.2\" (argument 2) are not separated by "
        "'=' or '+'"}},
      {"0+", 0x1a, {"Error 0x1a occurred: No destination address specified", "\"0+\" (argument 2)"}},
      {"10.1.1=*", 0x8, {"Error 0x8 occurred: Invalid IPv4 notation for address.", "\"10.1.1\""}},
      {"10.1.1.256=*", 0x8, {"Invalid IPv4 notation"}},
      {"=*", 0x8, {"missing"}},
      {"10.0.0.0/24=*", 0x8, {"\"/24\"", "not dotted", "prefix length is not accepted"}},
      {"10.0.0.0/255.0.255.0=*", 0x8, {"not contiguous"}},
      {"10.0.0.0/255.255=*", 0x8, {"Bad mask"}},
      {"1.*.3.4=*", 0x8, {"star notation"}},
      {"{12345678-1234-1234-1234-123456789ABC}+*", 0x8, {"not supported on this platform"}},
      {"0+1.2.3.4:80", 0x8, {"has a port but no protocol", "1.2.3.4:80:PROTOCOL"}},
      {"0+*::FOO", 0x9, {"Error 0x9 occurred: ", "\"FOO\"", "ICMP, UDP, TCP, RAW"}},
      {"0+*::256", 0x9, {"\"256\""}},
      {"0:http+*", 0xc, {"invalid port \"http\""}},
      {"0:70000+*", 0xc, {"invalid port"}},
      {"2001:db8::1+*", 0x8, {"no IPv6"}},
  };
  FakeDns dns;
  for (const auto& c : cases) {
    INFO(c.text);
    auto f = fs(c.text, dns.resolver());
    REQUIRE_FALSE(f);
    CHECK(f.error().code == "usage");
    CHECK(f.error().proto == c.proto);
    CHECK(f.error().position == 2);
    for (auto p : c.parts) {
      INFO(f.error().message);
      CHECK(f.error().message.find(p) != std::string::npos);
    }
  }
}

TEST_CASE("filterspec: main-mode filters (-1f) take no wrappers, ports or protocols") {
  auto ok = fs("10.0.0.0/255.0.0.0+*", no_dns(), DnsResolution::first, true);
  REQUIRE(ok);
  CHECK(ok->filter == filter(net("10.0.0.0/8"), Address::any(), true));
  for (const char* bad : {"(0+*)", "[0+*]", "0:80+*", "0+*::TCP"}) {
    INFO(bad);
    auto f = fs(bad, no_dns(), DnsResolution::first, true);
    REQUIRE_FALSE(f);
    CHECK(f.error().proto == 0xc);
  }
  // DEFAULT is no keyword there
  auto d = fs("DEFAULT", no_dns(), DnsResolution::first, true);
  REQUIRE_FALSE(d);
  CHECK(d.error().proto == 0x5);
}

TEST_CASE("tunnel endpoints") {
  FakeDns dns;
  CHECK(*parse_tunnel_endpoint("198.51.100.2", dns.resolver(), 4) == host("198.51.100.2"));
  CHECK(*parse_tunnel_endpoint("0", dns.resolver(), 4) == Address::me());
  CHECK(*parse_tunnel_endpoint("0.0.0.0", dns.resolver(), 4) == Address::me());
  CHECK(*parse_tunnel_endpoint("gw.example", dns.resolver(), 4) == Address::dns("gw.example", {ip("198.51.100.7")}));
  auto bad = parse_tunnel_endpoint("*", dns.resolver(), 4);
  REQUIRE_FALSE(bad);
  check_error(bad.error(), 0x8, 4, {"\"*\" (argument 4)"});
  auto nx = parse_tunnel_endpoint("nowhere.example", dns.resolver(), 4);
  REQUIRE_FALSE(nx);
  check_error(nx.error(), 0x7, 4, {"DNS name lookup failed."});
}

TEST_CASE("filterspec: formatting reads back") {
  FakeDns dns;
  const char* specs[] = {"0+*",
                         "0=*:1434:UDP",
                         "*=0:80:TCP",
                         "0+*::UDP",
                         "0:500+*::UDP",
                         "192.0.2.0/255.255.255.0=203.0.113.0/255.255.255.0",
                         "192.0.2.1+198.51.100.2::ICMP",
                         "gw.example=0::47",
                         "0+*:80:0"};
  for (const char* s : specs) {
    INFO(s);
    Filter f = must(s, dns.resolver(), DnsResolution::all);
    auto text = format_filterspec(f);
    REQUIRE(text);
    CHECK(must(*text, dns.resolver(), DnsResolution::all) == f);
  }
  CHECK(*format_filterspec(filter(net("128.0.0.0/8"), Address::me(), false)) == "128.0.0.0/255.0.0.0=0");
  CHECK_FALSE(format_filterspec(filter(host("2001:db8::1"), Address::any(), true)));
  CHECK_FALSE(format_filterspec(filter(host("0.1.2.3"), Address::any(), true)));  // would read as "me"
  CHECK_FALSE(format_filterspec(filter(Address::dns("10.0.0.1", {ip("10.0.0.1")}), Address::any(), true)));
  CHECK(format_protocol(17) == "UDP");
  CHECK(format_protocol(50) == "50");
}
