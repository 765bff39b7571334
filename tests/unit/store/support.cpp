#include "support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace ipseckit::store::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ipseckit-store-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data())) m_path = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
}

std::string agent_binary() {
  return std::string(IPSECKIT_BIN_DIR) + "/policyagent";
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int wait_child(pid_t pid, std::chrono::milliseconds timeout) {
  int status = 0;
  bool done = wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

namespace {

pid_t spawn_agent(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv{agent_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(err >= 0 ? err : null, 2);
    ::execv(cargs[0], cargs.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

Agent::Agent(std::string socket, std::string state_dir, std::vector<std::string> extra)
    : m_socket(std::move(socket)), m_state(std::move(state_dir)), m_log(m_state + ".log") {
  std::vector<std::string> args{"--foreground", "--socket", m_socket, "--state-dir", m_state};
  args.insert(args.end(), extra.begin(), extra.end());
  m_pid = spawn_agent(args, m_log);
  m_ready = wait_until(
      [&] {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
          m_pid = -1;
          return true;  // exited: not ready
        }
        return static_cast<bool>(sys::unix_connect(m_socket));
      },
      std::chrono::seconds(10));
  m_ready = m_ready && m_pid > 0;
}

Agent::~Agent() {
  if (m_pid > 0 && terminate() < 0) kill9();
}

ClientOptions Agent::options() const {
  ClientOptions o;
  o.socket = m_socket;
  o.state_dir = m_state;
  o.autostart = false;
  o.timeout = std::chrono::seconds(20);
  return o;
}

void Agent::kill9() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGKILL);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
}

int Agent::terminate() {
  if (m_pid <= 0) return -1;
  ::kill(m_pid, SIGTERM);
  int rc = wait_child(m_pid, std::chrono::seconds(10));
  m_pid = -1;
  return rc;
}

long Agent::peak_rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(m_pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int run_agent_command(const std::vector<std::string>& args, std::string* err) {
  TempDir tmp;
  std::string log = tmp / "stderr";
  pid_t pid = spawn_agent(args, log);
  int rc = wait_child(pid, std::chrono::seconds(20));
  if (err) {
    std::ifstream in(log);
    err->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return rc;
}

}  // namespace ipseckit::store::test
