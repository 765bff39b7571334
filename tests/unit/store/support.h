// Helpers for the store tests: temp dirs, real policyagent processes, raw sockets.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "store/client.h"
#include "sys/unix_socket.h"

namespace ipseckit::store::test {

// mkdtemp under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }
  std::string operator/(const std::string& name) const { return m_path + "/" + name; }

 private:
  std::string m_path;
};

std::string agent_binary();

// A policyagent --foreground child; SIGTERM (then SIGKILL) on destruction.
class Agent {
 public:
  Agent(std::string socket, std::string state_dir, std::vector<std::string> extra = {});
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  bool ready() const { return m_ready; }  // the socket accepted a connection within 10 s
  pid_t pid() const { return m_pid; }
  const std::string& socket() const { return m_socket; }
  const std::string& state_dir() const { return m_state; }
  const std::string& log_path() const { return m_log; }
  ClientOptions options() const;
  Result<Client> connect() const { return Client::connect(options()); }
  void kill9();
  int terminate();  // SIGTERM and reap: the exit status (128+sig if killed), -1 if it hung
  // Peak resident set size in KiB (VmHWM), -1 if unreadable.
  long peak_rss_kib() const;

 private:
  std::string m_socket, m_state, m_log;
  pid_t m_pid = -1;
  bool m_ready = false;
};

// Runs policyagent with args (not --foreground unless given) and returns its exit status,
// with stderr captured into *err when given.
int run_agent_command(const std::vector<std::string>& args, std::string* err = nullptr);

// Waits for a child (fork()ed by the test) and returns its exit status.
int wait_child(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(30));

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

}  // namespace ipseckit::store::test
