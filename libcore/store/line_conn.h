// The client side of one connection to the agent: writes request lines, reads JSON lines.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/types.h"
#include "sys/unix_socket.h"

namespace ipseckit::store {

class LineConn {
 public:
  LineConn() = default;
  explicit LineConn(sys::UniqueFd fd) : m_fd(std::move(fd)) {}

  bool valid() const { return m_fd.valid(); }
  int fd() const { return m_fd.get(); }
  bool buffered() const { return m_start < m_buf.size(); }  // received bytes not taken yet
  Status send(const Json& j, std::chrono::milliseconds timeout);
  // Lines already serialised (each ending in '\n'), e.g. several requests in one write.
  Status send_lines(std::string_view lines, std::chrono::milliseconds timeout);
  // The next line as JSON; nullopt on timeout (negative timeout: wait forever). Error code
  // "io" when the agent closed the connection, "protocol" for a line that is not JSON.
  Result<std::optional<Json>> receive(std::chrono::milliseconds timeout);
  void close() { m_fd.reset(); }

 private:
  std::optional<std::string> take_line();

  sys::UniqueFd m_fd;
  std::string m_buf;
  std::size_t m_start = 0;    // first byte not yet returned
  std::size_t m_scanned = 0;  // bytes after m_start known to hold no newline
};

}  // namespace ipseckit::store
