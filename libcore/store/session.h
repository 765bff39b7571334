// One client connection's view of the engine: takes request lines, checks the peer's
// rights, calls the engine and writes response and event lines through an output callback.
// No I/O of its own, so tests and the fuzzer drive it directly.
//
// Rights: an admin peer (root, the agent's own uid, or the --admin-group) reads and writes
// everything. Anyone else reads only: keys under secret/ are invisible (get -> forbidden,
// list/watch skip them, watching a prefix under secret/ -> forbidden) and log entries at
// level "private" are hidden.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "store/engine.h"
#include "store/protocol.h"

namespace ipseckit::store {

struct Peer {
  uid_t uid = 0;
  pid_t pid = 0;
  bool admin = false;
};

struct SessionConfig {
  std::string server = "policyagent/0.1.0";  // "server" in the hello response
  std::size_t max_watches = 256;             // per connection
};

class Session {
 public:
  // Called with each complete output line (newline included).
  using Output = std::function<void(std::string_view line)>;

  Session(Engine& engine, Peer peer, Output out, SessionConfig cfg = {});
  ~Session();  // cancels this session's watches
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // One request line without its newline. Blank lines are ignored.
  void handle_line(std::string_view line);
  void send_error(const Json& id, std::string_view code, std::string_view message);
  bool has_watches() const { return !m_watches.empty(); }
  const Peer& peer() const { return m_peer; }

 private:
  // A handler returns the success body (without "id"/"ok"), or nullopt if it already wrote
  // its own response (watch: the response must precede the snapshot events).
  using Reply = Result<std::optional<Json>>;
  Reply dispatch(Request& r);        // may move the txn out of r
  void run(Request& r, const Json& id);  // dispatch and answer
  Reply do_hello(const Request& r);
  Reply do_get(const Request& r);
  Reply do_list(const Request& r);
  Reply do_watch(const Request& r);
  Reply do_unwatch(const Request& r);
  Reply do_log(Request& r);  // moves the lines out of r
  Reply do_log_read(const Request& r);
  Status require_admin(std::string_view what) const;
  void send_ok(const Json& id, const Json& body);

  Engine& m_engine;
  Peer m_peer;
  Output m_out;
  SessionConfig m_cfg;
  std::set<std::uint64_t> m_watches;
};

}  // namespace ipseckit::store
