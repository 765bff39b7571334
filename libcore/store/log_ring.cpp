#include "store/log_ring.h"

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
  if (m_entries.size() == m_capacity) m_entries.pop_front();
  m_entries.push_back(LogEntry{m_next_seq++, time_ms, std::move(subsys), std::move(level), std::move(message)});
  return m_entries.back();
}

std::vector<LogEntry> LogRing::read(std::uint64_t since, std::size_t limit, bool include_private) const {
  std::vector<LogEntry> out;
  if (m_entries.empty() || limit == 0) return out;
  const std::uint64_t first = m_entries.front().seq;
  std::size_t start = since < first ? 0 : static_cast<std::size_t>(since - first + 1);
  for (std::size_t i = start; i < m_entries.size() && out.size() < limit; ++i) {
    const auto& e = m_entries[i];
    if (!include_private && e.level == "private") continue;
    out.push_back(e);
  }
  return out;
}

}  // namespace ipseckit::store
