#include "ike/context.h"

#include <fmt/format.h>

namespace ipseckit::ike {

void EventLog::emit(log::Level level, std::string_view sa, std::string text) {
  std::string line = sa.empty() ? std::move(text) : fmt::format("{}: {}", sa, text);
  if (log::enabled(log::Subsys::ike, level)) log::write(log::Subsys::ike, level, line);
  if (m_cb.event) m_cb.event(LogEvent{level, std::string(sa), std::move(line)});
}

void EventLog::limited(std::string_view kind, std::string text) {
  // Bounded: kinds are a fixed set of literals chosen by the engine, never peer data.
  auto it = m_limits.find(kind);
  if (it == m_limits.end()) it = m_limits.emplace(std::string(kind), Limit{}).first;
  Limit& l = it->second;
  const TimePoint now = m_clock.now();
  if (l.seen && now - l.last < m_period) {
    ++l.dropped;
    ++m_suppressed;
    return;
  }
  if (l.dropped) text += fmt::format(" ({} similar dropped since the last report)", l.dropped);
  l.seen = true;
  l.last = now;
  l.dropped = 0;
  emit(log::Level::diag, {}, std::move(text));
}

}  // namespace ipseckit::ike
