// l2tpd user add|del|list: L2TP users in the store (user_store.h), for `serve --users store`.
#include <fmt/format.h>

#include <cstdio>

#include "l2tpd/commands.h"
#include "l2tpd/secrets.h"
#include "l2tpd/user_store.h"

namespace ipseckit::l2tpd {

namespace {

struct UserArgs {
  std::string name, password_file, server = "*", address = "*";
  bool json = false;
};

int run_add(const UserArgs& a, const Common& common) {
  if (!valid_user_name(a.name)) return usage_error("NAME", a.name, "expected 1-64 of A-Z a-z 0-9 . _ @ + -");
  if (a.address != "*" && a.address != "-" && !wire::IpAddr::parse_v4(a.address))
    return usage_error("--address", a.address, "expected an IPv4 address, '*' (pool) or '-' (none)");
  auto pw = read_secret_file(a.password_file, "password file");
  if (!pw) return tool::fail(kTool, pw.error());
  if (pw->size() == 0) return usage_error("--password-file", a.password_file, "empty password");
  auto c = tool::connect(common.store);
  if (!c) return tool::fail(kTool, c.error());
  if (auto r = c->put(std::string(kUserPrefix) + a.name, user_record(*pw, a.server, a.address)); !r)
    return tool::fail(kTool, r.error());
  std::fputs(fmt::format("user {} stored\n", a.name).c_str(), stdout);
  return tool::kExitOk;
}

int run_del(const UserArgs& a, const Common& common) {
  if (!valid_user_name(a.name)) return usage_error("NAME", a.name, "expected 1-64 of A-Z a-z 0-9 . _ @ + -");
  auto c = tool::connect(common.store);
  if (!c) return tool::fail(kTool, c.error());
  if (auto r = c->del(std::string(kUserPrefix) + a.name); !r) {
    if (r.error().code == "not_found") {
      std::fputs(fmt::format("{}: no user '{}' in the store\n", kTool, a.name).c_str(), stderr);
      return tool::kExitFailed;
    }
    return tool::fail(kTool, r.error());
  }
  std::fputs(fmt::format("user {} deleted\n", a.name).c_str(), stdout);
  return tool::kExitOk;
}

// Names, servers and addresses; never the secrets (read only to know the records are sound).
int run_list(const UserArgs& a, const Common& common) {
  auto c = tool::connect(common.store);
  if (!c) return tool::fail(kTool, c.error());
  auto l = c->list(kUserPrefix);
  if (!l) return tool::fail(kTool, l.error());
  store::Json out = store::Json::array();
  for (const auto& e : l->items) {
    const auto& v = e.value;
    store::Json o{{"name", e.key.substr(kUserPrefix.size())},
                  {"server", v.is_object() ? v.value("server", std::string("*")) : "*"},
                  {"address", v.is_object() ? v.value("address", std::string("*")) : "*"}};
    out.push_back(std::move(o));
  }
  if (a.json) {
    std::fputs((out.dump() + "\n").c_str(), stdout);
    return tool::kExitOk;
  }
  std::fputs(fmt::format("{:<24} {:<12} {}\n", "USER", "SERVER", "ADDRESS").c_str(), stdout);
  for (const auto& o : out)
    std::fputs(fmt::format("{:<24} {:<12} {}\n", o["name"].get<std::string>(), o["server"].get<std::string>(),
                           o["address"].get<std::string>())
                   .c_str(),
               stdout);
  return tool::kExitOk;
}

}  // namespace

Runner add_user(CLI::App& app, Common& common) {
  auto a = std::make_shared<UserArgs>();
  auto* s = app.add_subcommand("user", "L2TP users in the store (secret/l2tp/users/, root only), for serve --users store");
  s->require_subcommand(1);
  auto* add = s->add_subcommand("add", "add or replace a user");
  add->add_option("NAME", a->name, "user name")->required();
  add->add_option("--password-file", a->password_file, "file with the password on its first line (mode 600)")
      ->required();
  add->add_option("--address", a->address, "static IPCP address, '*' (from the pool, default) or '-' (none)");
  add->add_option("--server", a->server, "the server name it applies to (default '*': any)");
  auto* del = s->add_subcommand("del", "delete a user");
  del->add_option("NAME", a->name, "user name")->required();
  auto* list = s->add_subcommand("list", "list the users (names and addresses, never passwords)");
  list->add_flag("--json", a->json, "a JSON array of {name, server, address}");
  for (auto* sub : {add, del, list}) tool::add_store_options(*sub, common.store);
  return Runner{s, [a, add, del, &common] {
                  if (add->parsed()) return run_add(*a, common);
                  if (del->parsed()) return run_del(*a, common);
                  return run_list(*a, common);
                }};
}

}  // namespace ipseckit::l2tpd
