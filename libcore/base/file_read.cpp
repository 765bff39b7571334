#include "base/file_read.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ipseckit {

Result<SecureBytes> read_small_file(const std::string& path, const char* what, bool secret,
                                    std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::make("failed", fmt::format("{} {}: {}", what, path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::make("failed", fmt::format("{} {}: not a regular file", what, path));
  }
  if (secret && (st.st_mode & 077) != 0) {
    ::close(fd);
    return Error::make("failed", fmt::format("{} {}: readable or writable by group or others (mode {:04o}); chmod 600 it",
                                             what, path, st.st_mode & 07777));
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error::make("failed", fmt::format("{} {}: larger than {} bytes", what, path, max_bytes));
  }
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      SecureBytes wipe(std::move(buf));
      return Error::make("failed", fmt::format("{} {}: {}", what, path, std::strerror(e)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  return SecureBytes(std::move(buf));
}

}  // namespace ipseckit
