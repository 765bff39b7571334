// Unix-domain stream sockets and the file descriptor handle every socket user shares.
// Sockets are always close-on-exec; listeners are non-blocking and world-connectable
// (authorisation is by the peer's credentials, see peer_credentials()).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace ipseckit::sys {

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.m_fd, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { return std::exchange(m_fd, -1); }
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

// Who is on the other end of a connected Unix socket (SO_PEERCRED, SO_PEERGROUPS).
struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, where the kernel reports them
  bool in_group(gid_t g) const;
};

// Binds and listens on path. A stale socket file (nobody accepting) is replaced; a live one
// is an error with code "in_use". The socket file is made mode 0666. Non-blocking.
Result<UniqueFd> unix_listen(const std::string& path, int backlog = 128);

// Connects (blocking). Error codes: "not_found" (no socket file), "refused" (nobody
// listening), "connect" (anything else, e.g. permission denied).
Result<UniqueFd> unix_connect(const std::string& path);

Result<PeerCred> peer_credentials(int fd);

Status set_nonblocking(int fd, bool on = true);

// Writes all of data to a blocking or non-blocking fd, waiting with poll() up to timeout.
// Error code "io" (with errno text) or "timeout".
Status write_all(int fd, std::string_view data, std::chrono::milliseconds timeout);

// Waits until fd is readable. Returns false on timeout. Negative timeout waits forever.
Result<bool> wait_readable(int fd, std::chrono::milliseconds timeout);

}  // namespace ipseckit::sys
