// Socket and state-dir resolution (libcore/sys/paths), shared by every tool.
#include "sys/paths.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

using namespace ipseckit;

namespace {

// Sets (or, for nullopt, unsets) an environment variable for one scope.
class EnvVar {
 public:
  EnvVar(const char* name, std::optional<std::string> value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~EnvVar() {
    if (m_old)
      ::setenv(m_name, m_old->c_str(), 1);
    else
      ::unsetenv(m_name);
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

}  // namespace

TEST_CASE("socket path: option, then $IPSECKIT_SOCKET, then the default for the user") {
  EnvVar sock("IPSECKIT_SOCKET", "/tmp/env.sock");
  CHECK(sys::socket_path("/tmp/opt.sock") == "/tmp/opt.sock");
  CHECK(sys::socket_path() == "/tmp/env.sock");
  EnvVar empty("IPSECKIT_SOCKET", "");
  EnvVar xdg("XDG_RUNTIME_DIR", "/run/user/1000");
  if (::geteuid() == 0)
    CHECK(sys::socket_path() == "/run/ipseckit/agent.sock");
  else
    CHECK(sys::socket_path() == "/run/user/1000/ipseckit/agent.sock");
}

TEST_CASE("state dir: option, then $IPSECKIT_STATE_DIR, then the default for the user") {
  EnvVar dir("IPSECKIT_STATE_DIR", "/tmp/env-state");
  CHECK(sys::state_dir("/tmp/opt-state") == "/tmp/opt-state");
  CHECK(sys::state_dir() == "/tmp/env-state");
  EnvVar unset("IPSECKIT_STATE_DIR", std::nullopt);
  EnvVar xdg("XDG_STATE_HOME", "/home/u/.state");
  if (::geteuid() == 0)
    CHECK(sys::state_dir() == "/var/lib/ipseckit");
  else
    CHECK(sys::state_dir() == "/home/u/.state/ipseckit");
}

TEST_CASE("parent_dir") {
  CHECK(sys::parent_dir("/run/ipseckit/agent.sock") == "/run/ipseckit");
  CHECK(sys::parent_dir("/agent.sock") == "/");
  CHECK(sys::parent_dir("agent.sock") == ".");
  CHECK(sys::parent_dir("a/b/") == "a");
}
