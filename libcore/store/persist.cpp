#include "store/persist.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "sys/paths.h"

namespace ipseckit::store {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL, revision INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta(name, value) VALUES('schema', 1);"
    "INSERT OR IGNORE INTO meta(name, value) VALUES('ceiling', 0);";

std::int64_t to_sql(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(v);
}

std::uint64_t from_sql(std::int64_t v) {
  return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}

}  // namespace

void Persistence::DbClose::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}
void Persistence::StmtFinalize::operator()(sqlite3_stmt* st) const {
  sqlite3_finalize(st);
}

Error Persistence::sql_error(std::string_view what) const {
  std::string m = "sqlite " + std::string(what) + " (" + m_dir + "/store.db)";
  if (m_db) m += ": " + std::string(sqlite3_errmsg(m_db.get()));
  return Error::make("internal", m);
}

Status Persistence::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return Error::make("internal", "sqlite: " + m + " (" + m_dir + "/store.db)");
  }
  return {};
}

Result<Persistence::Stmt> Persistence::prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(m_db.get(), sql, -1, &st, nullptr) != SQLITE_OK) return sql_error("prepare");
  return Stmt(st);
}

Result<std::unique_ptr<Persistence>> Persistence::open(const std::string& dir) {
  auto p = std::make_unique<Persistence>();
  p->m_dir = dir;
  IPSECKIT_TRY(sys::make_dirs(dir, 0700));
  auto lock = sys::lock_exclusive(dir + "/policyagent.lock");
  if (!lock) {
    if (lock.error().code == "locked")
      return Error::make("locked", "state dir " + dir + " is in use by another policyagent");
    return lock.error();
  }
  p->m_lock = std::move(lock.value());

  // Create the database file ourselves so it is 0600 (it holds pre-shared keys); SQLite
  // gives its -wal and -shm files the same mode.
  const std::string path = dir + "/store.db";
  sys::UniqueFd create(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!create) return Error::make("internal", "cannot create " + path + ": " + std::strerror(errno));
  create.reset();

  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  p->m_db.reset(db);
  if (rc != SQLITE_OK) return p->sql_error("open");
  sqlite3_busy_timeout(p->m_db.get(), 5000);
  IPSECKIT_TRY(p->exec("PRAGMA journal_mode=WAL"));
  IPSECKIT_TRY(p->exec("PRAGMA synchronous=FULL"));
  IPSECKIT_TRY(p->exec(kSchema));

  auto up = p->prepare(
      "INSERT INTO kv(key, value, revision) VALUES(?1, ?2, ?3)"
      " ON CONFLICT(key) DO UPDATE SET value = excluded.value, revision = excluded.revision");
  if (!up) return up.error();
  p->m_upsert = std::move(up.value());
  auto del = p->prepare("DELETE FROM kv WHERE key = ?1");
  if (!del) return del.error();
  p->m_delete = std::move(del.value());
  auto meta = p->prepare("UPDATE meta SET value = ?2 WHERE name = ?1");
  if (!meta) return meta.error();
  p->m_set_meta = std::move(meta.value());
  return p;
}

Result<Persistence::Loaded> Persistence::load() {
  Loaded out;
  auto rows = prepare("SELECT key, value, revision FROM kv ORDER BY key");
  if (!rows) return rows.error();
  int rc;
  while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
    const auto* k = sqlite3_column_text(rows->get(), 0);
    const auto* v = sqlite3_column_text(rows->get(), 1);
    std::string key = k ? reinterpret_cast<const char*>(k) : "";       // NOLINT: SQLite's unsigned char text
    std::string text = v ? reinterpret_cast<const char*>(v) : "null";  // NOLINT
    Json value = Json::parse(text, nullptr, false);
    if (value.is_discarded()) return Error::make("internal", "corrupt value for key '" + key + "' in " + m_dir);
    std::uint64_t rev = from_sql(sqlite3_column_int64(rows->get(), 2));
    out.ceiling = std::max(out.ceiling, rev);
    out.entries.push_back(Entry{std::move(key), std::move(value), rev});
  }
  if (rc != SQLITE_DONE) return sql_error("load");
  auto meta = prepare("SELECT value FROM meta WHERE name = 'ceiling'");
  if (!meta) return meta.error();
  if (sqlite3_step(meta->get()) == SQLITE_ROW)
    out.ceiling = std::max(out.ceiling, from_sql(sqlite3_column_int64(meta->get(), 0)));
  return out;
}

Status Persistence::apply(const std::vector<Write>& writes, std::optional<std::uint64_t> ceiling) {
  for (const auto& w : writes) {
    sqlite3_stmt* st = w.value ? m_upsert.get() : m_delete.get();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, w.key.data(), static_cast<int>(w.key.size()), SQLITE_STATIC);
    if (w.value) {
      sqlite3_bind_text(st, 2, w.value->data(), static_cast<int>(w.value->size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 3, to_sql(w.revision));
    }
    if (sqlite3_step(st) != SQLITE_DONE) return sql_error(w.value ? "write" : "delete");
  }
  if (ceiling) {
    sqlite3_stmt* st = m_set_meta.get();
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "ceiling", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, to_sql(*ceiling));
    if (sqlite3_step(st) != SQLITE_DONE) return sql_error("write meta");
  }
  return {};
}

Status Persistence::commit(const std::vector<Write>& writes, std::optional<std::uint64_t> ceiling) {
  if (writes.empty() && !ceiling) return {};
  IPSECKIT_TRY(exec("BEGIN IMMEDIATE"));
  auto st = apply(writes, ceiling);
  if (!st) {
    (void)exec("ROLLBACK");
    return st;
  }
  if (auto c = exec("COMMIT"); !c) {
    (void)exec("ROLLBACK");
    return c;
  }
  return {};
}

}  // namespace ipseckit::store
