// L2TP users in the store (user_store.h).
#include "l2tpd/user_store.h"

#include <fmt/format.h>

namespace ipseckit::l2tpd {

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '@' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

store::Json user_record(const SecureBytes& secret, std::string_view server, std::string_view address) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(secret.size() * 2);
  for (std::size_t i = 0; i < secret.size(); ++i) {
    hex.push_back(kHex[secret.data()[i] >> 4]);
    hex.push_back(kHex[secret.data()[i] & 0xF]);
  }
  return store::Json{{"secret_hex", std::move(hex)}, {"server", server}, {"address", address}};
}

Result<ppp::MemoryUserDb> load_store_users(store::Client& c, std::size_t* count) {
  auto l = c.list(kUserPrefix);
  if (!l) return std::move(l).error();
  ppp::MemoryUserDb db;
  std::size_t n = 0;
  for (const auto& e : l->items) {
    const std::string name = e.key.substr(kUserPrefix.size());
    auto bad = [&](std::string_view why) { return Error::make("failed", fmt::format("store record {}: {}", e.key, why)); };
    if (!valid_user_name(name)) return bad("not a valid user name");
    const auto& v = e.value;
    if (!v.is_object() || !v.contains("secret_hex") || !v["secret_hex"].is_string())
      return bad("no \"secret_hex\" string");
    const auto& hex = v["secret_hex"].get_ref<const std::string&>();
    if (hex.size() % 2 != 0) return bad("\"secret_hex\" is not hex");
    std::vector<std::uint8_t> raw;
    raw.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      const int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
      if (hi < 0 || lo < 0) return bad("\"secret_hex\" is not hex");
      raw.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    ppp::UserEntry u;
    u.name = name;
    u.secret = SecureBytes(std::move(raw));
    u.server = v.value("server", std::string("*"));
    const std::string addr = v.value("address", std::string("*"));
    if (addr == "-") {
      u.no_address = true;
    } else if (addr != "*") {
      u.address = wire::IpAddr::parse_v4(addr);
      if (!u.address) return bad(fmt::format("address '{}' is not an IPv4 address", addr));
    }
    db.add(std::move(u));
    ++n;
  }
  if (count) *count = n;
  return db;
}

}  // namespace ipseckit::l2tpd
