// Who may dial in: user names, secrets and optional static addresses.
//
// UserDb is the interface the authenticator asks; MemoryUserDb holds entries (from a file, or
// filled from the state store later). The file format is pppd's chap-secrets:
//
//   # client     server   secret          IP addresses
//   alice        *        "wonder land"   192.0.2.20
//   bob          lns1     hunter2         *
//
// Fields are separated by blanks; double quotes allow blanks inside a field; '#' starts a
// comment outside quotes. server "*" matches any server name. The address list is optional:
// "*" (or none) means "from the pool", an IPv4 address is the user's static address, "-"
// forbids any address (the user is refused at IPCP). pppd's "@file" secrets are refused.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secure_bytes.h"
#include "wire/ip_address.h"

namespace ipseckit::ppp {

struct UserEntry {
  std::string name;
  std::string server = "*";
  SecureBytes secret;
  std::optional<wire::IpAddr> address;  // static address
  bool no_address = false;              // "-" in the file

  UserEntry clone() const { return UserEntry{name, server, secret.clone(), address, no_address}; }
};

class UserDb {
 public:
  virtual ~UserDb() = default;
  // The entry for `user` authenticating to `server`; an exact server match wins over "*".
  virtual std::optional<UserEntry> find(std::string_view user, std::string_view server) const = 0;
};

class MemoryUserDb final : public UserDb {
 public:
  void add(UserEntry e);
  bool remove(std::string_view user, std::string_view server = "*");
  std::size_t size() const { return m_entries.size(); }
  std::optional<UserEntry> find(std::string_view user, std::string_view server) const override;

 private:
  std::vector<UserEntry> m_entries;
};

// Parses chap-secrets text. Errors (code "ppp.users") name the line: an unterminated quote,
// fewer than three fields, an "@file" secret, a bad address.
Result<MemoryUserDb> parse_chap_secrets(std::string_view text, std::string_view origin = "users");

// Reads a chap-secrets file. Refused (code "ppp.users") when the file is readable or writable
// by group or others (it holds passwords in clear), cannot be read, or does not parse.
Result<MemoryUserDb> load_chap_secrets(const std::string& path);

}  // namespace ipseckit::ppp
