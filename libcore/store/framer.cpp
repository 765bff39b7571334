#include "store/framer.h"

#include <algorithm>
#include <cstring>

namespace ipseckit::store {

bool LineFramer::append(std::string_view bytes) {
  // Check the limit line by line before keeping anything.
  std::size_t len = m_line_len;
  for (std::size_t pos = 0; pos < bytes.size();) {
    const void* nl = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) : bytes.size();
    len += end - pos;
    if (len > m_max) return false;
    if (!nl) break;
    len = 0;
    pos = end + 1;
  }
  m_line_len = len;
  // Drop consumed bytes before growing; grow to what is needed (capped growth, so the
  // buffer stays close to max_line even for a peer that sits just under the limit).
  if (m_start > 0 && (m_start == m_buf.size() || m_buf.size() + bytes.size() > m_buf.capacity())) {
    m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<std::ptrdiff_t>(m_start));
    m_start = 0;
  }
  const std::size_t need = m_buf.size() + bytes.size();
  if (need > m_buf.capacity()) m_buf.reserve(std::max(need, std::min(m_buf.capacity() * 2, m_max + 65536)));
  m_buf.insert(m_buf.end(), bytes.begin(), bytes.end());
  return true;
}

std::optional<std::string_view> LineFramer::next() {
  const char* base = m_buf.data() + m_start;
  const std::size_t avail = m_buf.size() - m_start;
  if (avail == m_scanned) return std::nullopt;
  const void* nl = std::memchr(base + m_scanned, '\n', avail - m_scanned);
  if (!nl) {
    m_scanned = avail;
    return std::nullopt;
  }
  auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
  std::string_view line(base, len);
  m_start += len + 1;
  m_scanned = 0;
  return line;
}

std::string_view LineFramer::partial() const {
  return std::string_view(m_buf.data() + m_start, m_buf.size() - m_start);
}

}  // namespace ipseckit::store
