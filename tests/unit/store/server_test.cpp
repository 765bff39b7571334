// The server loop in-process (on its own thread, with small limits): slow watchers are
// dropped, pipelining clients get back-pressure instead, half-closed sockets work (socat).
#include "store/server.h"

#include <doctest/doctest.h>
#include <sys/socket.h>

#include <thread>

#include "store/client.h"
#include "store/line_conn.h"
#include "store/protocol.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

namespace {

// An engine and a server running on a thread until destruction.
struct LiveServer {
  TempDir tmp;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Server> server;
  std::thread thread;

  explicit LiveServer(std::size_t max_output) {
    auto e = Engine::open({"", 100, {}});
    REQUIRE(e);
    engine = std::move(e.value());
    ServerOptions o;
    o.socket_path = tmp / "s/agent.sock";
    o.max_line = 1 << 20;
    o.max_output = max_output;
    auto s = Server::listen(*engine, o);
    REQUIRE(s);
    server = std::move(s.value());
    thread = std::thread([this] { (void)server->run(); });
  }
  ~LiveServer() {
    server->stop();
    thread.join();
  }
  ClientOptions options() const {
    ClientOptions o;
    o.socket = server->socket_path();
    o.autostart = false;
    return o;
  }
  LineConn raw() const {
    auto fd = sys::unix_connect(server->socket_path());
    REQUIRE(fd);
    return LineConn(std::move(fd.value()));
  }
};

}  // namespace

TEST_CASE("a watcher that does not read is disconnected; everyone else carries on") {
  LiveServer live(256 * 1024);
  LineConn watcher = live.raw();
  REQUIRE(watcher.send(Json{{"op", "watch"}, {"prefix", ""}}, std::chrono::seconds(5)));
  auto resp = watcher.receive(std::chrono::seconds(5));
  REQUIRE(resp);
  REQUIRE(*resp);
  CHECK((**resp)["ok"] == true);

  auto c = Client::connect(live.options());
  REQUIRE(c);
  const std::string big(16 * 1024, 'v');
  for (int i = 0; i < 200; ++i) REQUIRE(c->put("dynamic/k" + std::to_string(i % 10), big));
  // The watcher now finds whatever the socket held, then the end of the connection.
  bool closed = false;
  for (int i = 0; i < 100000 && !closed; ++i) {
    auto r = watcher.receive(std::chrono::seconds(5));
    if (!r)
      closed = true;
    else
      REQUIRE(*r);
  }
  CHECK(closed);
  CHECK(c->put("dynamic/after", 1));
}

TEST_CASE("a client pipelining many requests without reading gets every answer") {
  LiveServer live(64 * 1024);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  for (int i = 0; i < 20; ++i) REQUIRE(c->put("dynamic/k" + std::to_string(i), std::string(1000, 'x')));
  LineConn pipe = live.raw();
  constexpr int kRequests = 300;  // ~6 MB of list responses
  const int fd = pipe.fd();
  std::thread sender([fd] {
    for (int i = 0; i < kRequests; ++i)
      if (!sys::write_all(fd, to_line(Json{{"op", "list"}, {"prefix", "dynamic/"}, {"id", i}}),
                          std::chrono::seconds(30)))
        return;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(c->put("dynamic/meanwhile", 1));  // the loop is not stuck on the pipelining client
  int got = 0;
  for (; got < kRequests; ++got) {
    auto r = pipe.receive(std::chrono::seconds(30));
    REQUIRE(r);
    REQUIRE(*r);
    REQUIRE((**r)["id"] == got);
  }
  sender.join();
  CHECK(got == kRequests);
}

TEST_CASE("half-closed connections: requests are answered, watchers keep receiving") {
  LiveServer live(1 << 20);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  {
    LineConn one = live.raw();
    REQUIRE(sys::write_all(one.fd(),
                           "{\"op\":\"put\",\"key\":\"config/a\",\"value\":1}\n{\"op\":\"get\",\"key\":\"config/a\"}",
                           std::chrono::seconds(5)));
    ::shutdown(one.fd(), SHUT_WR);  // like socat at the end of its input; last line without newline
    auto r1 = one.receive(std::chrono::seconds(5));
    auto r2 = one.receive(std::chrono::seconds(5));
    REQUIRE(r1);
    REQUIRE(r2);
    CHECK((**r2)["value"] == 1);
    auto end = one.receive(std::chrono::seconds(5));
    CHECK_FALSE(end);  // closed after answering
  }
  {
    LineConn late = live.raw();  // the end of input arrives after the answer went out
    REQUIRE(late.send(Json{{"op", "hello"}}, std::chrono::seconds(5)));
    auto hello = late.receive(std::chrono::seconds(5));
    REQUIRE(hello);
    REQUIRE(*hello);
    ::shutdown(late.fd(), SHUT_WR);
    const auto t0 = std::chrono::steady_clock::now();
    auto end = late.receive(std::chrono::seconds(5));
    CHECK_FALSE(end);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
  }
  LineConn w = live.raw();
  REQUIRE(w.send(Json{{"op", "watch"}, {"prefix", "config/"}}, std::chrono::seconds(5)));
  ::shutdown(w.fd(), SHUT_WR);
  auto ok = w.receive(std::chrono::seconds(5));
  REQUIRE(ok);
  REQUIRE(c->put("config/b", 2));
  auto ev = w.receive(std::chrono::seconds(5));
  REQUIRE(ev);
  REQUIRE(*ev);
  CHECK((**ev)["key"] == "config/b");
}

TEST_CASE("log lines sent without waiting arrive in order; their answers never confuse a later request") {
  LiveServer live(64 * 1024);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  // More than kMaxUnanswered lines without reading an answer: the client waits for some.
  const std::size_t n = Client::kMaxUnanswered + 44;
  for (std::size_t i = 0; i < n; ++i) REQUIRE(c->log_nowait("ike", "diag", "line " + std::to_string(i)));
  CHECK(c->drain() <= Client::kMaxUnanswered);
  // A request after queued lines gets its own answer, not a log line's.
  auto rev = c->put("dynamic/after-logs", 1);
  REQUIRE(rev);
  auto got = c->get("dynamic/after-logs");
  REQUIRE(got);
  CHECK(got->value == 1);
  CHECK(c->drain() == 0);
  // The ring keeps the newest lines (LiveServer: 100): the last ones, consecutive, in order.
  auto after = c->log_read(0, 10000);
  REQUIRE(after);
  REQUIRE(!after->empty());
  const std::size_t k = after->size();
  REQUIRE(k <= n);
  for (std::size_t i = 0; i < k; ++i) CHECK((*after)[i].message == "line " + std::to_string(n - k + i));
}

TEST_CASE("transactions sent without waiting: applied in order, a refused one reported with its keys") {
  LiveServer live(64 * 1024);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  Txn ok;
  ok.ops = {TxnOp::put("dynamic/nw/a", 1), TxnOp::put("dynamic/nw/b", 2)};
  REQUIRE(c->txn_nowait(ok));
  Txn refused;  // all-or-nothing: the compare fails, so c is not written either
  refused.compares = {Compare{"dynamic/nw/a", 0}};
  refused.ops = {TxnOp::put("dynamic/nw/c", 3)};
  REQUIRE(c->txn_nowait(refused));
  // A later request sees the first txn applied (answers come in order) and collects both answers.
  auto got = c->get("dynamic/nw/b");
  REQUIRE(got);
  CHECK(got->value == 2);
  CHECK_FALSE(c->get("dynamic/nw/c"));
  auto failed = c->take_failed();
  REQUIRE(failed.size() == 1);
  REQUIRE(failed[0].ops.size() == 1);
  CHECK(failed[0].ops[0].key == "dynamic/nw/c");
  CHECK(failed[0].ops[0].value.is_null());  // values are not kept
  CHECK_FALSE(failed[0].error.code.empty());
  CHECK(c->take_failed().empty());
  CHECK(c->drain() == 0);
}

TEST_CASE("many transactions sent without waiting: the client catches up, none is lost") {
  LiveServer live(64 * 1024);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  const std::size_t n = Client::kMaxUnanswered * 2 + 10;
  for (std::size_t i = 0; i < n; ++i) {
    Txn t;
    t.ops = {TxnOp::put("dynamic/many/" + std::to_string(i), store::Json{{"i", i}})};
    REQUIRE(c->txn_nowait(std::move(t)));
    REQUIRE(c->log_nowait("ike", "diag", "txn " + std::to_string(i)));
  }
  CHECK(c->drain() <= Client::kMaxUnanswered);  // quiet: never more unsettled than that
  auto l = c->list("dynamic/many/");
  REQUIRE(l);
  CHECK(l->items.size() == n);
  CHECK(c->drain() == 0);
  CHECK(c->take_failed().empty());
}

TEST_CASE("log lines sent without waiting keep quotes, control characters and UTF-8") {
  LiveServer live(64 * 1024);
  auto c = Client::connect(live.options());
  REQUIRE(c);
  const std::string odd = "say \"hi\"\\ \n\t caf\xc3\xa9";
  REQUIRE(c->log_nowait("ike", "control", "plain line"));
  REQUIRE(c->log_nowait("ike", "diag", odd));
  REQUIRE(c->log_nowait("ike", "diag", std::string("bad \xff byte")));
  auto got = c->log_read(0, 10);
  REQUIRE(got);
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].message == "plain line");
  CHECK((*got)[0].level == "control");
  CHECK((*got)[1].message == odd);
  CHECK((*got)[2].message == "bad \xef\xbf\xbd byte");  // replaced, never thrown
}
