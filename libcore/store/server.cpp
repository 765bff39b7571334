#include "store/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "store/framer.h"
#include "sys/paths.h"

namespace ipseckit::store {
namespace {

constexpr std::uint64_t kListenTag = 1;
constexpr std::uint64_t kWakeTag = 2;
constexpr std::uint64_t kExtraBase = 16;
constexpr std::uint64_t kConnBase = std::uint64_t{1} << 32;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kReadsPerWakeup = 16;         // fairness between clients
constexpr std::size_t kPauseAt = 1u << 20;  // stop reading requests above this much unsent output
constexpr std::size_t kResumeAt = 256u << 10;

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

struct Server::Connection {
  Connection(std::uint64_t id_, sys::UniqueFd fd_, sys::PeerCred cred_, std::size_t max_line)
      : id(id_), fd(std::move(fd_)), cred(std::move(cred_)), framer(max_line) {}
  std::uint64_t id;
  sys::UniqueFd fd;
  sys::PeerCred cred;
  LineFramer framer;
  std::unique_ptr<Session> session;
  std::string out;
  std::size_t out_off = 0;
  std::uint32_t interest = 0;
  bool eof = false;       // the peer has sent everything
  bool eof_done = false;  // ... and the last (unterminated) line was handled
  bool closing = false;   // close once the output is flushed
  bool dead = false;      // close now
  bool paused = false;    // too much unsent output: requests wait
  bool dirty = false;     // in m_dirty
  std::size_t pending() const { return out.size() - out_off; }
};

Server::Server(Engine& engine, ServerOptions opt)
    : m_engine(engine), m_opt(std::move(opt)), m_next_conn(kConnBase), m_rbuf(kReadChunk) {}

Server::~Server() {
  m_conns.clear();  // sessions cancel their watches while the engine is still alive
  if (m_listen) {
    m_listen.reset();
    ::unlink(m_opt.socket_path.c_str());
  }
}

Result<std::unique_ptr<Server>> Server::listen(Engine& engine, ServerOptions opt) {
  auto s = std::make_unique<Server>(engine, std::move(opt));
  const std::string& path = s->m_opt.socket_path;
  IPSECKIT_TRY(sys::make_dirs(sys::parent_dir(path), 0755));
  auto lock = sys::lock_exclusive(path + ".lock");
  if (!lock) {
    if (lock.error().code == "locked") return Error::make("in_use", "another policyagent is serving " + path);
    return lock.error();
  }
  s->m_lock = std::move(lock.value());
  auto fd = sys::unix_listen(path);
  if (!fd) return fd.error();
  s->m_listen = std::move(fd.value());
  s->m_epoll = sys::UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
  s->m_wake = sys::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  s->m_spare = sys::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!s->m_epoll || !s->m_wake) return Error::make("internal", errno_text("epoll/eventfd"));
  for (auto [fdn, tag] : {std::pair{s->m_listen.get(), kListenTag}, std::pair{s->m_wake.get(), kWakeTag}}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    if (::epoll_ctl(s->m_epoll.get(), EPOLL_CTL_ADD, fdn, &ev) != 0)
      return Error::make("internal", errno_text("epoll_ctl"));
  }
  return s;
}

Status Server::add_fd(int fd, std::function<void()> on_readable) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kExtraBase + m_extra.size();
  if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return Error::make("internal", errno_text("epoll_ctl"));
  m_extra.push_back(std::move(on_readable));
  return {};
}

void Server::stop() {
  m_stop = true;
  std::uint64_t one = 1;
  if (m_wake) (void)!::write(m_wake.get(), &one, sizeof one);
}

Status Server::run() {
  std::array<epoll_event, 64> evs{};
  while (!m_stop) {
    int n = ::epoll_wait(m_epoll.get(), evs.data(), static_cast<int>(evs.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::make("internal", errno_text("epoll_wait"));
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t tag = evs[static_cast<std::size_t>(i)].data.u64;
      const std::uint32_t events = evs[static_cast<std::size_t>(i)].events;
      if (tag == kListenTag) {
        accept_all();
      } else if (tag == kWakeTag) {
        std::uint64_t v;
        (void)!::read(m_wake.get(), &v, sizeof v);
      } else if (tag < kConnBase) {
        auto idx = static_cast<std::size_t>(tag - kExtraBase);
        if (idx < m_extra.size()) m_extra[idx]();
      } else if (auto it = m_conns.find(tag); it != m_conns.end()) {
        on_io(*it->second, events);
      }
    }
    flush_pending();
    close_dead();
  }
  return {};
}

bool Server::is_admin(const sys::PeerCred& cred) const {
  if (cred.uid == 0 || cred.uid == ::geteuid()) return true;
  return m_opt.admin_gid && cred.in_group(*m_opt.admin_gid);
}

void Server::accept_all() {
  for (;;) {
    sys::UniqueFd fd(::accept4(m_listen.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EINTR) continue;
      if ((errno == EMFILE || errno == ENFILE) && m_spare) {
        // Out of descriptors: accept and drop one so the listener does not spin.
        m_spare.reset();
        sys::UniqueFd drop(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
        m_spare = sys::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        log::msg(log::Subsys::store, log::Level::audit, "out of file descriptors; refused a client");
        continue;
      }
      return;  // EAGAIN, or an error on a connection that already went away
    }
    auto cred = sys::peer_credentials(fd.get());
    if (!cred) continue;
    if (m_conns.size() >= m_opt.max_clients) {
      std::string line = error_line(nullptr, "too_large", "too many clients");
      (void)!::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      continue;
    }
    const std::uint64_t id = m_next_conn++;
    auto c = std::make_unique<Connection>(id, std::move(fd), std::move(cred.value()), m_opt.max_line);
    Peer peer{c->cred.uid, c->cred.pid, is_admin(c->cred)};
    Connection* raw = c.get();
    c->session = std::make_unique<Session>(
        m_engine, peer, [this, raw](std::string_view line) { output(*raw, line); }, m_opt.session);
    log::msg(log::Subsys::store, log::Level::diag, "client {} connected: uid {} pid {}{}", id - kConnBase, peer.uid,
             peer.pid, peer.admin ? " (admin)" : "");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, raw->fd.get(), &ev) != 0) continue;
    raw->interest = EPOLLIN;
    m_conns.emplace(id, std::move(c));
  }
}

void Server::mark_dirty(Connection& c) {
  if (c.dirty) return;
  c.dirty = true;
  m_dirty.push_back(c.id);
}

void Server::output(Connection& c, std::string_view line) {
  if (c.dead) return;
  c.out.append(line);
  mark_dirty(c);
  if (c.pending() > m_opt.max_output && c.session && c.session->has_watches()) {
    log::msg(log::Subsys::store, log::Level::control, "client {} disconnected: watcher {} bytes behind",
             c.id - kConnBase, c.pending());
    c.dead = true;
    c.out.clear();
    c.out.shrink_to_fit();
    c.out_off = 0;
    m_dead.push_back(c.id);
  }
}

void Server::on_io(Connection& c, std::uint32_t events) {
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c.eof && !c.closing && !c.paused) read_input(c);
  if (events & (EPOLLHUP | EPOLLERR)) {
    // The peer is gone in both directions: nothing more can be delivered.
    c.dead = true;
    m_dead.push_back(c.id);
    return;
  }
  if (events & EPOLLOUT) mark_dirty(c);
}

void Server::read_input(Connection& c) {
  for (int i = 0; i < kReadsPerWakeup && !c.dead && !c.closing && !c.paused; ++i) {
    ssize_t n = ::recv(c.fd.get(), m_rbuf.data(), m_rbuf.size(), MSG_DONTWAIT);
    if (n > 0) {
      if (!c.framer.append(std::string_view(m_rbuf.data(), static_cast<std::size_t>(n)))) {
        c.session->send_error(nullptr, "too_large",
                              "line longer than " + std::to_string(m_opt.max_line) + " bytes (--max-line)");
        log::msg(log::Subsys::store, log::Level::control, "client {}: line over {} bytes; disconnecting",
                 c.id - kConnBase, m_opt.max_line);
        c.closing = true;
        mark_dirty(c);
        ::shutdown(c.fd.get(), SHUT_RD);
        break;
      }
      pump(c);
      continue;
    }
    if (n == 0) {
      c.eof = true;
      pump(c);
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      c.dead = true;
      m_dead.push_back(c.id);
    }
    break;
  }
  update_interest(c);
}

void Server::pump(Connection& c) {
  while (!c.dead && !c.closing && !c.paused) {
    auto line = c.framer.next();
    if (!line) break;
    c.session->handle_line(*line);
    if (c.pending() > kPauseAt) c.paused = true;
  }
  if (c.eof && !c.eof_done && !c.paused && !c.dead) {
    c.eof_done = true;
    if (!c.closing) c.session->handle_line(c.framer.partial());
    // A client that only listens may half-close its side; keep delivering its events.
    if (!c.session->has_watches()) c.closing = true;
    mark_dirty(c);  // flush() closes it once the answers are out
  }
}

void Server::flush(Connection& c) {
  while (!c.dead && c.pending() > 0) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_off, c.pending(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      c.dead = true;
      m_dead.push_back(c.id);
    }
    break;
  }
  if (c.pending() == 0) {
    c.out.clear();
    c.out_off = 0;
    if (c.out.capacity() > (4u << 20)) c.out.shrink_to_fit();
  } else if (c.out_off > (1u << 20) && c.out_off > c.out.size() / 2) {
    c.out.erase(0, c.out_off);
    c.out_off = 0;
  }
  if (c.paused && c.pending() < kResumeAt) {
    c.paused = false;
    pump(c);  // may queue more output; the caller loops until nothing is dirty
  }
  if (c.closing && c.pending() == 0 && !c.dead) {
    c.dead = true;
    m_dead.push_back(c.id);
  }
  update_interest(c);
}

void Server::flush_pending() {
  m_engine.run_pending_derivers();  // before any answer goes out: a client that waited sees a fresh spd/
  while (!m_dirty.empty()) {
    std::vector<std::uint64_t> batch;
    batch.swap(m_dirty);
    for (auto id : batch) {
      auto it = m_conns.find(id);
      if (it == m_conns.end()) continue;
      it->second->dirty = false;
      flush(*it->second);
    }
    m_engine.run_pending_derivers();  // flush() may have run more requests
  }
}

void Server::update_interest(Connection& c) {
  if (c.dead) return;
  std::uint32_t want = 0;
  if (!c.eof && !c.closing && !c.paused) want |= EPOLLIN;
  if (c.pending() > 0) want |= EPOLLOUT;
  if (want == c.interest) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c.id;
  if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) != 0) {
    c.dead = true;
    m_dead.push_back(c.id);
    return;
  }
  c.interest = want;
}

void Server::close_dead() {
  for (auto id : m_dead) {
    auto it = m_conns.find(id);
    if (it == m_conns.end()) continue;
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, it->second->fd.get(), nullptr);
    log::msg(log::Subsys::store, log::Level::diag, "client {} closed", id - kConnBase);
    m_conns.erase(it);
  }
  m_dead.clear();
}

}  // namespace ipseckit::store
