#include "store/engine.h"

#include <chrono>
#include <exception>
#include <set>

#include "base/log.h"
#include "store/keys.h"

namespace ipseckit::store {
namespace {

// Revisions are reserved in blocks: one fsync per kReserve volatile commits keeps the
// counter monotonic across restarts.
constexpr std::uint64_t kReserve = 1000;

bool pattern_matches(std::string_view pattern, std::string_view key) {
  if (pattern.empty()) return true;
  if (pattern.back() == '/') return has_prefix(key, pattern);
  return key == pattern;
}

std::string field(std::string_view base, std::size_t i, std::string_view name) {
  return std::string(base) + "[" + std::to_string(i) + "]." + std::string(name);
}

}  // namespace

Engine::Engine(EngineOptions opt) : m_opt(std::move(opt)), m_log(m_opt.log_ring) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions opt) {
  auto e = std::make_unique<Engine>(std::move(opt));
  if (!e->m_opt.state_dir.empty()) {
    auto p = Persistence::open(e->m_opt.state_dir);
    if (!p) return p.error();
    auto loaded = (*p)->load();
    if (!loaded) return loaded.error();
    for (auto& en : loaded->entries) e->m_map[std::move(en.key)] = Slot{std::move(en.value), en.revision};
    e->m_revision = e->m_ceiling = loaded->ceiling;
    e->m_persist = std::move(p.value());
  }
  return e;
}

std::int64_t Engine::now_ms() const {
  if (m_opt.clock_ms) return m_opt.clock_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Entry> Engine::get(std::string_view key) const {
  auto it = m_map.find(key);
  if (it == m_map.end()) return Error::make("not_found", "key '" + std::string(key) + "' not found");
  return Entry{it->first, it->second.value, it->second.revision};
}

Result<std::uint64_t> Engine::put(std::string_view key, Json value, std::optional<std::uint64_t> if_revision) {
  IPSECKIT_TRY(check_key(key, "key", true));
  Txn t;
  if (if_revision) t.compares.push_back(Compare{std::string(key), *if_revision});
  t.ops.push_back(TxnOp::put(std::string(key), std::move(value)));
  return commit_owned(t, false);
}

Result<std::uint64_t> Engine::del(std::string_view key, std::optional<std::uint64_t> if_revision) {
  IPSECKIT_TRY(check_key(key, "key", true));
  if (m_map.find(key) == m_map.end()) return Error::make("not_found", "key '" + std::string(key) + "' not found");
  Txn t;
  if (if_revision) t.compares.push_back(Compare{std::string(key), *if_revision});
  t.ops.push_back(TxnOp::del(std::string(key)));
  return commit_owned(t, false);
}

Result<std::uint64_t> Engine::txn(const Txn& t) {
  return commit(t, false);
}

Result<std::uint64_t> Engine::txn(Txn&& t) {
  return commit_owned(t, false);
}

Status Engine::check_txn(const Txn& t) const {
  for (std::size_t i = 0; i < t.compares.size(); ++i)
    IPSECKIT_TRY(check_key(t.compares[i].key, field("compare", i, "key"), false));
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const auto& op = t.ops[i];
    if (op.kind == TxnOp::Kind::delete_prefix) {
      if (op.key.empty())
        return Error::make("bad_request", "field '" + field("ops", i, "prefix") + "' must not be empty");
      IPSECKIT_TRY(check_key(op.key, field("ops", i, "prefix"), true));
    } else {
      IPSECKIT_TRY(check_key(op.key, field("ops", i, "key"), true));
    }
  }
  for (const auto& c : t.compares) {
    auto it = m_map.find(c.key);
    std::uint64_t have = it == m_map.end() ? 0 : it->second.revision;
    if (have != c.revision) {
      std::string msg = "compare failed on key '" + c.key + "': ";
      msg += have == 0 ? "it does not exist" : "it is at revision " + std::to_string(have);
      msg += c.revision == 0 ? ", expected it not to exist" : ", expected revision " + std::to_string(c.revision);
      return Error::make("conflict", msg);
    }
  }
  return {};
}

std::vector<Engine::Change> Engine::plan(Txn& t, bool drop_unchanged_puts, bool steal) const {
  std::vector<Change> out;
  // State as the txn goes: key -> index in out of its last change (a put's value or a delete).
  std::map<std::string, std::size_t, std::less<>> overlay;
  auto current = [&](const std::string& k) -> const Json* {
    if (auto o = overlay.find(k); o != overlay.end()) return out[o->second].value ? &*out[o->second].value : nullptr;
    auto it = m_map.find(k);
    return it == m_map.end() ? nullptr : &it->second.value;
  };
  auto remove = [&](const std::string& k) {
    if (!current(k)) return;
    out.push_back(Change{k, std::nullopt});
    overlay[k] = out.size() - 1;
  };
  for (auto& op : t.ops) {
    switch (op.kind) {
      case TxnOp::Kind::put: {
        const Json* cur = current(op.key);
        if (drop_unchanged_puts && cur && *cur == op.value) break;
        out.push_back(Change{op.key, steal ? std::move(op.value) : op.value});
        overlay[op.key] = out.size() - 1;
        break;
      }
      case TxnOp::Kind::del:
        remove(op.key);
        break;
      case TxnOp::Kind::delete_prefix: {
        std::set<std::string> keys;
        for (auto it = m_map.lower_bound(op.key); it != m_map.end() && has_prefix(it->first, op.key); ++it)
          keys.insert(it->first);
        for (auto it = overlay.lower_bound(op.key); it != overlay.end() && has_prefix(it->first, op.key); ++it)
          keys.insert(it->first);
        for (const auto& k : keys) remove(k);
        break;
      }
    }
  }
  return out;
}

Status Engine::persist(const std::vector<Change>& changes, std::uint64_t rev) {
  if (!m_persist) return {};
  std::vector<Persistence::Write> writes;
  for (const auto& c : changes) {
    if (!is_persistent(c.key)) continue;
    Persistence::Write w{c.key, std::nullopt, rev};
    if (c.value) w.value = c.value->dump(-1, ' ', false, Json::error_handler_t::replace);
    writes.push_back(std::move(w));
  }
  std::optional<std::uint64_t> ceiling;
  if (rev > m_ceiling) ceiling = rev + kReserve;
  IPSECKIT_TRY(m_persist->commit(writes, ceiling));
  if (ceiling) m_ceiling = *ceiling;
  return {};
}

Result<std::uint64_t> Engine::commit(const Txn& t, bool derived) {
  Txn copy = t;  // plan() may move values out only of a txn it owns
  return commit_owned(copy, derived);
}

Result<std::uint64_t> Engine::commit_owned(Txn& t, bool derived) {
  IPSECKIT_TRY(check_txn(t));
  std::vector<Change> changes = plan(t, derived, true);
  if (changes.empty()) return m_revision;
  const std::uint64_t rev = m_revision + 1;
  IPSECKIT_TRY(persist(changes, rev));
  // A value nobody watches moves into the map; a watched one is copied, for the event.
  std::vector<bool> seen(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    auto& c = changes[i];
    seen[i] = watched(c.key);
    if (c.value)
      m_map.insert_or_assign(c.key, Slot{seen[i] ? *c.value : std::move(*c.value), rev});
    else if (auto it = m_map.find(c.key); it != m_map.end())
      m_map.erase(it);
  }
  m_revision = rev;
  notify(changes, seen, rev);
  if (!derived) run_derivers_for(changes);
  return rev;
}

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
    Event ev{c.value ? Event::Kind::put : Event::Kind::del, c.key, c.value ? *c.value : Json(), rev, false};
    for (const auto& [id, w] : m_watchers)
      if (has_prefix(c.key, w.prefix)) w.fn(id, ev);
  }
}

std::uint64_t Engine::watch(std::string prefix, WatchFn fn) {
  std::uint64_t id = m_next_watch++;
  m_watchers.emplace(id, Watcher{std::move(prefix), std::move(fn)});
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
