// Splits a byte stream into newline-terminated lines without ever holding more than
// max_line bytes of an unfinished line: a peer that sends a line longer than the limit is
// detected as soon as the limit is passed, not after the whole line arrived.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ipseckit::store {

class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line) : m_max(max_line) {}

  // Appends bytes. Returns false, and keeps nothing of them, when a line (without its
  // newline) would exceed max_line; the framer should then be abandoned.
  bool append(std::string_view bytes);
  // The next complete line without its newline; valid until the next append() or next().
  std::optional<std::string_view> next();
  // What is left after the last newline (the final line of a stream that ended without one).
  std::string_view partial() const;
  // Bytes held: complete lines not yet taken plus the unfinished line.
  std::size_t buffered() const { return m_buf.size() - m_start; }

 private:
  std::size_t m_max;
  std::vector<char> m_buf;
  std::size_t m_start = 0;     // first byte not yet returned by next()
  std::size_t m_scanned = 0;   // bytes from m_start known to hold no newline
  std::size_t m_line_len = 0;  // length of the unfinished line (for the limit)
};

}  // namespace ipseckit::store
