// The typed C++ client of the state store. Tools use this; nothing else speaks the wire
// protocol. Errors come back as Result with the agent's error code in Error::code
// ("bad_request", "not_found", "conflict", "forbidden", "too_large", "unsupported_version",
// "internal") or a transport code ("unavailable": no agent answers and none could be
// started, "io", "timeout", "protocol"). The library prints only one thing: a refused quiet
// log_nowait() request, which has no caller to return to, is reported through log::write()
// (stderr by default), at most one line per 10 s.
//
//   auto c = store::Client::connect();          // auto-starts policyagent if needed
//   if (!c) return fail(c.error());
//   auto rev = c->put("config/log-level", "diag");
//   auto w = c->watch("spd/", /*snapshot=*/true);
//   while (auto ev = w->next(std::chrono::seconds(1))) { if (*ev) ... }
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/line_conn.h"
#include "store/types.h"

namespace ipseckit::store {

struct ClientOptions {
  std::string socket;                             // empty: sys::socket_path() (--socket, $IPSECKIT_SOCKET, defaults)
  std::string state_dir;                          // passed to an auto-started agent as --state-dir (empty: its default)
  bool autostart = true;                          // also off when $IPSECKIT_NO_AUTOSTART=1
  std::string agent;                              // the policyagent binary; empty: next to this executable, then $PATH
  std::chrono::milliseconds start_timeout{5000};  // waiting for an auto-started agent
  std::chrono::milliseconds timeout{30000};       // per request
};

// The agent's answer to hello.
struct HelloInfo {
  int protocol = 0;
  std::string server;     // "policyagent/0.1.0"
  std::uint64_t uid = 0;  // this process's uid as the agent saw it
  bool admin = false;     // whether this process may write
  std::uint64_t revision = 0;
  std::int64_t pid = 0;  // the agent's pid
};

struct ListResult {
  std::vector<Entry> items;    // sorted by key
  std::uint64_t revision = 0;  // the store's revision when listed
};

// A watch on its own connection. Events arrive in commit order; snapshot events first.
class Watch {
 public:
  // The next event; nullopt on timeout (negative: wait forever). Error "io" when the
  // agent closed the connection (for instance because this watcher fell too far behind).
  Result<std::optional<Event>> next(std::chrono::milliseconds timeout);
  std::uint64_t id() const { return m_id; }
  std::uint64_t revision() const { return m_revision; }  // the store's revision at watch time
  int fd() const { return m_conn.fd(); }                 // readable when next() may have data
  bool buffered() const { return m_conn.buffered(); }    // next() may have data without fd() readable

 private:
  friend class Client;
  Watch(LineConn conn, std::uint64_t id, std::uint64_t revision)
      : m_conn(std::move(conn)), m_id(id), m_revision(revision) {}
  LineConn m_conn;
  std::uint64_t m_id;
  std::uint64_t m_revision;
};

class Client {
 public:
  // Resolves the socket, auto-starts the agent if nobody answers there, and says hello.
  static Result<Client> connect(const ClientOptions& opt = {});

  const HelloInfo& info() const { return m_info; }
  const std::string& socket_path() const { return m_path; }

  Result<Entry> get(std::string_view key);
  // if_revision: the key must be at that revision (0: must not exist), else "conflict".
  Result<std::uint64_t> put(std::string_view key, const Json& value, std::optional<std::uint64_t> if_revision = {});
  Result<std::uint64_t> del(std::string_view key, std::optional<std::uint64_t> if_revision = {});
  Result<ListResult> list(std::string_view prefix, bool keys_only = false);
  Result<std::uint64_t> txn(const Txn& t);  // the txn's revision
  Result<std::uint64_t> log(std::string_view subsys, std::string_view level, std::string_view message);  // seq
  // Queues a log line without waiting for the answer: a daemon that logs several lines per
  // event (ikeview: about fifteen per negotiation) would otherwise pay a round trip, and a
  // write, for each. Consecutive queued lines travel as one quiet "log" request ("entries"; the
  // agent answers it only if it fails). Queued requests go out in one write with the next
  // request(), drain() or when 64 KiB are queued. An agent older than "entries" refuses the
  // batch (an unknown field or op, or a missing "subsys"): its lines are then sent again one
  // request each, and so is every later line on this connection. Any other refusal is reported
  // through log::write() (rate-limited) naming the agent's error; those lines are lost.
  Status log_nowait(std::string_view subsys, std::string_view level, std::string_view message);
  // Sends the queued requests, then reads the answers that have already arrived, without
  // waiting; returns how many txn_nowait() transactions are not known to be settled yet.
  std::size_t drain();
  // txn_nowait() transactions whose outcome is not known yet; at this many the next one
  // first waits for the agent to catch up (one round trip).
  static constexpr std::size_t kMaxUnanswered = 256;
  // A transaction queued like log_nowait() (a daemon that stores records per event need not
  // wait a round trip each), sent as a quiet request: the agent answers only a refusal. It
  // stays all-or-nothing at the agent; when the agent refuses it, nothing of it was applied,
  // and take_failed() returns its keys with the error once its answer has been read (by
  // drain(), a later request() or the wait for kMaxUnanswered). Requests on the connection
  // are handled in order, so a later request sees its effect.
  Status txn_nowait(const Txn& t);
  Status txn_nowait(Txn&& t);  // the same (kept for callers that give the txn up)
  struct FailedTxn {
    std::vector<TxnOp> ops;  // kinds and keys only (values dropped)
    Error error;
  };
  std::vector<FailedTxn> take_failed();
  Result<std::vector<LogEntry>> log_read(std::uint64_t since = 0, std::size_t limit = 1000);
  Result<Watch> watch(std::string_view prefix, bool snapshot = false);

  // Any request object (an "id" is added); the whole response when it says ok:true.
  Result<Json> request(Json req);

 private:
  Client(LineConn conn, std::string path, ClientOptions opt)
      : m_conn(std::move(conn)), m_path(std::move(path)), m_opt(std::move(opt)) {}

  LineConn m_conn;
  std::string m_path;
  ClientOptions m_opt;
  HelloInfo m_info;
  std::uint64_t m_next_id = 1;
  Status flush();
  void close_log_batch();  // the queued log lines to one request in m_queued
  Status queue_txn(const Txn& t);
  std::string m_queued;     // requests not sent yet (lines)
  std::string m_log_batch;  // log_nowait() entries not in m_queued yet, one a line: {..}\n{..}\n
  // Batched-log compatibility: until an agent is known to take "entries" (a later answer
  // arrived with no refusal of a batch), each sent batch is kept by id to be resent line by line.
  bool m_log_batches_ok = false;
  bool m_log_per_line = false;                             // the agent refused "entries": one line a request
  std::map<std::uint64_t, std::string> m_log_sent;         // batch id -> its entries, one a line
  std::set<std::uint64_t> m_log_resent;                    // batches resent line by line before their refusal
  std::chrono::steady_clock::time_point m_refusal_said{};  // the last refusal diagnostic
  std::size_t m_refusals_unsaid = 0;                       // refused lines since then, not reported
  void append_log_line(std::string_view entry);            // one per-line quiet log request to m_queued
  void log_refused(std::uint64_t id, const Json& answer);
  std::size_t m_unread = 0;                                   // quiet requests sent since answers were last read
  std::map<std::uint64_t, std::vector<TxnOp>> m_nowait_txns;  // txn_nowait() ids not known settled
  std::vector<FailedTxn> m_failed;
  // An answer with a numeric id: a refused txn_nowait() becomes a FailedTxn; every quiet
  // request before it (the agent handles them in order) is settled.
  // awaited: the id request() waits for (its refusal is the caller's, not reported here).
  void settle(const Json& answer, std::uint64_t awaited = 0);
  Status wait_room();
};

}  // namespace ipseckit::store
