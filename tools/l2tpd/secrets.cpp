#include "l2tpd/secrets.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ipseckit::l2tpd {

Result<SecureBytes> read_secret_file(const std::string& path, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::make("failed", fmt::format("{} {}: {}", what, path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::make("failed", fmt::format("{} {}: not a regular file", what, path));
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Error::make("failed", fmt::format("{} {}: readable or writable by group or others (mode {:04o}); "
                                             "chmod 600 it",
                                             what, path, st.st_mode & 07777));
  }
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Error::make("failed", fmt::format("{} {}: {}", what, path, std::strerror(errno)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 4096) break;
  }
  ::close(fd);
  const auto eol = text.find_first_of("\r\n");
  if (eol != std::string::npos) text.resize(eol);
  SecureBytes out{std::string_view(text)};
  explicit_bzero(text.data(), text.size());
  explicit_bzero(buf, sizeof buf);
  if (out.size() == 0) return Error::make("failed", fmt::format("{} {}: empty", what, path));
  return out;
}

}  // namespace ipseckit::l2tpd
