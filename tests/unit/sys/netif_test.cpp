#include <doctest/doctest.h>

#include <algorithm>

#include "sys/netif.h"

using namespace ipseckit;
using namespace ipseckit::sys;

namespace {
wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse(s); }
}  // namespace

TEST_CASE("counts_as_me: loopback and link-local by address, never by interface") {
  CHECK(counts_as_me(ip("198.51.100.12")));  // e.g. a /32 on lo: still this host's address
  CHECK(counts_as_me(ip("2001:db8::1")));
  CHECK_FALSE(counts_as_me(ip("127.0.0.1")));
  CHECK_FALSE(counts_as_me(ip("127.255.0.9")));
  CHECK_FALSE(counts_as_me(ip("::1")));
  CHECK_FALSE(counts_as_me(ip("fe80::1")));
  CHECK(counts_as_me(ip("fec0::1")));  // outside fe80::/10
  CHECK(counts_as_me(ip("128.0.0.1")));
  LocalAddressOptions all{true, true};
  CHECK(counts_as_me(ip("127.0.0.1"), all));
  CHECK(counts_as_me(ip("::1"), all));
  CHECK(counts_as_me(ip("fe80::1"), all));
}

TEST_CASE("local_addresses: what it lists counts as me, sorted, unique") {
  const auto v = local_addresses();
  CHECK(std::is_sorted(v.begin(), v.end()));
  CHECK(std::adjacent_find(v.begin(), v.end()) == v.end());
  for (const auto& a : v) CHECK(counts_as_me(a));
  const auto with_lo = local_addresses(LocalAddressOptions{true, false});
  for (const auto& a : with_lo) CHECK(counts_as_me(a, LocalAddressOptions{true, false}));
  CHECK(with_lo.size() >= v.size());
}
