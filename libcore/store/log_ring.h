// The event-log ring ("Oakley log"): volatile, fixed capacity, oldest entries dropped first.
// Sequence numbers start at 1 and never repeat within one agent's lifetime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/types.h"

namespace ipseckit::store {

inline constexpr std::size_t kMaxLogMessage = 16 * 1024;  // longer messages are truncated
inline constexpr std::size_t kMaxLogSubsys = 64;

class LogRing {
 public:
  explicit LogRing(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

  // Appends and returns the stored entry (valid until the next append).
  const LogEntry& append(std::string subsys, std::string level, std::string message, std::int64_t time_ms);
  // Entries with seq > since, oldest first, at most limit of them; entries at level
  // "private" are skipped unless include_private.
  std::vector<LogEntry> read(std::uint64_t since, std::size_t limit, bool include_private) const;

  std::uint64_t last_seq() const { return m_next_seq - 1; }
  std::size_t size() const { return m_entries.size(); }
  std::size_t capacity() const { return m_capacity; }

 private:
  // The i-th oldest entry.
  const LogEntry& at(std::size_t i) const { return m_entries[(m_oldest + i) % m_entries.size()]; }

  std::size_t m_capacity;
  std::uint64_t m_next_seq = 1;
  // A ring: grows to m_capacity, then each append overwrites the oldest entry in place, so
  // its strings' buffers are reused instead of freed and allocated again (the agent appends
  // a dozen lines per IKE negotiation; freeing long-untouched entries showed in profiles).
  std::vector<LogEntry> m_entries;
  std::size_t m_oldest = 0;  // index of the oldest entry once full
};

}  // namespace ipseckit::store
