// The engine's outputs: watchers, the event-log ring and derivers (engine.h).
#include <exception>
#include <optional>

#include "base/log.h"
#include "store/engine.h"
#include "store/keys.h"

namespace ipseckit::store {
namespace {

bool pattern_matches(std::string_view pattern, std::string_view key) {
  if (pattern.empty()) return true;
  if (pattern.back() == '/') return has_prefix(key, pattern);
  return key == pattern;
}

}  // namespace

bool Engine::watched(std::string_view key) const {
  for (const auto& [id, w] : m_watchers)
    if (has_prefix(key, w.prefix)) return true;
  return false;
}

void Engine::notify(const std::vector<Change>& changes, const std::vector<bool>& watched, std::uint64_t rev) {
  if (m_watchers.empty()) return;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (!watched[i]) continue;
    const auto& c = changes[i];
    const auto kind = c.text ? Event::Kind::put : Event::Kind::del;
    const TextEvent te{kind, c.key, c.text ? std::string_view(*c.text) : std::string_view(), rev};
    std::optional<Event> ev;  // for tree watchers: parsed once, on first need
    for (const auto& [id, w] : m_watchers) {
      if (!has_prefix(c.key, w.prefix)) continue;
      if (w.text_fn) {
        w.text_fn(id, te);
        continue;
      }
      if (!ev) ev = Event{kind, c.key, c.text ? Json::parse(*c.text) : Json(), rev, false};
      w.fn(id, *ev);
    }
  }
}

std::uint64_t Engine::watch(std::string prefix, WatchFn fn) {
  std::uint64_t id = m_next_watch++;
  m_watchers.emplace(id, Watcher{std::move(prefix), std::move(fn), {}});
  return id;
}

std::uint64_t Engine::watch_text(std::string prefix, TextWatchFn fn) {
  std::uint64_t id = m_next_watch++;
  m_watchers.emplace(id, Watcher{std::move(prefix), {}, std::move(fn)});
  return id;
}

std::uint64_t Engine::watch_log(LogFn fn) {
  std::uint64_t id = m_next_watch++;
  m_log_watchers.emplace(id, std::move(fn));
  return id;
}

bool Engine::unwatch(std::uint64_t id) {
  return m_watchers.erase(id) + m_log_watchers.erase(id) > 0;
}

const LogEntry& Engine::log(std::string subsys, std::string level, std::string message) {
  const LogEntry& e = m_log.append(std::move(subsys), std::move(level), std::move(message), now_ms());
  for (const auto& [id, fn] : m_log_watchers) fn(id, e);
  return e;
}

void Engine::add_deriver(std::vector<std::string> watched, DeriveFn fn) {
  m_derivers.push_back(Deriver{std::move(watched), std::move(fn)});
  run_deriver(m_derivers.back());
}

void Engine::rederive() {
  for (auto& d : m_derivers) {
    d.pending = false;
    run_deriver(d);
  }
}

void Engine::run_derivers_for(const std::vector<Change>& changes) {
  for (auto& d : m_derivers) {
    bool hit = false;
    for (const auto& c : changes) {
      for (const auto& p : d.watched) hit = hit || pattern_matches(p, c.key);
      if (hit) break;
    }
    if (!hit) continue;
    if (m_opt.defer_derivers)
      d.pending = true;
    else
      run_deriver(d);
  }
}

void Engine::run_pending_derivers() {
  for (auto& d : m_derivers) {
    if (!d.pending) continue;
    d.pending = false;
    run_deriver(d);
  }
}

void Engine::run_deriver(const Deriver& d) {
  if (m_in_derive) return;
  m_in_derive = true;
  Txn t;
  try {
    t.ops = d.fn(view());
  } catch (const std::exception& e) {
    log::msg(log::Subsys::store, log::Level::audit, "deriver failed: {}", e.what());
    m_in_derive = false;
    return;
  }
  auto r = commit_owned(t, true);
  if (!r) log::msg(log::Subsys::store, log::Level::audit, "derived commit failed: {}", r.error().message);
  m_in_derive = false;
}

}  // namespace ipseckit::store
