// The key space: which keys persist (SQLite) and which are secret (admins only).
//   persistent: policy/ filterlist/ filteraction/ secret/psk/ config/ and the key "assigned"
//   volatile:   everything else (dynamic/ spd/ ike/ esp/ acquire/ l2tp/ stats/ secret/... )
//   secret:     everything under secret/ (invisible to non-admin peers)
//   reserved:   log/<seq> names event-log entries; they are written with the "log" op only
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"

namespace ipseckit::store {

inline constexpr std::size_t kMaxKeyLength = 1024;
inline constexpr std::string_view kSecretPrefix = "secret/";
inline constexpr std::string_view kLogPrefix = "log/";

inline bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

bool is_persistent(std::string_view key);
inline bool is_secret(std::string_view key) {
  return has_prefix(key, kSecretPrefix);
}
inline bool is_log_key(std::string_view key) {
  return has_prefix(key, kLogPrefix);
}

// Every key that prefix can match is secret (so watching it is pointless for non-admins).
inline bool prefix_is_secret(std::string_view prefix) {
  return has_prefix(prefix, kSecretPrefix);
}

// A key: 1..kMaxKeyLength bytes, no control characters. Keys written by put/delete/txn
// must also not be under log/. Error code "bad_request"; the message names field.
Status check_key(std::string_view key, std::string_view field, bool for_write);
// A prefix: like a key but may be empty.
Status check_prefix(std::string_view prefix, std::string_view field);

}  // namespace ipseckit::store
