// The persistent half of the store: one SQLite database in the state dir (WAL,
// synchronous=FULL), written one transaction per commit, plus the lock file that keeps a
// second agent off the same state dir.
//   <state-dir>/store.db        kv(key, value JSON text, revision), meta(name, value)
//   <state-dir>/policyagent.lock  flock()ed for the lifetime of the Persistence
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/types.h"
#include "sys/unix_socket.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ipseckit::store {

class Persistence {
 public:
  struct Write {
    std::string key;
    std::optional<std::string> value;  // JSON text; nullopt deletes
    std::uint64_t revision = 0;
  };
  struct Loaded {
    std::vector<Entry> entries;
    std::uint64_t ceiling = 0;  // no revision above this was ever handed out
  };

  // Creates dir (0700) if needed, locks it (error code "locked" if another process holds
  // it) and opens or creates the database.
  static Result<std::unique_ptr<Persistence>> open(const std::string& dir);
  Persistence() = default;  // use open()
  ~Persistence() = default;
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  Result<Loaded> load();
  // All writes and the new ceiling (if any) in one transaction; durable when this returns ok.
  Status commit(const std::vector<Write>& writes, std::optional<std::uint64_t> ceiling);

  const std::string& dir() const { return m_dir; }

 private:
  Status exec(const char* sql);
  struct DbClose {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalize {
    void operator()(sqlite3_stmt* st) const;
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;
  Result<Stmt> prepare(const char* sql);
  Error sql_error(std::string_view what) const;
  Status apply(const std::vector<Write>& writes, std::optional<std::uint64_t> ceiling);

  std::string m_dir;
  sys::UniqueFd m_lock;
  std::unique_ptr<sqlite3, DbClose> m_db;  // declared first: destroyed after the statements
  Stmt m_upsert;
  Stmt m_delete;
  Stmt m_set_meta;
};

}  // namespace ipseckit::store
