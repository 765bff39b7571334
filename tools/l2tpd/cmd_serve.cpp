// l2tpd serve: the LNS.
#include <fmt/format.h>
#include <unistd.h>

#include "base/log.h"
#include "l2tpd/commands.h"
#include "l2tpd/daemon.h"
#include "l2tpd/secrets.h"
#include "l2tpd/user_store.h"

namespace ipseckit::l2tpd {

namespace {

struct ServeArgs {
  std::string listen, pool, users, tun = "l2tps%d", local, host_name;
  std::vector<std::string> dns;
  std::size_t max_sessions = 10000;
  unsigned port = 1701;
  LinkArgs link;
};

std::string default_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) return "ipseckit";
  return buf;
}

int run_serve(const ServeArgs& a, const Common& common) {
  if (!setup_logging(common)) return usage_error("--log-level", common.log_level, "not a log level");
  DaemonOptions o;
  o.server = true;
  o.store = common.store;
  o.tun_name = a.tun;
  o.port = static_cast<std::uint16_t>(a.port);
  o.max_sessions = a.max_sessions;
  o.host_name = a.host_name.empty() ? default_host_name() : a.host_name;
  if (!a.listen.empty()) {
    o.listen = wire::IpAddr::parse_v4(a.listen);
    if (!o.listen) return usage_error("--listen", a.listen, "not an IPv4 address");
  }
  const auto dash = a.pool.find('-');
  auto first = wire::IpAddr::parse_v4(a.pool.substr(0, dash));
  auto last = dash == std::string::npos ? std::nullopt : wire::IpAddr::parse_v4(a.pool.substr(dash + 1));
  if (!first || !last) return usage_error("--pool", a.pool, "expected FIRST-LAST, two IPv4 addresses");
  o.pool_first = *first;
  o.pool_last = *last;
  if (!a.local.empty()) {
    o.local = wire::IpAddr::parse_v4(a.local);
    if (!o.local) return usage_error("--local", a.local, "not an IPv4 address");
  }
  if (a.dns.size() > 2) return usage_error("--dns", a.dns[2], "at most two DNS servers");
  for (std::size_t i = 0; i < a.dns.size(); ++i) {
    auto d = wire::IpAddr::parse_v4(a.dns[i]);
    if (!d) return usage_error("--dns", a.dns[i], "not an IPv4 address");
    (i == 0 ? o.dns1 : o.dns2) = d;
  }
  if (a.users == "store") {  // user_store.h: secret/l2tp/users/, read once at start
    auto c = tool::connect(common.store);
    if (!c) return tool::fail(kTool, c.error());
    std::size_t n = 0;
    auto users = load_store_users(*c, &n);
    if (!users) return tool::fail(kTool, users.error());
    if (n == 0) return usage_error("--users", a.users, "the store holds no users (see l2tpd user add)");
    log::msg(log::Subsys::app, log::Level::control, "{} user(s) from the store ({})", n, kUserPrefix);
    o.users = std::move(users.value());
  } else {
    auto users = ppp::load_chap_secrets(a.users);
    if (!users) return tool::fail(kTool, users.error());
    o.users = std::move(users.value());
  }
  if (int rc = apply_link_args(a.link, o)) return rc;
  return run_daemon(std::move(o));
}

}  // namespace

Runner add_serve(CLI::App& app, Common& common) {
  auto a = std::make_shared<ServeArgs>();
  auto* s = app.add_subcommand("serve", "run the LNS (server) in the foreground, logging to stderr");
  s->add_option("--listen", a->listen, "local IPv4 address for UDP 1701 (default: any)");
  s->add_option("--port", a->port, "UDP port (default 1701)")->check(CLI::Range(1u, 65535u));
  s->add_option("--pool", a->pool, "client addresses FIRST-LAST")->required();
  s->add_option("--users", a->users, "chap-secrets style users file (mode 600), or \"store\" (l2tpd user add)")->required();
  s->add_option("--dns", a->dns, "DNS server given to clients (IPCP, up to two)");
  s->add_option("--local", a->local, "our PPP address (default: the pool's first address)");
  s->add_option("--max-sessions", a->max_sessions, "most concurrent calls (default 10000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  add_link_options(*s, a->link);
  s->add_option("--tun", a->tun, "TUN device name, may end in %d (default l2tps%d)");
  s->add_option("--host-name", a->host_name, "Host Name AVP and CHAP name (default: the host name)");
  s->add_option("--log-level", common.log_level, "audit, control, diag, raw or private (default control)");
  tool::add_store_options(*s, common.store);
  return Runner{s, [a, &common] { return run_serve(*a, common); }};
}

}  // namespace ipseckit::l2tpd
