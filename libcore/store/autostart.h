// Finding the agent, and starting one when nobody answers (like ssh-agent/gpg-agent).
#pragma once

#include <string>

#include "base/result.h"
#include "sys/unix_socket.h"

namespace ipseckit::store {

struct ClientOptions;

struct AgentConnection {
  sys::UniqueFd fd;
  std::string path;
};

// Connects to the resolved socket. If there is no socket file or nobody accepts on it, and
// autostart is allowed (option and $IPSECKIT_NO_AUTOSTART != 1), runs
// `policyagent --socket PATH [--state-dir DIR]` (which daemonizes and exits once it
// listens) and retries until start_timeout. Error code "unavailable".
Result<AgentConnection> connect_or_start(const ClientOptions& opt);

}  // namespace ipseckit::store
