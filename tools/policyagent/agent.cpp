#include "agent.h"

#include <fmt/format.h>
#include <grp.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <variant>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "derive.h"
#include "store/engine.h"
#include "sys/netif.h"
#include "sys/paths.h"
#include "sys/spawn.h"

namespace ipseckit::policyagent {
namespace {

using log::Level;
using log::Subsys;

Result<gid_t> resolve_group(const std::string& name) {
  if (auto n = str::parse_uint(name, 0xFFFFFFFEu)) return static_cast<gid_t>(*n);
  std::vector<char> buf(16384);
  group gr{};
  group* res = nullptr;
  if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res) != 0 || !res)
    return Error::make("usage", "unknown group '" + name + "' (--admin-group)");
  return res->gr_gid;
}

// SIGTERM/SIGINT arrive on a descriptor the server loop polls.
Result<sys::UniqueFd> signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return Error::make("internal", std::string("sigprocmask: ") + std::strerror(errno));
  sys::UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return Error::make("internal", std::string("signalfd: ") + std::strerror(errno));
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  return fd;
}

// Copies the agent's own diagnostics into the event-log ring, so `log_read` and log/ watches
// show them next to what the other daemons post. The log facade calls sinks under its lock,
// so the sink only queues; the server loop moves the queue into the engine when the eventfd
// wakes it (the engine is touched from the loop only).
class RingFeed {
 public:
  RingFeed() : m_efd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  int fd() const { return m_efd.get(); }
  void push(Subsys s, Level l, std::string_view message) {
    {
      std::lock_guard lk(m_mu);
      if (m_queue.size() >= kMaxQueued) return;  // the loop is stuck; stderr still has it
      m_queue.push_back({std::string(log::name(s)), std::string(log::name(l)), std::string(message)});
    }
    std::uint64_t one = 1;
    (void)!::write(m_efd.get(), &one, sizeof one);
  }
  void drain(store::Engine& engine) {
    std::uint64_t n = 0;
    (void)!::read(m_efd.get(), &n, sizeof n);
    std::vector<Entry> q;
    {
      std::lock_guard lk(m_mu);
      q.swap(m_queue);
    }
    for (auto& e : q) engine.log(std::move(e.subsys), std::move(e.level), std::move(e.message));
  }

 private:
  struct Entry {
    std::string subsys, level, message;
  };
  static constexpr std::size_t kMaxQueued = 10000;
  sys::UniqueFd m_efd;
  std::mutex m_mu;
  std::vector<Entry> m_queue;
};

class Agent {
 public:
  Agent(const AgentOptions& opt, std::optional<sys::ReadyNotifier> notifier)
      : m_opt(opt), m_notifier(std::move(notifier)) {}

  int run(const std::string& socket, const std::string& state, std::optional<gid_t> admin_gid) {
    auto sigfd = signal_fd();
    if (!sigfd) return fail(sigfd.error().message);
    auto engine = store::Engine::open({state, m_opt.log_ring, {}, true});
    if (!engine) return fail(engine.error().message);
    m_engine = std::move(engine.value());
    m_engine->add_deriver(derive_spd_inputs(), derive_spd);

    store::ServerOptions so;
    so.socket_path = socket;
    so.max_line = m_opt.max_line;
    so.admin_gid = admin_gid;
    so.session.server = "policyagent/" IPSECKIT_VERSION;
    auto server = store::Server::listen(*m_engine, so);
    if (!server) return fail(server.error().message);
    m_server = std::move(server.value());

    int sfd = sigfd->get();
    if (auto st = m_server->add_fd(sfd, [this, sfd] { on_signal(sfd); }); !st) return fail(st.error().message);
    RingFeed feed;
    struct SinkReset {  // the sink refers to feed: remove it before feed goes, on every path
      ~SinkReset() { log::set_sink(nullptr); }
    } sink_reset;
    if (feed.fd() >= 0) {
      if (auto st = m_server->add_fd(feed.fd(), [this, &feed] { feed.drain(*m_engine); }); !st)
        return fail(st.error().message);
      log::set_sink([&feed](Subsys s, Level l, std::string_view m) {
        log::write_stderr(s, l, m);
        feed.push(s, l, m);
      });
    }
    sys::AddressWatcher addresses;
    if (addresses.fd() >= 0) {
      auto st = m_server->add_fd(addresses.fd(), [this, &addresses] {
        if (!addresses.drain()) return;
        log::msg(Subsys::net, Level::diag, "local addresses changed; re-deriving the SPD");
        m_engine->rederive();
      });
      if (!st) return fail(st.error().message);
    }
    log::msg(Subsys::store, Level::control, "listening on {} (state {}, revision {}, {} keys)", socket, state,
             m_engine->revision(), m_engine->size());
    if (m_notifier) m_notifier->ready();
    auto st = m_server->run();
    m_server.reset();  // closes clients, removes the socket, releases its lock
    m_engine.reset();  // releases the state dir
    if (!st) {
      log::msg(Subsys::store, Level::audit, "{}", st.error().message);
      return 1;
    }
    log::msg(Subsys::store, Level::control, "stopped");
    return 0;
  }

 private:
  int fail(const std::string& message) {
    log::msg(Subsys::store, Level::audit, "{}", message);
    if (m_notifier) m_notifier->fail(message);
    return 1;
  }

  void on_signal(int fd) {
    signalfd_siginfo si{};
    while (::read(fd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      log::msg(Subsys::store, Level::control, "signal {}: shutting down", si.ssi_signo);
      m_server->stop();
    }
  }

  const AgentOptions& m_opt;
  std::optional<sys::ReadyNotifier> m_notifier;
  std::unique_ptr<store::Engine> m_engine;
  std::unique_ptr<store::Server> m_server;
};

}  // namespace

int run_agent(const AgentOptions& opt) {
  log::set_ident("policyagent");
  log::Level level{};
  if (log::parse_level(opt.log_level, level)) log::set_level(level);
  // Absolute, because the daemon runs in "/".
  std::error_code ec;
  const std::string socket = std::filesystem::absolute(sys::socket_path(opt.socket), ec).lexically_normal();
  const std::string state = std::filesystem::absolute(sys::state_dir(opt.state_dir), ec).lexically_normal();
  std::optional<gid_t> admin_gid;
  if (!opt.admin_group.empty()) {
    auto g = resolve_group(opt.admin_group);
    if (!g) {
      fmt::print(stderr, "policyagent: {}\n", g.error().message);
      return 2;
    }
    admin_gid = *g;
  }
  if (opt.foreground) return Agent(opt, std::nullopt).run(socket, state, admin_gid);

  auto forked = sys::daemonize();
  if (!forked) {
    fmt::print(stderr, "policyagent: {}\n", forked.error().message);
    return 1;
  }
  if (auto* parent = std::get_if<sys::DaemonParent>(&*forked)) {
    if (!parent->message.empty()) fmt::print(stderr, "policyagent: {}\n", parent->message);
    return parent->exit_code;
  }
  auto notifier = std::move(std::get<sys::ReadyNotifier>(*forked));
  if (auto st = sys::make_dirs(state, 0700); !st) {
    notifier.fail(st.error().message);
    return 1;
  }
  if (auto st = sys::redirect_stdio(state + "/policyagent.log"); !st) {
    notifier.fail(st.error().message);
    return 1;
  }
  return Agent(opt, std::move(notifier)).run(socket, state, admin_gid);
}

}  // namespace ipseckit::policyagent
