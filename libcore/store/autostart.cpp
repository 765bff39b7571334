#include "store/autostart.h"

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "store/client.h"
#include "sys/paths.h"
#include "sys/spawn.h"

namespace ipseckit::store {
namespace {

bool autostart_disabled_by_env() {
  const char* v = std::getenv("IPSECKIT_NO_AUTOSTART");
  return v && std::string_view(v) == "1";
}

Error unavailable(const std::string& path, std::string_view why) {
  return Error::make("unavailable", "no policyagent answers on " + path + ": " + std::string(why));
}

}  // namespace

Result<AgentConnection> connect_or_start(const ClientOptions& opt) {
  std::string path = sys::socket_path(opt.socket);
  auto fd = sys::unix_connect(path);
  if (fd) return AgentConnection{std::move(fd.value()), path};
  const std::string& code = fd.error().code;
  if (code != "not_found" && code != "refused") return unavailable(path, fd.error().message);
  if (!opt.autostart || autostart_disabled_by_env())
    return unavailable(path, fd.error().message + " (auto-start is disabled)");

  std::string agent = opt.agent;
  if (agent.empty()) {
    auto found = sys::find_program("policyagent");
    if (!found) return unavailable(path, "policyagent was not found next to this program or in PATH");
    agent = *found;
  }
  std::vector<std::string> argv{agent, "--socket", path};
  if (!opt.state_dir.empty()) {
    argv.emplace_back("--state-dir");
    argv.push_back(opt.state_dir);
  }
  auto pid = sys::spawn(argv);
  if (!pid) return unavailable(path, "cannot start " + agent + ": " + pid.error().message);

  // The started process exits once its daemon listens (or failed: another agent may have
  // won a race to start, so keep trying to connect until the deadline either way).
  const auto deadline = std::chrono::steady_clock::now() + opt.start_timeout;
  bool reaped = false;
  std::string last = fd.error().message;
  for (;;) {
    if (!reaped && sys::try_reap(*pid)) reaped = true;
    auto again = sys::unix_connect(path);
    if (again) return AgentConnection{std::move(again.value()), path};
    last = again.error().message;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(reaped ? 20 : 10));
  }
  return unavailable(path, "started " + agent + " but it did not answer within " +
                               std::to_string(opt.start_timeout.count()) + " ms (" + last + ")");
}

}  // namespace ipseckit::store
