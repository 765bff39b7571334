#include "common/tool_common.h"

#include <cstdio>

#include <fmt/format.h>

namespace ipseckit::tool {

void add_store_options(CLI::App& app, StoreOptions& opt) {
  app.add_option("--socket", opt.socket, "The policyagent socket (default: $IPSECKIT_SOCKET or /run/ipseckit/agent.sock)");
  app.add_option("--state-dir", opt.state_dir, "State directory for an auto-started agent (default: $IPSECKIT_STATE_DIR)");
}

Result<store::Client> connect(const StoreOptions& opt, bool autostart) {
  store::ClientOptions co;
  co.socket = opt.socket;
  co.state_dir = opt.state_dir;
  co.autostart = autostart;
  return store::Client::connect(co);
}

int exit_code(const Error& e) { return e.code == "usage" ? kExitUsage : kExitFailed; }

int fail(std::string_view tool, const Error& e) {
  std::fputs(fmt::format("{}: {}\n", tool, e.message).c_str(), stderr);
  return exit_code(e);
}

void warn(std::string_view tool, std::string_view message) {
  std::fputs(fmt::format("{}: {}\n", tool, message).c_str(), stderr);
}

int parse_cli(CLI::App& app, int argc, const char* const* argv, bool& done) {
  done = false;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    done = true;
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    done = true;
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    done = true;
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    done = true;
    std::fputs(fmt::format("{}: {}\n", app.get_name(), e.what()).c_str(), stderr);
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace ipseckit::tool
