#include "store/line_conn.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "store/protocol.h"

namespace ipseckit::store {

Status LineConn::send(const Json& j, std::chrono::milliseconds timeout) {
  if (!m_fd) return Error::make("io", "not connected to the agent");
  auto st = sys::write_all(m_fd.get(), to_line(j), timeout);
  if (!st) m_fd.reset();
  return st;
}

Status LineConn::send_lines(std::string_view lines, std::chrono::milliseconds timeout) {
  if (!m_fd) return Error::make("io", "not connected to the agent");
  auto st = sys::write_all(m_fd.get(), lines, timeout);
  if (!st) m_fd.reset();
  return st;
}

std::optional<std::string> LineConn::take_line() {
  auto nl = m_buf.find('\n', m_start + m_scanned);
  if (nl == std::string::npos) {
    m_scanned = m_buf.size() - m_start;
    return std::nullopt;
  }
  std::string line = m_buf.substr(m_start, nl - m_start);
  m_start = nl + 1;
  m_scanned = 0;
  if (m_start == m_buf.size()) {
    m_buf.clear();
    m_start = 0;
  } else if (m_start > 65536 && m_start > m_buf.size() / 2) {
    m_buf.erase(0, m_start);
    m_start = 0;
  }
  return line;
}

Result<std::optional<Json>> LineConn::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto line = take_line()) {
      Json j = Json::parse(*line, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        return Error::make("protocol", "the agent sent a line that is not a JSON object");
      return std::optional<Json>(std::move(j));
    }
    if (!m_fd) return Error::make("io", "not connected to the agent");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (timeout.count() >= 0 && left.count() < 0) left = std::chrono::milliseconds(0);
    auto ready = sys::wait_readable(m_fd.get(), timeout.count() < 0 ? timeout : left);
    if (!ready) return ready.error();
    if (!*ready) return std::optional<Json>();
    std::array<char, 65536> buf;
    ssize_t n = ::recv(m_fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      m_buf.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0) {
      m_fd.reset();
      return Error::make("io", "the agent closed the connection");
    } else if (errno != EAGAIN && errno != EINTR) {
      std::string m = std::string("receive from the agent: ") + std::strerror(errno);
      m_fd.reset();
      return Error::make("io", m);
    }
  }
}

}  // namespace ipseckit::store
