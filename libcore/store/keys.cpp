#include "store/keys.h"

#include <array>
#include <string>

namespace ipseckit::store {
namespace {

constexpr std::array<std::string_view, 5> kPersistentPrefixes{"policy/", "filterlist/", "filteraction/", "secret/psk/",
                                                              "config/"};
constexpr std::string_view kPersistentExact = "assigned";

Status check_chars(std::string_view s, std::string_view field) {
  if (s.size() > kMaxKeyLength)
    return Error::make("bad_request",
                       "field '" + std::string(field) + "' is longer than " + std::to_string(kMaxKeyLength) + " bytes");
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      return Error::make("bad_request", "field '" + std::string(field) + "' contains a control character");
  }
  return {};
}

}  // namespace

bool is_persistent(std::string_view key) {
  if (key == kPersistentExact) return true;
  for (auto p : kPersistentPrefixes)
    if (has_prefix(key, p)) return true;
  return false;
}

Status check_key(std::string_view key, std::string_view field, bool for_write) {
  if (key.empty()) return Error::make("bad_request", "field '" + std::string(field) + "' must not be empty");
  IPSECKIT_TRY(check_chars(key, field));
  if (for_write && is_log_key(key))
    return Error::make("bad_request", "field '" + std::string(field) + "': keys under log/ are written with op 'log'");
  return {};
}

Status check_prefix(std::string_view prefix, std::string_view field) {
  return check_chars(prefix, field);
}

}  // namespace ipseckit::store
