// The fixed-layout request reader (store/request_fast.h): the layouts store::Client writes
// become the Request the general path (parse_line + parse_request) makes of them; anything
// else is declined so that the general path decides and words every error.
#include "store/request_fast.h"

#include <doctest/doctest.h>
#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "fake_agent.h"
#include "store/client.h"
#include "store/session.h"
#include "support.h"
#include "sys/unix_socket.h"

using namespace ipseckit;
using namespace ipseckit::store;

namespace request_fast_test {

Request general(std::string_view line) {
  auto obj = parse_line(line);
  REQUIRE(obj);
  auto r = parse_request(std::move(*obj));
  REQUIRE(r);
  return std::move(r.value());
}

void check_same(const Request& a, const Request& b) {
  CHECK(a.id == b.id);
  CHECK(a.id.type() == b.id.type());
  CHECK(a.op == b.op);
  CHECK(a.quiet == b.quiet);
  REQUIRE(a.lines.size() == b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    CHECK(a.lines[i].subsys == b.lines[i].subsys);
    CHECK(a.lines[i].level == b.lines[i].level);
    CHECK(a.lines[i].message == b.lines[i].message);
  }
  CHECK(a.txn.compares == b.txn.compares);
  // A put the fast path kept as text (canonical) carries to_text() of the general path's tree.
  REQUIRE(a.txn.ops.size() == b.txn.ops.size());
  for (std::size_t i = 0; i < a.txn.ops.size(); ++i) {
    const auto &x = a.txn.ops[i], &y = b.txn.ops[i];
    CHECK(x.kind == y.kind);
    CHECK(x.key == y.key);
    CHECK(y.text.empty());
    if (x.text.empty())
      CHECK(x.value == y.value);
    else
      CHECK(x.text == to_text(y.value));
  }
}

// A one-connection listener that answers hello and records every line the client writes.
class Recorder {
 public:
  explicit Recorder(const std::string& path) {
    m_listen = testing::listen_at(path);
    m_thread = std::thread([this] { run(); });
  }
  std::vector<std::string> lines() {
    m_thread.join();
    return m_lines;
  }

 private:
  void run() {
    sys::UniqueFd c = testing::accept_one(m_listen);
    if (!c.valid()) return;
    std::string buf;
    char chunk[4096];
    for (;;) {
      auto r = sys::wait_readable(c.get(), std::chrono::seconds(10));
      if (!r || !*r) return;
      ssize_t n = ::recv(c.get(), chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<std::size_t>(n));
      for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        Json j = Json::parse(line);
        if (j.value("quiet", false)) {
          m_lines.push_back(line);
          continue;
        }
        (void)sys::write_all(c.get(), response_line(j["id"], true, Json{{"protocol", 1}, {"revision", 1}}),
                             std::chrono::seconds(5));
      }
    }
  }
  sys::UniqueFd m_listen;
  std::thread m_thread;
  std::vector<std::string> m_lines;
};

}  // namespace request_fast_test

using request_fast_test::check_same;
using request_fast_test::general;

TEST_CASE("request_fast: the client's quiet log batches and transactions parse as the general path parses them") {
  for (std::string line : {
           R"({"op":"log","quiet":true,"id":7,"entries":[{"subsys":"ike","level":"control","message":"IKE SA #1: \"x\" \\ \/ \t ok"}]})",
           R"({"op":"log","quiet":true,"id":8,"entries":[{"subsys":"ike","level":"audit","message":"a"},{"subsys":"","level":"2","message":""}]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":10,"compare":[{"key":"a/b","revision":0},{"key":"c","revision":17}],"ops":[{"op":"put","key":"sa/ike/main/ab","value":{"a":[1,-2,0,[],{}],"b":null,"c":false,"d":"x","e":{"f":999999999999999999}}},{"op":"put","key":"k","value":null},{"op":"delete","key":"x/y"},{"op":"delete_prefix","prefix":"x/"}]})",
       }) {
    CAPTURE(line);
    auto fast = parse_request_fast(line);
    REQUIRE(fast);
    check_same(*fast, general(line));
    CHECK(fast->id.is_number_unsigned());
  }
}

TEST_CASE("request_fast: every other layout, and whatever the general path refuses, is declined") {
  for (std::string line : {
           R"({"op":"log","quiet":true,"id":7,"entries":[]})",  // refused by the general path
           R"({"op":"log","quiet":true,"id":7,"entries":[{"subsys":"ike","level":"loud","message":"m"}]})",
           R"({"op":"log","quiet":true,"id":7,"entries":[{"subsys":"ike","level":"audit","message":"\u00e9"}]})",
           "{\"op\":\"log\",\"quiet\":true,\"id\":7,\"entries\":[{\"subsys\":\"ike\",\"level\":\"audit\",\"message\":\"\xc3\xa9\"}]}",
           R"({"op":"log","quiet":true,"id":7,"entries":[{"level":"audit","subsys":"ike","message":"m"}]})",
           R"({"op":"log","quiet":false,"id":7,"entries":[{"subsys":"ike","level":"audit","message":"m"}]})",
           R"({"op":"log","quiet":true,"id":7,"subsys":"ike","level":"audit","message":"m"})",
           R"( {"op":"txn","quiet":true,"id":9,"compare":[],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[]} )",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[]}x)",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[],"x":1})",
           R"({"op":"txn","quiet":true,"id":"9","compare":[],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":09,"compare":[],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":1000000000000000000,"compare":[],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[{"key":"a","revision":-1}],"ops":[]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"put","key":"a","value":1.5}]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"put","key":"a","value":{"a":1,}}]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"put","key":"a"}]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"rename","key":"a"}]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"delete","key":"a"},]})",
           R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"delete","key":"a"})",
       }) {
    CAPTURE(line);
    CHECK_FALSE(parse_request_fast(line));
  }
  // Nesting: a value as deep as the general path allows is read; one level more is declined.
  auto nested = [](std::size_t levels) {
    return R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"put","key":"a","value":)" +
           std::string(levels, '[') + std::string(levels, ']') + "}]}";
  };
  CHECK(parse_request_fast(nested(kMaxJsonDepth - 3)));
  CHECK(parse_line(nested(kMaxJsonDepth - 3)));
  CHECK_FALSE(parse_request_fast(nested(kMaxJsonDepth - 2)));
  CHECK_FALSE(parse_line(nested(kMaxJsonDepth - 2)));
}

TEST_CASE("request_fast: a session answers fast-path requests as it answers the general path") {
  // The same requests to two engines: as the client writes them (fast path) and with a leading
  // space (which the fast path declines): the same answers (refusals word for word), the same state.
  auto run = [](bool fast) {
    auto e = Engine::open({"", 100, [] { return std::int64_t{1}; }});
    REQUIRE(e);
    std::vector<std::string> out;
    Session s(**e, Peer{0, 1, true}, [&](std::string_view l) { out.emplace_back(l); });
    for (std::string line : {
             R"({"op":"txn","quiet":true,"id":5,"compare":[],"ops":[{"op":"put","key":"log/x","value":1}]})",
             R"({"op":"log","quiet":true,"id":6,"entries":[{"subsys":"ike","level":"audit","message":"m"},{"subsys":"","level":"audit","message":"m"}]})",
             R"({"op":"txn","quiet":true,"id":7,"compare":[],"ops":[{"op":"put","key":"a/b","value":{"x":[1,"y"]}}]})",
             R"({"op":"txn","quiet":true,"id":8,"compare":[{"key":"a/b","revision":0}],"ops":[{"op":"delete","key":"a/b"}]})",
             R"({"op":"txn","quiet":true,"id":9,"compare":[],"ops":[{"op":"delete","key":"a/c"}]})",
             R"({"op":"log","quiet":true,"id":10,"entries":[{"subsys":"ike","level":"1","message":"one"},{"subsys":"ike","level":"private","message":"two"}]})",
         }) {
      REQUIRE(parse_request_fast(line));
      s.handle_line(fast ? line : " " + line);
    }
    s.handle_line(R"({"op":"log_read","id":11})");
    s.handle_line(R"({"op":"list","prefix":"","id":12})");
    return out;
  };
  const auto fast = run(true);
  CHECK(fast == run(false));
  REQUIRE(fast.size() == 5);  // three refusals; successful quiet requests are not answered
  CHECK(Json::parse(fast[0])["error"]["message"] == "field 'ops[0].key': keys under log/ are written with op 'log'");
  CHECK(Json::parse(fast[1])["error"]["message"] == "field 'subsys' must not be empty");
  CHECK(Json::parse(fast[2])["error"]["code"] == "conflict");
  CHECK(Json::parse(fast[3])["entries"].size() == 2);
  CHECK(Json::parse(fast[4])["items"][0]["value"] == Json::parse(R"({"x":[1,"y"]})"));
}

TEST_CASE("request_fast: what store::Client writes for txn_nowait() and log_nowait() takes the fast path") {
  test::TempDir dir;
  const std::string sock = dir / "agent.sock";
  request_fast_test::Recorder rec(sock);
  {
    ClientOptions o;
    o.socket = sock;
    o.autostart = false;
    o.timeout = std::chrono::seconds(10);
    auto c = Client::connect(o);
    REQUIRE(c);
    REQUIRE(c->log_nowait("ike", "control", "IKE SA #1 established with \"peer\""));
    REQUIRE(c->log_nowait("ike", "diag", "second line"));
    Txn t;
    t.compares.push_back(Compare{"sa/ike/main/ab", 0});
    t.ops.push_back(TxnOp::put("sa/ike/main/ab", Json{{"peer", "198.51.100.1"}, {"port", 500}, {"mode", nullptr}}));
    t.ops.push_back(TxnOp::del("secret/ike/ab"));
    t.ops.push_back(TxnOp::delete_prefix("sa/x/"));
    REQUIRE(c->txn_nowait(t));
    REQUIRE(c->log_nowait("ike", "audit", "after"));
    c->drain();
  }
  const auto lines = rec.lines();
  REQUIRE(lines.size() == 3);
  for (const auto& l : lines) {
    CAPTURE(l);
    auto fast = parse_request_fast(l);
    REQUIRE(fast);
    check_same(*fast, general(l));
  }
  auto txn = parse_request_fast(lines[1]);
  REQUIRE(txn);
  REQUIRE(txn->txn.ops.size() == 3);
  CHECK(txn->txn.ops[0].text == R"({"mode":null,"peer":"198.51.100.1","port":500})");
  CHECK(txn->txn.ops[0].tree() == Json{{"peer", "198.51.100.1"}, {"port", 500}, {"mode", nullptr}});
  CHECK(txn->txn.ops[2].kind == TxnOp::Kind::delete_prefix);
}
