#include "sys/paths.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ipseckit::sys {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string home_dir() {
  std::string h = env("HOME");
  if (!h.empty()) return h;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* res = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &res) == 0 && res && res->pw_dir) return res->pw_dir;
  return "/";
}

}  // namespace

std::string socket_path(std::string_view option) {
  if (!option.empty()) return std::string(option);
  if (auto e = env("IPSECKIT_SOCKET"); !e.empty()) return e;
  if (geteuid() == 0) return "/run/ipseckit/agent.sock";
  if (auto x = env("XDG_RUNTIME_DIR"); !x.empty()) return x + "/ipseckit/agent.sock";
  return "/tmp/ipseckit-" + std::to_string(geteuid()) + "/agent.sock";
}

std::string state_dir(std::string_view option) {
  if (!option.empty()) return std::string(option);
  if (auto e = env("IPSECKIT_STATE_DIR"); !e.empty()) return e;
  if (geteuid() == 0) return "/var/lib/ipseckit";
  if (auto x = env("XDG_STATE_HOME"); !x.empty()) return x + "/ipseckit";
  return home_dir() + "/.local/state/ipseckit";
}

std::string parent_dir(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return Error::make("bad_path", "empty directory path");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return Error::make("bad_path", path + " exists and is not a directory");
  }
  if (std::string parent = parent_dir(path); parent != path && parent != "." && parent != "/") {
    IPSECKIT_TRY(make_dirs(parent, mode));
  }
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == EEXIST) return {};  // created by someone else meanwhile
    return Error::make("mkdir", "cannot create " + path + ": " + std::strerror(errno));
  }
  // mkdir() honours the umask; the caller asked for exactly this mode.
  if (::chmod(path.c_str(), mode) != 0)
    return Error::make("mkdir", "cannot chmod " + path + ": " + std::strerror(errno));
  return {};
}

Result<UniqueFd> lock_exclusive(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return Error::make("lock", "cannot open lock file " + path + ": " + std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Error::make("locked", path + " is locked by another process");
    return Error::make("lock", "cannot lock " + path + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace ipseckit::sys
