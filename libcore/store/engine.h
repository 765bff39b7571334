// The store's server engine: keys, revisions, persistence, watchers, derivers and the
// event-log ring, with no I/O of its own (the Server feeds it; tests and the fuzzer call it
// directly). Not thread-safe: one thread owns an Engine.
//
// Revisions are one global counter (like etcd): every commit that changes something gets
// the next revision, and every key remembers the revision of its last change. Persistent
// keys (see keys.h) are written to SQLite before a commit is applied in memory or
// acknowledged; the counter is persisted in blocks so it never goes backwards across
// restarts, even for volatile writes.
//
// Values are kept as canonical JSON text (see Slot in read_view.h): a put's value is
// dumped once (or taken as it came, when it already is canonical text), and answers, events
// and SQLite rows carry that text; the tree-based entry points (get, watch, derivers) parse.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/log_ring.h"
#include "store/persist.h"
#include "store/read_view.h"
#include "store/types.h"

namespace ipseckit::store {

// A change as a watch_text() watcher sees it: the value as its canonical text ("" for a
// delete), valid during the call only.
struct TextEvent {
  Event::Kind kind = Event::Kind::put;
  std::string_view key;
  std::string_view text;
  std::uint64_t revision = 0;
};

struct EngineOptions {
  std::string state_dir;                   // empty: no persistence, every key is volatile
  std::size_t log_ring = 10000;            // event-log capacity
  std::function<std::int64_t()> clock_ms;  // unix milliseconds for log entries; default: system clock
  // Derivers triggered by commits wait for run_pending_derivers() (the server calls it once
  // per loop iteration, before answers go out), so a burst of commits is derived once.
  bool defer_derivers = false;
};

class Engine {
 public:
  using WatchFn = std::function<void(std::uint64_t watch, const Event&)>;
  using TextWatchFn = std::function<void(std::uint64_t watch, const TextEvent&)>;
  using LogFn = std::function<void(std::uint64_t watch, const LogEntry&)>;
  using DeriveFn = std::function<std::vector<TxnOp>(const ReadView&)>;

  // Opens (and locks) the state dir and loads the persistent keys. Error code "locked"
  // when another engine holds the state dir.
  static Result<std::unique_ptr<Engine>> open(EngineOptions opt);
  explicit Engine(EngineOptions opt);  // use open()
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::uint64_t revision() const { return m_revision; }
  std::size_t size() const { return m_map.size(); }
  bool persistent() const { return m_persist != nullptr; }
  ReadView view() const { return ReadView(m_map, m_revision); }

  Result<Entry> get(std::string_view key) const;  // "not_found"
  std::vector<Entry> list(std::string_view prefix) const { return view().list(prefix); }

  // if_revision: the key's current revision must equal it (0: the key must not exist), else
  // "conflict". Both return the new revision.
  Result<std::uint64_t> put(std::string_view key, Json value, std::optional<std::uint64_t> if_revision = {});
  Result<std::uint64_t> del(std::string_view key, std::optional<std::uint64_t> if_revision = {});  // "not_found"
  // All or nothing: every compare must hold ("conflict" naming the first key that failed),
  // then every op is applied in order under one new revision (or none if nothing changed).
  Result<std::uint64_t> txn(const Txn& t);
  Result<std::uint64_t> txn(Txn&& t);  // the same, moving the values into the store
  // The same for a txn whose put_text texts the caller has checked canonical
  // (json_canonical.h): they are stored as they are. Other put_text texts are checked here
  // and, if not canonical, parsed and dumped.
  Result<std::uint64_t> txn_canonical(Txn&& t);

  // Calls fn for each change to a key under prefix, in commit order, after the commit.
  // fn must not call watch()/unwatch(). Returns the watch id (> 0).
  std::uint64_t watch(std::string prefix, WatchFn fn);
  // The same with the value as its stored text (no tree is built for the event).
  std::uint64_t watch_text(std::string prefix, TextWatchFn fn);
  std::uint64_t watch_log(LogFn fn);
  bool unwatch(std::uint64_t id);  // either kind

  const LogEntry& log(std::string subsys, std::string level, std::string message);
  std::vector<LogEntry> log_read(std::uint64_t since, std::size_t limit, bool include_private) const {
    return m_log.read(since, limit, include_private);
  }
  std::uint64_t log_seq() const { return m_log.last_seq(); }

  // Derived keys: after every commit that touches one of watched (an entry ending in '/' is
  // a prefix, "" matches everything, anything else is an exact key), fn's ops are applied
  // as one follow-up commit. Puts of an unchanged value are dropped, so a deriver that
  // recomputes the same output commits nothing. Derived commits do not trigger derivers.
  // fn runs once right away, and again on every rederive().
  void add_deriver(std::vector<std::string> watched, DeriveFn fn);
  void rederive();
  // With defer_derivers: runs the derivers that commits have triggered since the last call.
  void run_pending_derivers();

 private:
  struct Change {
    std::string key;
    std::optional<std::string> text;  // the value's canonical text; nullopt: delete
  };
  struct Watcher {
    std::string prefix;
    WatchFn fn;           // one of the two
    TextWatchFn text_fn;
  };
  struct Deriver {
    std::vector<std::string> watched;
    DeriveFn fn;
    bool pending = false;
  };

  Status check_txn(const Txn& t) const;
  // steal: move the put texts out of t (a txn the caller gave up). canonical: t's put_text
  // texts are known canonical.
  std::vector<Change> plan(Txn& t, bool drop_unchanged_puts, bool steal, bool canonical) const;
  Result<std::uint64_t> commit(const Txn& t, bool derived);
  Result<std::uint64_t> commit_owned(Txn& t, bool derived, bool canonical = false);
  Status persist(const std::vector<Change>& changes, std::uint64_t rev);
  bool watched(std::string_view key) const;
  void notify(const std::vector<Change>& changes, const std::vector<bool>& watched, std::uint64_t rev);
  void run_deriver(const Deriver& d);
  void run_derivers_for(const std::vector<Change>& changes);
  std::int64_t now_ms() const;

  EngineOptions m_opt;
  std::unique_ptr<Persistence> m_persist;
  KvMap m_map;
  std::uint64_t m_revision = 0;
  std::uint64_t m_ceiling = 0;  // persisted upper bound of handed-out revisions
  LogRing m_log;
  std::uint64_t m_next_watch = 1;
  std::map<std::uint64_t, Watcher> m_watchers;
  std::map<std::uint64_t, LogFn> m_log_watchers;
  std::vector<Deriver> m_derivers;
  bool m_in_derive = false;
};

}  // namespace ipseckit::store
