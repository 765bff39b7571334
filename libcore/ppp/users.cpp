#include "ppp/users.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace ipseckit::ppp {
namespace {

Error users_error(std::string msg) { return Error::make("ppp.users", std::move(msg)); }

// Splits one line into fields: blanks separate, "..." groups, '#' outside quotes ends the line.
Result<std::vector<std::string>> fields(std::string_view line, std::string_view where) {
  std::vector<std::string> out;
  std::string cur;
  bool in_field = false, quoted = false;
  for (char c : line) {
    if (quoted) {
      if (c == '"') quoted = false;
      else cur.push_back(c);
      continue;
    }
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_field) out.push_back(std::move(cur));
      cur.clear();
      in_field = false;
      continue;
    }
    in_field = true;
    if (c == '"') quoted = true;
    else cur.push_back(c);
  }
  if (quoted) return users_error(fmt::format("{}: unterminated quote", where));
  if (in_field) out.push_back(std::move(cur));
  return out;
}

}  // namespace

void MemoryUserDb::add(UserEntry e) {
  remove(e.name, e.server);
  m_entries.push_back(std::move(e));
}

bool MemoryUserDb::remove(std::string_view user, std::string_view server) {
  for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
    if (it->name == user && it->server == server) {
      m_entries.erase(it);
      return true;
    }
  return false;
}

std::optional<UserEntry> MemoryUserDb::find(std::string_view user, std::string_view server) const {
  const UserEntry* wildcard = nullptr;
  for (const auto& e : m_entries) {
    if (e.name != user) continue;
    if (e.server == server) return e.clone();
    if (e.server == "*" && wildcard == nullptr) wildcard = &e;
  }
  if (wildcard != nullptr) return wildcard->clone();
  return std::nullopt;
}

Result<MemoryUserDb> parse_chap_secrets(std::string_view text, std::string_view origin) {
  MemoryUserDb db;
  std::size_t lineno = 0;
  while (!text.empty()) {
    ++lineno;
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const std::string where = fmt::format("{}:{}", origin, lineno);
    auto f = fields(line, where);
    if (!f) return f.error();
    if (f->empty()) continue;
    if (f->size() < 3) return users_error(fmt::format("{}: expected \"client server secret [addresses]\"", where));
    const std::string& secret = (*f)[2];
    if (!secret.empty() && secret[0] == '@')
      return users_error(fmt::format("{}: \"@file\" secrets are not supported; put the secret in the file", where));
    UserEntry e{(*f)[0], (*f)[1], SecureBytes(std::string_view(secret)), std::nullopt, false};
    for (std::size_t i = 3; i < f->size(); ++i) {
      const std::string& a = (*f)[i];
      if (a == "*") continue;
      if (a == "-") {
        e.no_address = true;
        continue;
      }
      auto ip = wire::IpAddr::parse_v4(a);
      if (!ip) return users_error(fmt::format("{}: \"{}\" is not an IPv4 address, \"*\" or \"-\"", where, a));
      if (!e.address) e.address = *ip;
    }
    if (e.name.empty()) return users_error(fmt::format("{}: empty user name", where));
    db.add(std::move(e));
  }
  return db;
}

Result<MemoryUserDb> load_chap_secrets(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return users_error(fmt::format("users file {}: cannot read it ({})", path,
                                                             ec ? ec.message() : "no such file"));
  if (!fs::is_regular_file(st)) return users_error(fmt::format("users file {}: not a regular file", path));
  const auto perms = st.permissions();
  if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
    return users_error(fmt::format("users file {} is accessible by group or others (mode {:03o}); it holds "
                                   "passwords: chmod 600 {}",
                                   path, static_cast<unsigned>(perms) & 0777u, path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return users_error(fmt::format("users file {}: cannot open it", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto db = parse_chap_secrets(text, path);
  std::fill(text.begin(), text.end(), '\0');  // the passwords are copied into SecureBytes
  return db;
}

}  // namespace ipseckit::ppp
