// The agent's I/O: a single-threaded epoll loop over the listening Unix socket, the client
// connections (one Session each) and any extra descriptors the tool adds (signals, netlink).
// One thread means requests and events are handled in one global order.
//
// Robustness: non-blocking sockets, MSG_NOSIGNAL writes; a line longer than max_line gets a
// too_large error and the connection is closed once the error is sent (the line is never
// buffered beyond max_line); a client that stops reading its responses stops being read
// (back-pressure); a watcher whose unsent output exceeds max_output is disconnected.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/engine.h"
#include "store/session.h"
#include "sys/unix_socket.h"

namespace ipseckit::store {

inline constexpr std::size_t kDefaultMaxLine = 64u << 20;

struct ServerOptions {
  std::string socket_path;
  std::size_t max_line = kDefaultMaxLine;
  std::size_t max_output = 64u << 20;  // unsent bytes a watching client may accumulate
  std::size_t max_clients = 4096;
  std::optional<gid_t> admin_gid;  // members may write (besides root and the agent's uid)
  SessionConfig session;
};

class Server {
 public:
  // Creates the socket's directory (0755), locks "<socket>.lock" (error code "in_use" if
  // another agent holds it), and listens.
  static Result<std::unique_ptr<Server>> listen(Engine& engine, ServerOptions opt);
  Server(Engine& engine, ServerOptions opt);  // use listen()
  ~Server();                                  // closes every client and removes the socket file
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // on_readable runs in the loop whenever fd is readable (level-triggered).
  Status add_fd(int fd, std::function<void()> on_readable);
  // Runs until stop(). stop() may be called from any thread or a signal handler.
  Status run();
  void stop();
  std::size_t clients() const { return m_conns.size(); }
  const std::string& socket_path() const { return m_opt.socket_path; }

 private:
  struct Connection;

  void accept_all();
  void on_io(Connection& c, std::uint32_t events);
  void read_input(Connection& c);
  void pump(Connection& c);
  void flush(Connection& c);
  void flush_pending();
  void output(Connection& c, std::string_view line);
  void mark_dirty(Connection& c);
  void update_interest(Connection& c);
  void close_dead();
  bool is_admin(const sys::PeerCred& cred) const;

  Engine& m_engine;
  ServerOptions m_opt;
  sys::UniqueFd m_lock;
  sys::UniqueFd m_listen;
  sys::UniqueFd m_epoll;
  sys::UniqueFd m_wake;   // eventfd written by stop()
  sys::UniqueFd m_spare;  // released to accept-and-close when out of descriptors
  std::atomic<bool> m_stop{false};
  std::vector<std::function<void()>> m_extra;
  std::map<std::uint64_t, std::unique_ptr<Connection>> m_conns;
  std::uint64_t m_next_conn;
  std::vector<std::uint64_t> m_dirty;
  std::vector<std::uint64_t> m_dead;
  std::vector<char> m_rbuf;
};

}  // namespace ipseckit::store
