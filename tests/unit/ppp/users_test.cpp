// The users file (pppd chap-secrets format, refused when others can read it), the in-memory
// user database and the address pool.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ppp/pool.h"
#include "ppp/users.h"

using namespace ipseckit;
using namespace ipseckit::ppp;
namespace fs = std::filesystem;

namespace {

wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse_v4(s); }

std::string secret_of(const std::optional<UserEntry>& e) { return e ? std::string(e->secret.view()) : "<none>"; }

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    std::random_device rd;
    m_path = fs::temp_directory_path() / ("ipseckit-users-" + std::to_string(rd()) + ".secrets");
    std::ofstream(m_path) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(m_path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return m_path.string(); }
  void chmod(fs::perms p) const { fs::permissions(m_path, p, fs::perm_options::replace); }

 private:
  fs::path m_path;
};

}  // namespace

TEST_CASE("chap-secrets: fields, quotes, comments, wildcards, addresses") {
  auto db = parse_chap_secrets(
      "# Secrets for authentication using CHAP\n"
      "# client\tserver\tsecret\t\t\tIP addresses\n"
      "\n"
      "alice\t*\t\"wonder land\"\t192.0.2.20  # static\n"
      "bob lns1 hunter2 *\n"
      "bob * other\n"
      "\"carol c\" * \"#not a comment\" -\n"
      "dave * 'x' 192.0.2.21 192.0.2.22\n");
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  CHECK(db->size() == 5);
  auto alice = db->find("alice", "anything");
  REQUIRE(alice);
  CHECK(secret_of(alice) == "wonder land");
  CHECK(alice->address == ip("192.0.2.20"));
  // an exact server name wins over "*"
  CHECK(secret_of(db->find("bob", "lns1")) == "hunter2");
  CHECK(secret_of(db->find("bob", "lns2")) == "other");
  auto carol = db->find("carol c", "x");
  CHECK(secret_of(carol) == "#not a comment");
  CHECK(carol->no_address);
  CHECK(db->find("dave", "x")->address == ip("192.0.2.21"));
  CHECK(secret_of(db->find("dave", "x")) == "'x'");
  CHECK_FALSE(db->find("eve", "x").has_value());
  CHECK_FALSE(db->find("Alice", "x").has_value());  // names are case-sensitive, as in pppd
}

TEST_CASE("chap-secrets: errors name the line") {
  auto quote = parse_chap_secrets("ok * s\nbad * \"open\n", "f");
  REQUIRE_FALSE(quote.ok());
  CHECK(quote.error().code == "ppp.users");
  CHECK(quote.error().message == "f:2: unterminated quote");
  auto few = parse_chap_secrets("alice *\n", "f");
  REQUIRE_FALSE(few.ok());
  CHECK(few.error().message == "f:1: expected \"client server secret [addresses]\"");
  auto at = parse_chap_secrets("alice * @/etc/secret\n", "f");
  REQUIRE_FALSE(at.ok());
  CHECK(at.error().message.find("\"@file\" secrets are not supported") != std::string::npos);
  auto addr = parse_chap_secrets("alice * s 192.0.2.300\n", "f");
  REQUIRE_FALSE(addr.ok());
  CHECK(addr.error().message == "f:1: \"192.0.2.300\" is not an IPv4 address, \"*\" or \"-\"");
}

TEST_CASE("The users file is refused when group or others can access it") {
  TempFile f("alice * wonderland\n");
  f.chmod(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  auto r = load_chap_secrets(f.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "ppp.users");
  CHECK(r.error().message.find("(mode 644)") != std::string::npos);
  CHECK(r.error().message.find("chmod 600") != std::string::npos);
  f.chmod(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
  CHECK_FALSE(load_chap_secrets(f.path()).ok());
  f.chmod(fs::perms::owner_read | fs::perms::owner_write);
  auto ok = load_chap_secrets(f.path());
  REQUIRE_MESSAGE(ok.ok(), ok.error().message);
  CHECK(secret_of(ok->find("alice", "lns")) == "wonderland");
  auto missing = load_chap_secrets(f.path() + ".nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("cannot read it") != std::string::npos);
}

TEST_CASE("In-memory database: add replaces, remove") {
  MemoryUserDb db;
  db.add(UserEntry{"u", "*", SecureBytes(std::string_view("one")), std::nullopt, false});
  db.add(UserEntry{"u", "*", SecureBytes(std::string_view("two")), ip("192.0.2.5"), false});
  CHECK(db.size() == 1);
  CHECK(secret_of(db.find("u", "s")) == "two");
  CHECK(db.remove("u"));
  CHECK_FALSE(db.remove("u"));
  CHECK_FALSE(db.find("u", "s").has_value());
}

TEST_CASE("Address pool: lowest free first, reuse after release, static addresses in and out of range") {
  auto p = AddressPool::create(ip("192.0.2.10"), ip("192.0.2.12"));
  REQUIRE(p.ok());
  CHECK(p->size() == 3);
  CHECK(p->acquire() == ip("192.0.2.10"));
  CHECK(p->reserve(ip("192.0.2.11")));
  CHECK_FALSE(p->reserve(ip("192.0.2.11")));
  CHECK(p->acquire() == ip("192.0.2.12"));
  CHECK_FALSE(p->acquire().has_value());
  p->release(ip("192.0.2.10"));
  CHECK(p->acquire() == ip("192.0.2.10"));
  CHECK(p->reserve(ip("203.0.113.7")));  // outside the range, still tracked
  CHECK_FALSE(p->reserve(ip("203.0.113.7")));
  CHECK(p->used() == 4);
  p->release(ip("203.0.113.7"));
  p->release(ip("192.0.2.11"));
  p->release(ip("192.0.2.11"));  // twice: harmless
  CHECK(p->used() == 2);
  CHECK_FALSE(AddressPool::create(ip("192.0.2.12"), ip("192.0.2.10")).ok());
  CHECK_FALSE(AddressPool::create(ip("10.0.0.0"), ip("10.255.255.255")).ok());
  auto v6 = wire::IpAddr::parse("2001:db8::1");
  CHECK_FALSE(AddressPool::create(*v6, *v6).ok());
}
