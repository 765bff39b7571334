// Fuzz target: the JSON import (policy_set_from_text). Any input either fails with an error
// or yields a valid set whose canonical export parses back to the same set and re-exports
// byte-identically (the round-trip property the JSON form promises).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = ipseckit::policy::policy_set_from_text(text);
  if (!set.ok()) {
    if (set.error().message.empty()) std::abort();  // every error must say something
    return 0;
  }
  if (!ipseckit::policy::validate(*set).ok()) std::abort();
  std::string once = ipseckit::policy::to_json_text(*set);
  auto back = ipseckit::policy::policy_set_from_text(once);
  if (!back.ok()) std::abort();
  if (ipseckit::policy::to_json_text(*back) != once) std::abort();
  return 0;
}
