#include "l2tpd/secrets.h"

#include "base/file_read.h"

#include <fmt/format.h>
#include <string>
#include <vector>

namespace ipseckit::l2tpd {

// The first line of a root-only file (0600): passwords, PSKs and tunnel secrets.
Result<SecureBytes> read_secret_file(const std::string& path, const char* what) {
  auto data = read_small_file(path, what, true, 64 * 1024);
  if (!data) return std::move(data).error();
  std::size_t len = 0;
  while (len < data->size() && data->data()[len] != '\r' && data->data()[len] != '\n') ++len;
  if (len == 0) return Error::make("failed", fmt::format("{} {}: empty", what, path));
  return SecureBytes(std::vector<std::uint8_t>(data->data(), data->data() + len));
}

}  // namespace ipseckit::l2tpd
