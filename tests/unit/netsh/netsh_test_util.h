// Shared by the netsh unit tests: deterministic ids and clock, a fake resolver.
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>
#include <string_view>

#include "policy/netsh_script.h"

namespace netsh_test {

using namespace ipseckit;
using namespace ipseckit::policy;

inline constexpr std::int64_t kNow = 1'700'000'000;

// Ids "{00000000-0000-4000-8000-000000000001}", "...2", ... in creation order, unique in the
// test binary until reset_ids(); a fixed clock; DNS names from a fixed table (never the network).
inline int& id_counter() {
  static int n = 0;
  return n;
}
inline void reset_ids() {
  id_counter() = 0;
}
inline NetshOptions options() {
  NetshOptions o;
  o.new_id = [] { return fmt::format("{{00000000-0000-4000-8000-{:012}}}", ++id_counter()); };
  o.now = kNow;
  o.resolve = [](const std::string& name) {
    static const std::map<std::string, std::vector<wire::IpAddr>> kZone{
        {"gw-b.example.net", {*wire::IpAddr::parse("198.51.100.1")}},
        {"db.example.net", {*wire::IpAddr::parse("10.2.0.5"), *wire::IpAddr::parse("2001:db8::5")}},
    };
    auto it = kZone.find(name);
    return it == kZone.end() ? std::vector<wire::IpAddr>{} : it->second;
  };
  return o;
}

// Runs `script` and requires success.
inline NetshOutcome run_ok(std::string_view script, PolicySet& set) {
  auto r = run_netsh_script(script, set, options());
  INFO(script);
  if (!r) FAIL_CHECK(r.error().message);
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Runs `script`, requires failure with `code`, and leaves the set untouched; returns the message.
inline std::string run_err(std::string_view script, PolicySet& set, std::string_view code) {
  const PolicySet before = set;
  auto r = run_netsh_script(script, set, options());
  INFO(script);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(set == before);
  return r.error().message;
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline wire::IpPrefix prefix(std::string_view s) {
  return *wire::IpPrefix::parse(s);
}

}  // namespace netsh_test
