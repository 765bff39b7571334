// Starting and detaching processes: how tools find and auto-start policyagent, and how
// policyagent turns itself into a daemon that reports readiness to the process that ran it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "sys/unix_socket.h"

namespace ipseckit::sys {

// The running executable (/proc/self/exe), or "" when it cannot be read.
std::string self_exe_path();

// name next to the running executable, else the first executable match in $PATH.
std::optional<std::string> find_program(std::string_view name);

// fork + execv(argv[0], argv) with stdin on /dev/null; stdout and stderr are inherited.
Result<pid_t> spawn(const std::vector<std::string>& argv);

// Reaps pid without blocking: its exit status (128 + signal number when killed), or nullopt
// while it still runs.
std::optional<int> try_reap(pid_t pid);

// Held by a daemon until it is ready: tells the waiting original process the outcome.
class ReadyNotifier {
 public:
  explicit ReadyNotifier(UniqueFd fd) : m_fd(std::move(fd)) {}
  void ready();                         // original process exits 0
  void fail(std::string_view message);  // original process exits 1 with message
 private:
  UniqueFd m_fd;
};

// What the original process learns: exit with exit_code; message (if any) is for stderr.
struct DaemonParent {
  int exit_code = 0;
  std::string message;
};

// Double fork + setsid. Returns a ReadyNotifier in the daemon (the grandchild, in a new
// session, cwd "/"), and a DaemonParent in the original process once the daemon called
// ready() or fail() or died. The intermediate child is reaped here.
Result<std::variant<ReadyNotifier, DaemonParent>> daemonize();

// stdin and stdout to /dev/null, stderr appended to stderr_path (created 0600).
Status redirect_stdio(const std::string& stderr_path);

}  // namespace ipseckit::sys
