#include "sys/spawn.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/strings.h"
#include "sys/paths.h"

namespace ipseckit::sys {
namespace {

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

void write_fully(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

int status_to_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

std::string self_exe_path() {
  std::array<char, 4096> buf{};
  ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::optional<std::string> find_program(std::string_view name) {
  if (std::string self = self_exe_path(); !self.empty()) {
    std::string candidate = parent_dir(self) + "/" + std::string(name);
    if (is_executable(candidate)) return candidate;
  }
  const char* path = std::getenv("PATH");
  for (auto dir : str::split(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ":", true)) {
    std::string candidate = std::string(dir) + "/" + std::string(name);
    if (is_executable(candidate)) return candidate;
  }
  return std::nullopt;
}

Result<pid_t> spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error::make("spawn", "empty command");
  // Everything the child needs is prepared before fork(): after it only async-signal-safe calls.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // execv's historical signature
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Error::make("spawn", std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      if (devnull > 2) ::close(devnull);
    }
    ::execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

std::optional<int> try_reap(pid_t pid) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  if (r < 0) return 127;  // not our child (or already reaped)
  return status_to_code(status);
}

void ReadyNotifier::ready() {
  if (!m_fd) return;
  write_fully(m_fd.get(), "R");
  m_fd.reset();
}

void ReadyNotifier::fail(std::string_view message) {
  if (!m_fd) return;
  write_fully(m_fd.get(), "F");
  write_fully(m_fd.get(), message);
  m_fd.reset();
}

Result<std::variant<ReadyNotifier, DaemonParent>> daemonize() {
  std::array<int, 2> p{};
  if (::pipe2(p.data(), O_CLOEXEC) != 0) return Error::make("daemon", std::string("pipe: ") + std::strerror(errno));
  UniqueFd rd(p[0]);
  UniqueFd wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) return Error::make("daemon", std::string("fork: ") + std::strerror(errno));
  if (pid > 0) {
    wr.reset();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string got;
    std::array<char, 512> buf{};
    for (;;) {
      ssize_t n = ::read(rd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got.append(buf.data(), static_cast<std::size_t>(n));
      if (got[0] == 'R') break;
    }
    if (!got.empty() && got[0] == 'R') return std::variant<ReadyNotifier, DaemonParent>(DaemonParent{0, {}});
    if (!got.empty() && got[0] == 'F') return std::variant<ReadyNotifier, DaemonParent>(DaemonParent{1, got.substr(1)});
    return std::variant<ReadyNotifier, DaemonParent>(DaemonParent{1, "the daemon exited before it was ready"});
  }
  // Intermediate child: new session, then fork again so the daemon can never reacquire a tty.
  rd.reset();
  ::setsid();
  pid_t pid2 = ::fork();
  if (pid2 < 0) {
    write_fully(wr.get(), "F");
    write_fully(wr.get(), std::string("fork: ") + std::strerror(errno));
    _exit(1);
  }
  if (pid2 > 0) _exit(0);
  if (::chdir("/") != 0) {
    // "/" always exists; nothing useful to do if it does not.
  }
  return std::variant<ReadyNotifier, DaemonParent>(ReadyNotifier(std::move(wr)));
}

Status redirect_stdio(const std::string& stderr_path) {
  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) return Error::make("io", std::string("/dev/null: ") + std::strerror(errno));
  UniqueFd log(::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!log) return Error::make("io", stderr_path + ": " + std::strerror(errno));
  if (::dup2(devnull.get(), 0) < 0 || ::dup2(devnull.get(), 1) < 0 || ::dup2(log.get(), 2) < 0)
    return Error::make("io", std::string("dup2: ") + std::strerror(errno));
  return {};
}

}  // namespace ipseckit::sys
