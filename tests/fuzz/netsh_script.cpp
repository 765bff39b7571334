// Fuzz target: bytes -> run_netsh_script on an empty and on the built-in PolicySet.
// Beyond "no crash, no sanitizer report" it checks the runner's promises: a failed script
// leaves the set untouched, and what a successful script leaves passes policy::validate.
#include "policy/netsh_script.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/defaults.h"

using namespace ipseckit;
using namespace ipseckit::policy;

namespace {

NetshOptions fuzz_options() {
  NetshOptions o;
  auto n = std::make_shared<std::uint64_t>(0);
  o.new_id = [n] { return "{FUZZ-" + std::to_string(++*n) + "}"; };
  o.now = 1;
  // Names ending in ".test" resolve (".v6.test" to IPv6); nothing touches the network.
  o.resolve = [](const std::string& name) {
    std::vector<wire::IpAddr> out;
    if (name.ends_with(".v6.test"))
      out.push_back(*wire::IpAddr::parse("2001:db8::7"));
    else if (name.ends_with(".test"))
      out.push_back(*wire::IpAddr::parse("192.0.2.7"));
    return out;
  };
  return o;
}

void check(PolicySet set, std::string_view text) {
  const PolicySet before = set;
  auto r = run_netsh_script(text, set, fuzz_options());
  if (!r.ok()) {
    if (!(set == before)) {
      std::fprintf(stderr, "failed script changed the set: %s\n", r.error().message.c_str());
      std::abort();
    }
    if (r.error().code != "usage" && r.error().code != "failed") std::abort();
    if (r.error().position < 0 || static_cast<std::size_t>(r.error().position) > text.size()) std::abort();
    return;
  }
  if (auto v = validate(set); !v.ok()) {
    std::fprintf(stderr, "script produced an invalid set: %s\n", v.error().message.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const PolicySet kBuiltin = builtin_policies();
  const std::string text(data, data + size);
  check(PolicySet{}, text);
  check(kBuiltin, text);
  return 0;
}
