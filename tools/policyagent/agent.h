// policyagent's life: resolve paths, daemonize (unless --foreground), open the store,
// listen, serve until SIGTERM/SIGINT, clean up.
#pragma once

#include <cstddef>
#include <string>

#include "store/server.h"

namespace ipseckit::policyagent {

struct AgentOptions {
  std::string socket;
  std::string state_dir;
  bool foreground = false;
  std::string admin_group;
  std::string log_level = "control";
  std::size_t log_ring = 10000;
  std::size_t max_line = store::kDefaultMaxLine;
};

// Exit status: 0 after a clean shutdown, 1 on failure.
int run_agent(const AgentOptions& opt);

}  // namespace ipseckit::policyagent
