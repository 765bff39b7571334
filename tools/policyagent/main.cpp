// policyagent: the ipseckit state store. See man/policyagent.8.
#include <CLI/CLI.hpp>

#include "agent.h"
#include "base/log.h"

int main(int argc, char** argv) {
  using ipseckit::policyagent::AgentOptions;
  AgentOptions opt;
  CLI::App app{"policyagent: the ipseckit state store (keys, revisions, watches) on a Unix socket", "policyagent"};
  app.add_option("--socket", opt.socket, "Unix socket path (default: $IPSECKIT_SOCKET, /run/ipseckit/agent.sock)");
  app.add_option("--state-dir", opt.state_dir,
                 "directory of the persistent store (default: $IPSECKIT_STATE_DIR, "
                 "/var/lib/ipseckit)");
  app.add_flag("-f,--foreground", opt.foreground, "stay in the foreground and log to stderr");
  app.add_option("--admin-group", opt.admin_group, "members of this group may write, like root");
  app.add_option("--log-level", opt.log_level, "audit, control, diag, raw or private (default control)")
      ->check([](const std::string& s) {
        ipseckit::log::Level l{};
        return ipseckit::log::parse_level(s, l) ? std::string() : "unknown log level '" + s + "'";
      });
  app.add_option("--log-ring", opt.log_ring, "event-log entries kept in memory (default 10000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  app.add_option("--max-line", opt.max_line, "longest request line accepted, in bytes (default 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34));
  app.set_version_flag("--version", "policyagent " IPSECKIT_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return ipseckit::policyagent::run_agent(opt);
}
