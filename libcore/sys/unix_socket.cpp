#include "sys/unix_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ipseckit::sys {
namespace {

std::string errno_text(std::string_view what, const std::string& path, int err) {
  std::string m(what);
  if (!path.empty()) m += " " + path;
  m += ": ";
  m += std::strerror(err);
  return m;
}

Result<sockaddr_un> make_addr(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path)
    return Error::make("bad_path", "socket path '" + path + "' is empty or longer than " +
                                       std::to_string(sizeof sa.sun_path - 1) + " bytes");
  std::memcpy(sa.sun_path, path.data(), path.size());
  return sa;
}

// connect(2) with the sockaddr cast kept in one place.
int connect_to(int fd, const sockaddr_un& sa) {
  return ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);  // NOLINT
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

}  // namespace

void UniqueFd::reset(int fd) {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = fd;
}

bool PeerCred::in_group(gid_t g) const {
  return gid == g || std::find(groups.begin(), groups.end(), g) != groups.end();
}

Result<UniqueFd> unix_listen(const std::string& path, int backlog) {
  auto sa = make_addr(path);
  if (!sa) return sa.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return Error::make("socket", errno_text("socket", "", errno));
  const auto* addr = reinterpret_cast<const sockaddr*>(&*sa);  // NOLINT
  if (::bind(fd.get(), addr, sizeof *sa) != 0) {
    if (errno != EADDRINUSE) return Error::make("bind", errno_text("bind", path, errno));
    // Something is there: a live agent, or a socket file left by one that died.
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe && connect_to(probe.get(), *sa) == 0)
      return Error::make("in_use", "another process is listening on " + path);
    if (errno != ECONNREFUSED && errno != ENOENT) return Error::make("bind", errno_text("bind", path, EADDRINUSE));
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
      return Error::make("bind", path + " exists and is not a socket");
    ::unlink(path.c_str());
    if (::bind(fd.get(), addr, sizeof *sa) != 0) return Error::make("bind", errno_text("bind", path, errno));
  }
  if (::chmod(path.c_str(), 0666) != 0) return Error::make("bind", errno_text("chmod", path, errno));
  if (::listen(fd.get(), backlog) != 0) return Error::make("listen", errno_text("listen", path, errno));
  return fd;
}

Result<UniqueFd> unix_connect(const std::string& path) {
  auto sa = make_addr(path);
  if (!sa) return sa.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::make("connect", errno_text("socket", "", errno));
  int rc;
  do {
    rc = connect_to(fd.get(), *sa);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    std::string code = err == ENOENT ? "not_found" : err == ECONNREFUSED ? "refused" : "connect";
    return Error::make(code, errno_text("connect", path, err));
  }
  return fd;
}

Result<PeerCred> peer_credentials(int fd) {
  ucred uc{};
  socklen_t len = sizeof uc;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
    return Error::make("peercred", errno_text("SO_PEERCRED", "", errno));
  PeerCred pc;
  pc.pid = uc.pid;
  pc.uid = uc.uid;
  pc.gid = uc.gid;
#ifdef SO_PEERGROUPS
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto glen = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
      groups.resize(glen / sizeof(gid_t));
      pc.groups = std::move(groups);
      break;
    }
    if (errno != ERANGE) break;
    groups.resize(glen / sizeof(gid_t) + 1);
  }
#endif
  return pc;
}

Status set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return Error::make("fcntl", errno_text("fcntl", "", errno));
  flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) != 0) return Error::make("fcntl", errno_text("fcntl", "", errno));
  return {};
}

Status write_all(int fd, std::string_view data, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return Error::make("io", errno_text("send", "", errno));
    pollfd p{fd, POLLOUT, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc == 0) return Error::make("timeout", "timed out writing to the socket");
    if (rc < 0 && errno != EINTR) return Error::make("io", errno_text("poll", "", errno));
  }
  return {};
}

Result<bool> wait_readable(int fd, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int ms = timeout.count() < 0 ? -1 : remaining_ms(deadline);
    int rc = ::poll(&p, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return Error::make("io", errno_text("poll", "", errno));
  }
}

}  // namespace ipseckit::sys
