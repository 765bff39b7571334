#include "store/log_ring.h"

#include <algorithm>

namespace ipseckit::store {
namespace {

// After a cut, drop a trailing UTF-8 sequence that lost its last bytes.
void drop_partial_utf8(std::string& s) {
  std::size_t i = s.size();
  std::size_t cont = 0;
  while (i > 0 && cont < 4 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) {
    --i;
    ++cont;
  }
  if (i == 0) return;
  auto lead = static_cast<unsigned char>(s[i - 1]);
  std::size_t want = (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : 0;
  if ((lead & 0xC0) == 0xC0 && cont < want) s.resize(i - 1);
}

}  // namespace

const LogEntry& LogRing::append(std::string subsys, std::string level, std::string message, std::int64_t time_ms) {
  if (message.size() > kMaxLogMessage) {
    message.resize(kMaxLogMessage);
    drop_partial_utf8(message);
    message += " [truncated]";
  }
  if (subsys.size() > kMaxLogSubsys) subsys.resize(kMaxLogSubsys);
  if (m_entries.size() < m_capacity) {
    if (m_entries.size() == m_entries.capacity())  // grow by doubling, but never past the ring's size
      m_entries.reserve(std::min(m_capacity, std::max<std::size_t>(16, 2 * m_entries.size())));
    m_entries.push_back(LogEntry{m_next_seq++, time_ms, std::move(subsys), std::move(level), std::move(message)});
    return m_entries.back();
  }
  LogEntry& e = m_entries[m_oldest];
  m_oldest = (m_oldest + 1) % m_entries.size();
  e.seq = m_next_seq++;
  e.time_ms = time_ms;
  // Copy into the old buffers when they are big enough (no allocation); else take the new ones.
  auto reuse = [](std::string& slot, std::string& s) {
    if (s.size() <= slot.capacity())
      slot.assign(s);
    else
      slot = std::move(s);
  };
  reuse(e.subsys, subsys);
  reuse(e.level, level);
  reuse(e.message, message);
  return e;
}

std::vector<LogEntry> LogRing::read(std::uint64_t since, std::size_t limit, bool include_private) const {
  std::vector<LogEntry> out;
  if (m_entries.empty() || limit == 0) return out;
  const std::uint64_t first = at(0).seq;
  std::size_t start = since < first ? 0 : static_cast<std::size_t>(since - first + 1);
  for (std::size_t i = start; i < m_entries.size() && out.size() < limit; ++i) {
    const auto& e = at(i);
    if (!include_private && e.level == "private") continue;
    out.push_back(e);
  }
  return out;
}

}  // namespace ipseckit::store
