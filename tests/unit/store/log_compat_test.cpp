// log_nowait() against an agent that refuses batched ("entries") log requests: an agent from
// before them (its parser takes "log" as one line) and one that refuses them for another reason.
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "fake_agent.h"
#include "store/client.h"
#include "store/line_conn.h"
#include "store/protocol.h"
#include "support.h"
#include "sys/unix_socket.h"

using namespace ipseckit;
using namespace ipseckit::store;

namespace log_compat_test {

// A one-connection agent speaking the store framing (one JSON object a line). Batched log
// requests are parsed as an agent without "entries" parses them (the field dropped), or, with
// refuse_code set, refused with that error. Per-line log requests are taken; quiet ones are
// answered only when refused, like policyagent.
class FakeAgent {
 public:
  FakeAgent(std::string path, std::string refuse_code) : m_refuse(std::move(refuse_code)) {
    m_listen = testing::listen_at(path);
    m_thread = std::thread([this] { run(); });
  }
  ~FakeAgent() { m_thread.join(); }
  std::vector<std::string> messages() {
    std::lock_guard lk(m_mu);
    return m_messages;
  }
  int batches_refused() {
    std::lock_guard lk(m_mu);
    return m_refused;
  }

 private:
  void run() {
    sys::UniqueFd c = testing::accept_one(m_listen);
    if (!c.valid()) return;
    const int fd = c.get();
    LineConn conn(std::move(c));
    for (;;) {
      auto line = conn.receive(std::chrono::seconds(10));
      if (!line || !*line) return;  // the client closed (or hung): done
      Json obj = std::move(**line);
      const Json id = request_id(obj);
      const bool batch = obj.contains("entries");
      if (batch && !m_refuse.empty()) {
        answer(fd, error_line(id, m_refuse, "writes are refused here"), true);
        continue;
      }
      if (batch) obj.erase("entries");  // the old agent's parser never looked at it
      auto req = parse_request(std::move(obj));
      if (!req) {
        answer(fd, error_line(id, req.error().code, req.error().message), batch);
        continue;
      }
      if (req->op == Op::log) {
        std::lock_guard lk(m_mu);
        for (const auto& l : req->lines) m_messages.push_back(l.message);
        if (req->quiet) continue;
        answer(fd, response_line(id, true, Json{{"seq", m_messages.size()}}), false);
        continue;
      }
      answer(fd, response_line(id, true, Json{{"protocol", 1}, {"server", "policyagent/0.0.1"}}), false);
    }
  }
  void answer(int fd, const std::string& line, bool batch_refused) {
    if (batch_refused) {
      std::lock_guard lk(m_mu);
      ++m_refused;
    }
    (void)sys::write_all(fd, line, std::chrono::seconds(5));
  }

  std::string m_refuse;
  sys::UniqueFd m_listen;
  std::thread m_thread;
  std::mutex m_mu;
  std::vector<std::string> m_messages;
  int m_refused = 0;
};

ClientOptions options(const std::string& socket) {
  ClientOptions o;
  o.socket = socket;
  o.autostart = false;
  o.timeout = std::chrono::seconds(10);
  return o;
}

}  // namespace log_compat_test

TEST_CASE("log_nowait: an agent without batched log requests gets every line once, in order") {
  test::TempDir dir;
  const std::string sock = dir / "agent.sock";
  log_compat_test::FakeAgent agent(sock, "");
  std::vector<std::string> want;
  {
    auto c = Client::connect(log_compat_test::options(sock));
    REQUIRE(c);
    int n = 0;
    for (int round = 0; round < 40; ++round) {  // batches in flight before the first refusal is read
      for (int i = 0; i < 5; ++i) {
        want.push_back("line " + std::to_string(n++) + (i == 2 ? " \"quoted\" \\ and {\"entries\":[]}" : ""));
        REQUIRE(c->log_nowait("ike", "diag", want.back()));
      }
      c->drain();
    }
    REQUIRE(c->request({{"op", "hello"}}));  // reads the refusals (their lines are queued again)
    for (int i = 0; i < 7; ++i) {            // later lines go one a request straight away
      want.push_back("late " + std::to_string(i));
      REQUIRE(c->log_nowait("ike", "audit", want.back()));
    }
    REQUIRE(c->request({{"op", "hello"}}));  // answered after every line before it was handled
  }
  CHECK(agent.batches_refused() >= 1);
  CHECK(agent.messages() == want);
}

TEST_CASE("log_nowait: any other refusal of a batch is reported, rate-limited, naming the error") {
  test::TempDir dir;
  const std::string sock = dir / "agent.sock";
  log_compat_test::FakeAgent agent(sock, "forbidden");
  std::mutex mu;
  std::vector<std::string> said;
  log::set_sink([&](log::Subsys, log::Level, std::string_view m) {
    std::lock_guard lk(mu);
    said.emplace_back(m);
  });
  {
    auto c = Client::connect(log_compat_test::options(sock));
    REQUIRE(c);
    for (int round = 0; round < 3; ++round) {
      REQUIRE(c->log_nowait("ike", "audit", "lost " + std::to_string(round)));
      REQUIRE(c->request({{"op", "hello"}}));  // the refusal is read here; hello itself succeeds
    }
  }
  log::set_sink(nullptr);
  CHECK(agent.batches_refused() == 3);
  CHECK(agent.messages().empty());
  REQUIRE(said.size() == 1);  // three refusals, one line within 10 s
  CHECK(said[0].find("forbidden: writes are refused here") != std::string::npos);
  CHECK(said[0].find("event-log") != std::string::npos);
}
