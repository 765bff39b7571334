// Helpers of the ipsecpol unit tests: literal addresses, a resolver that never touches the
// network, argv from a command line, fixed build options.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "policy/defaults.h"
#include "policy/ipsecpol.h"

namespace ipsecpol_test {

using namespace ipseckit;
using namespace ipseckit::policy;

inline wire::IpAddr ip(std::string_view s) {
  return *wire::IpAddr::parse(s);
}
inline Address host(std::string_view s) {
  return Address::host(ip(s));
}
inline Address net(std::string_view s) {
  return Address::subnet(*wire::IpPrefix::parse(s));
}

// A fixed name table; every other name fails to resolve. Counts lookups.
struct FakeDns {
  std::map<std::string, std::vector<std::string>> table = {
      {"Machine1", {"10.0.0.1"}},
      {"Machine2", {"10.0.0.2"}},
      {"gw.example", {"198.51.100.7", "198.51.100.8", "2001:db8::7"}},
      {"corp.example", {"192.0.2.10"}},
      {"v6only.example", {"2001:db8::1"}},
  };
  int lookups = 0;
  Resolver resolver() {
    return [this](const std::string& name) {
      ++lookups;
      std::vector<wire::IpAddr> out;
      if (auto it = table.find(name); it != table.end())
        for (const auto& s : it->second) out.push_back(ip(s));
      return out;
    };
  }
};

inline Resolver no_dns() {
  return [](const std::string&) { return std::vector<wire::IpAddr>{}; };
}

// argv as cmd.exe hands it over (quotes removed), without the program name.
inline std::vector<std::string> argv(std::string_view line) {
  auto words = split_command_line(line);
  if (!words.empty() && (words.front() == "ipsecpol" || words.front() == "ipseccmd")) words.erase(words.begin());
  return words;
}

inline Result<IpsecpolCommand> parse(std::string_view line, const Resolver& r = no_dns()) {
  return parse_ipsecpol_command(argv(line), r);
}

inline IpsecpolCommand must_parse(std::string_view line, const Resolver& r = no_dns()) {
  auto c = parse(line, r);
  if (!c) FAIL_CHECK(line, " -> ", c.error().message);
  REQUIRE(c.ok());
  return *c;
}

inline IpsecpolBuildOptions fixed_options() {
  IpsecpolBuildOptions o;
  o.now = 1700000000;
  return o;
}

inline QmOffer esp(Cipher c, Integrity i, std::uint32_t secs = 0, std::uint32_t kb = 0) {
  QmOffer o;
  o.esp = EspTransform{c, i};
  o.lifetime_seconds = secs;
  o.lifetime_kbytes = kb;
  return o;
}

inline QmOffer ah(Integrity i) {
  QmOffer o;
  o.ah = i;
  return o;
}

inline AuthMethod psk(std::string key) {
  AuthMethod a;
  a.kind = AuthKind::psk;
  a.psk = std::move(key);
  return a;
}

inline AuthMethod cert(std::string ca = {}) {
  AuthMethod a;
  a.kind = AuthKind::cert;
  a.ca = std::move(ca);
  return a;
}

inline AuthMethod kerberos() {
  return AuthMethod{};
}

inline Filter filter(Address src, Address dst, bool mirrored, std::uint8_t proto = 0, std::uint16_t sport = 0,
                     std::uint16_t dport = 0) {
  Filter f;
  f.src = std::move(src);
  f.dst = std::move(dst);
  f.mirrored = mirrored;
  f.protocol = proto;
  f.src_port = sport;
  f.dst_port = dport;
  return f;
}

// Checks an error: code "usage" (unless given), the message id, the position, and that the
// message contains each fragment.
inline void check_error(const Error& e, std::int64_t proto, int position, std::initializer_list<std::string_view> parts,
                        std::string_view code = "usage") {
  CHECK(e.code == code);
  CHECK(e.proto == proto);
  CHECK(e.position == position);
  for (auto p : parts) {
    INFO("message: ", e.message);
    CHECK(e.message.find(p) != std::string::npos);
  }
}

}  // namespace ipsecpol_test
