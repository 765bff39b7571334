// The classifier must return exactly what the linear first-match scan returns.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "policy/spd_classifier.h"
#include "policy/spd_weight.h"
#include "spd_test_util.h"

using namespace spdtest;

namespace {

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : m_rng(seed) {}

  std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(m_rng() % n); }
  bool chance(unsigned percent) { return pick(100) < percent; }

  wire::IpAddr addr(bool v6) {
    if (!v6) {
      static const std::uint32_t bases[] = {0x0A000000u, 0x0A010000u, 0x0A010200u, 0xC0000200u, 0xC6336400u, 0xE0000000u};
      const std::uint32_t base = chance(80) ? bases[pick(6)] : static_cast<std::uint32_t>(m_rng());
      return wire::IpAddr::v4(base | (chance(50) ? pick(256) : pick(4)) | (chance(20) ? pick(65536) << 8 : 0u));
    }
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    if (chance(20)) b[0] = static_cast<std::uint8_t>(pick(256));
    b[5] = static_cast<std::uint8_t>(pick(3));
    b[15] = static_cast<std::uint8_t>(pick(4));
    if (chance(20)) b[9] = static_cast<std::uint8_t>(pick(256));
    return wire::IpAddr::v6(b);
  }

  std::uint8_t len(bool v6) {
    static const std::uint8_t l4[] = {0, 8, 16, 24, 32, 30, 31};
    static const std::uint8_t l6[] = {0, 32, 48, 64, 127, 128};
    if (chance(25)) return static_cast<std::uint8_t>(pick(v6 ? 129 : 33));
    return v6 ? l6[pick(6)] : l4[pick(7)];
  }

  SpdAddr side(bool v6) {
    const std::uint8_t l = len(v6);
    const wire::IpAddr a = addr(v6);
    // A few prefixes keep host bits past their length: they can never match.
    return SpdAddr{wire::IpPrefix{chance(3) ? a : a.masked(l), l}, chance(10)};
  }

  std::uint8_t proto() {
    static const std::uint8_t p[] = {0, 0, 0, 6, 6, 17, 17, 1, 58, 50};
    return chance(5) ? static_cast<std::uint8_t>(pick(256)) : p[pick(10)];
  }
  std::uint16_t port(unsigned specific_percent) {
    static const std::uint16_t p[] = {53, 80, 443, 500, 1701, 4500};
    if (!chance(specific_percent)) return 0;
    return chance(80) ? p[pick(6)] : static_cast<std::uint16_t>(1 + pick(65535));
  }

  SpdFilter filter() {
    SpdFilter f;
    const bool v6 = chance(25);
    f.src = side(v6);
    f.dst = side(chance(2) ? !v6 : v6);  // a few mixed-family filters: never match
    f.protocol = proto();
    f.src_port = port(20);
    f.dst_port = port(35);
    if (chance(5)) f.tunnel = SpdAddr::of(wire::IpPrefix::host(addr(v6)));
    f.weight = qm_filter_weight(f);
    return f;
  }

  std::vector<SpdFilter> filters(std::size_t n, bool sort) {
    std::vector<SpdFilter> v;
    for (std::size_t i = 0; i < n; ++i) {
      // Duplicates of earlier filters, to exercise first-index-wins.
      if (!v.empty() && chance(5)) v.push_back(v[pick(static_cast<std::uint32_t>(v.size()))]);
      else v.push_back(filter());
    }
    if (sort)
      std::stable_sort(v.begin(), v.end(), [](const SpdFilter& a, const SpdFilter& b) { return a.weight > b.weight; });
    return v;
  }

  wire::IpAddr inside(const wire::IpPrefix& p) {
    const wire::IpAddr r = addr(p.addr.is_v6());
    auto out = p.addr.bytes();
    const auto rb = r.bytes();
    const unsigned width = static_cast<unsigned>(p.addr.bit_width());
    for (unsigned i = std::min<unsigned>(p.len, width); i < width; ++i) {
      const auto bit = static_cast<std::uint8_t>(0x80u >> (i % 8));
      out[i / 8] = static_cast<std::uint8_t>((out[i / 8] & ~bit) | (rb[i / 8] & bit));
    }
    if (p.addr.is_v4())
      return wire::IpAddr::v4((std::uint32_t{out[0]} << 24) | (std::uint32_t{out[1]} << 16) | (std::uint32_t{out[2]} << 8) | out[3]);
    return wire::IpAddr::v6(out);
  }

  wire::FiveTuple packet(const std::vector<SpdFilter>& set) {
    wire::FiveTuple t;
    if (!set.empty() && chance(60)) {
      const SpdFilter& f = set[pick(static_cast<std::uint32_t>(set.size()))];
      t.src = inside(f.src.prefix);
      t.dst = inside(f.dst.prefix);
      t.protocol = f.protocol ? f.protocol : proto();
      t.src_port = f.src_port ? f.src_port : port(50);
      t.dst_port = f.dst_port ? f.dst_port : port(50);
      if (chance(5)) t.src_port = 0;
      return t;
    }
    const bool v6 = chance(25);
    t.src = addr(v6);
    t.dst = addr(chance(2) ? !v6 : v6);
    t.protocol = chance(10) ? 0 : proto();
    t.src_port = port(50);
    t.dst_port = port(50);
    return t;
  }

 private:
  std::mt19937_64 m_rng;
};

// Returns how many packets matched some filter (the generator must produce hits).
int check_same(const std::vector<SpdFilter>& set, Gen& g, int packets) {
  const Classifier c(set);
  REQUIRE(c.size() == set.size());
  int matched = 0;
  for (int i = 0; i < packets; ++i) {
    const wire::FiveTuple t = g.packet(set);
    const std::uint32_t want = lookup_linear(set, t);
    const std::uint32_t got = c.lookup(t);
    if (want != got) {
      FAIL_CHECK("mismatch for ", t.src.str(), " -> ", t.dst.str(), " proto ", int{t.protocol}, " ports ", t.src_port,
                 "/", t.dst_port, ": linear ", want, ", classifier ", got, " (", set.size(), " filters)");
      return matched;
    }
    matched += want != Classifier::npos;
  }
  return matched;
}

SpdFilter simple(const char* src, const char* dst, std::uint8_t proto = 0, std::uint16_t sp = 0, std::uint16_t dp = 0) {
  SpdFilter f;
  f.src = SpdAddr::of(pfx(src));
  f.dst = SpdAddr::of(pfx(dst));
  f.protocol = proto;
  f.src_port = sp;
  f.dst_port = dp;
  f.weight = qm_filter_weight(f);
  return f;
}

wire::FiveTuple tuple(const char* s, const char* d, std::uint8_t proto = 6, std::uint16_t sp = 1000, std::uint16_t dp = 80) {
  return wire::FiveTuple{ip(s), ip(d), proto, sp, dp};
}

}  // namespace

TEST_CASE("classifier == linear on thousands of small random filter sets") {
  Gen g(1);
  int matched = 0;
  for (int set = 0; set < 3000; ++set) {
    const auto filters = g.filters(1 + g.pick(64), set % 2 == 0);
    matched += check_same(filters, g, 100);
  }
  CHECK(matched > 3000 * 100 / 4);
}

TEST_CASE("classifier == linear on larger random filter sets") {
  Gen g(2);
  int matched = 0;
  for (int set = 0; set < 40; ++set) matched += check_same(g.filters(200 + g.pick(800), set % 4 != 0), g, 1000);
  for (int set = 0; set < 3; ++set) matched += check_same(g.filters(5000, true), g, 3000);
  CHECK(matched > (40 * 1000 + 3 * 3000) / 4);
}

TEST_CASE("classifier == linear with more than 4096 tuple shapes (the word-by-word path)") {
  Gen g(4);
  std::vector<SpdFilter> v;
  for (unsigned sl = 0; sl <= 32; ++sl)
    for (unsigned dl = 0; dl <= 32; ++dl)
      for (std::uint8_t proto : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{6}, std::uint8_t{17}}) {
        SpdFilter f;
        f.src = SpdAddr::of(wire::IpPrefix{g.addr(false).masked(sl), static_cast<std::uint8_t>(sl)});
        f.dst = SpdAddr::of(wire::IpPrefix{g.addr(false).masked(dl), static_cast<std::uint8_t>(dl)});
        f.protocol = proto;
        f.weight = qm_filter_weight(f);
        v.push_back(f);
      }
  std::stable_sort(v.begin(), v.end(), [](const SpdFilter& a, const SpdFilter& b) { return a.weight > b.weight; });
  REQUIRE(Classifier(v).tuple_count() > 4096);
  CHECK(check_same(v, g, 4000) > 1000);
}

TEST_CASE("classifier == linear on compiled random policies") {
  Gen g(3);
  for (int n = 0; n < 30; ++n) {
    SetBuilder b;
    std::vector<Filter> fs;
    for (int i = 0; i < 40; ++i) {
      auto side = [&]() -> Address {
        switch (g.pick(4)) {
          case 0: return Address::me();
          case 1: return Address::any();
          default: {
            const bool v6 = g.chance(20);
            const auto l = g.len(v6);
            return Address::subnet(wire::IpPrefix{g.addr(v6).masked(l), l});
          }
        }
      };
      Address s = side(), d = side();
      if (s.kind == AddrKind::subnet && d.kind == AddrKind::subnet && s.prefix.addr.is_v6() != d.prefix.addr.is_v6()) d = Address::any();
      const std::uint8_t proto = g.chance(50) ? 6 : 0;
      fs.push_back(filt(s, d, proto, proto ? g.port(20) : 0, proto ? g.port(40) : 0, g.chance(50)));
    }
    b.list("l1", {fs.begin(), fs.begin() + 20}).list("l2", {fs.begin() + 20, fs.end()});
    b.action("p", ActionType::permit).action("d", ActionType::block);
    b.rule("P", "r1", "l1", "p");
    b.rule("P", "r2", "l2", "d");
    const auto spd = compile(b.set, "P", {ip("10.1.2.3"), ip("192.0.2.77"), ip("2001:db8::1")});
    CHECK(check_same(spd.specific, g, 2000) > 0);
  }
}

TEST_CASE("classifier edge cases") {
  SUBCASE("empty") {
    const Classifier c(std::vector<SpdFilter>{});
    CHECK(c.lookup(tuple("10.0.0.1", "10.0.0.2")) == Classifier::npos);
    const Classifier d;
    CHECK(d.lookup(tuple("10.0.0.1", "10.0.0.2")) == Classifier::npos);
    CHECK(d.size() == 0);
  }
  SUBCASE("protocol 0 and port 0") {
    const std::vector<SpdFilter> v = {simple("10.0.0.0/8", "0.0.0.0/0", 6, 0, 80), simple("10.0.0.0/8", "0.0.0.0/0", 0, 0, 0)};
    const Classifier c(v);
    CHECK(c.lookup(tuple("10.1.1.1", "192.0.2.1", 6, 1000, 80)) == 0);
    CHECK(c.lookup(tuple("10.1.1.1", "192.0.2.1", 6, 1000, 81)) == 1);
    CHECK(c.lookup(tuple("10.1.1.1", "192.0.2.1", 17, 1000, 80)) == 1);
    CHECK(c.lookup(tuple("10.1.1.1", "192.0.2.1", 6, 0, 0)) == 1);   // no ports: not the port-80 filter
    CHECK(c.lookup(tuple("10.1.1.1", "192.0.2.1", 0, 0, 80)) == 1);  // protocol 0 packet: only "any"
    CHECK(c.lookup(tuple("11.1.1.1", "192.0.2.1")) == Classifier::npos);
  }
  SUBCASE("host bits past the prefix length never match") {
    std::vector<SpdFilter> v = {simple("10.0.0.0/8", "0.0.0.0/0")};
    v[0].src.prefix = wire::IpPrefix{ip("10.1.2.3"), 8};
    const Classifier c(v);
    CHECK(lookup_linear(v, tuple("10.1.2.3", "1.2.3.4")) == Classifier::npos);
    CHECK(c.lookup(tuple("10.1.2.3", "1.2.3.4")) == Classifier::npos);
  }
  SUBCASE("families never mix") {
    const std::vector<SpdFilter> v = {simple("0.0.0.0/0", "0.0.0.0/0"), simple("::/0", "::/0"), simple("0.0.0.0/0", "::/0")};
    const Classifier c(v);
    CHECK(c.lookup(tuple("10.0.0.1", "10.0.0.2")) == 0);
    CHECK(c.lookup(tuple("2001:db8::1", "2001:db8::2")) == 1);
    CHECK(c.lookup(tuple("10.0.0.1", "2001:db8::2")) == Classifier::npos);
    CHECK(lookup_linear(v, tuple("10.0.0.1", "2001:db8::2")) == Classifier::npos);
  }
  SUBCASE("duplicates: the first wins; more specific later filters still win when earlier in the list") {
    const std::vector<SpdFilter> v = {simple("10.0.0.0/8", "0.0.0.0/0"), simple("10.1.0.0/16", "0.0.0.0/0"),
                                      simple("10.0.0.0/8", "0.0.0.0/0")};
    const Classifier c(v);
    CHECK(c.lookup(tuple("10.1.0.1", "1.1.1.1")) == 0);
    const std::vector<SpdFilter> w = {simple("10.1.0.0/16", "0.0.0.0/0"), simple("10.0.0.0/8", "0.0.0.0/0")};
    CHECK(Classifier(w).lookup(tuple("10.1.0.1", "1.1.1.1")) == 0);
    CHECK(Classifier(w).lookup(tuple("10.2.0.1", "1.1.1.1")) == 1);
  }
  SUBCASE("extreme addresses and full-length prefixes") {
    const std::vector<SpdFilter> v = {simple("255.255.255.255/32", "0.0.0.0/32"), simple("128.0.0.0/1", "0.0.0.0/1"),
                                      simple("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128")};
    const Classifier c(v);
    CHECK(c.lookup(tuple("255.255.255.255", "0.0.0.0")) == 0);
    CHECK(c.lookup(tuple("255.255.255.254", "0.0.0.1")) == 1);
    CHECK(c.lookup(tuple("127.255.255.255", "0.0.0.1")) == Classifier::npos);
    CHECK(c.lookup(tuple("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::")) == 2);
    CHECK(c.lookup(tuple("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::")) == Classifier::npos);
  }
}

TEST_CASE("SpdMatcher re-resolves me") {
  SetBuilder b;
  b.list("l", {filt(Address::me(), Address::any(), 6, 0, 22)}).action("d", ActionType::block);
  b.rule("P", "r", "l", "d");
  SpdMatcher m(compile(b.set, "P", {ip("192.0.2.10")}));
  const auto ssh_from = [](const char* src) { return wire::FiveTuple{ip(src), ip("203.0.113.9"), 6, 40000, 22}; };
  REQUIRE(m.lookup(ssh_from("192.0.2.10")) != nullptr);
  CHECK(m.lookup(ssh_from("192.0.2.10"))->action == ActionType::block);
  CHECK(m.lookup(ssh_from("192.0.2.11")) == nullptr);
  m.set_addresses({ip("192.0.2.11")});
  CHECK(m.lookup(ssh_from("192.0.2.10")) == nullptr);
  CHECK(m.lookup(ssh_from("192.0.2.11")) != nullptr);
  CHECK(m.classifier().size() == m.spd().specific.size());
}
