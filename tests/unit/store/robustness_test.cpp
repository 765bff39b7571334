// Hostile bytes on the agent's socket: garbage, invalid UTF-8, deep nesting, and a 1 GB
// line that must be refused without the agent ever buffering it.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <random>
#include <thread>

#include "store/client.h"
#include "store/line_conn.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

namespace {

Json next_line(LineConn& conn) {
  auto r = conn.receive(std::chrono::seconds(10));
  REQUIRE(r);
  REQUIRE(*r);
  return **r;
}

void send_raw(int fd, std::string_view bytes) {
  REQUIRE(sys::write_all(fd, bytes, std::chrono::seconds(10)));
}

}  // namespace

TEST_CASE("garbage, invalid UTF-8 and deep nesting get bad_request; the agent carries on") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto fd = sys::unix_connect(agent.socket());
  REQUIRE(fd);
  const int raw = fd->get();
  LineConn conn(std::move(fd.value()));

  std::mt19937 rng(42);
  std::string soup;
  for (int i = 0; i < 200000; ++i) soup.push_back(static_cast<char>(rng() & 0xff));
  soup += "\n";
  soup += std::string("\x00\x01\x02", 3) + "\n";
  soup += "\xff\xfe{}\n";
  soup += "{\"op\":\"put\",\"key\":\"policy/\xc3\x28\",\"value\":1}\n";
  soup += "{\"op\":\"put\",\"key\":\"policy/x\",\"value\":\"\xed\xa0\x80\"}\n";  // UTF-16 surrogate in UTF-8
  soup += "{\"op\":\"get\",\"key\":\"\\ud800\"}\n";                              // lone surrogate escape
  soup += std::string(100000, '[') + "\n";
  soup += std::string(100000, '{') + "\n";
  soup += "}}}}]]]\n";
  soup += "{\"op\":\"put\",\"key\":\"a\"\n";
  soup += "{\"op\":\"hello\",\"id\":\"done\"}\n";
  send_raw(raw, soup);

  int errors = 0;
  for (;;) {
    Json j = next_line(conn);
    if (j.value("id", Json()) == "done") {
      CHECK(j["ok"] == true);
      break;
    }
    CHECK(j["ok"] == false);
    CHECK(j["error"]["code"] == "bad_request");
    ++errors;
  }
  CHECK(errors >= 9);

  auto c = agent.connect();
  REQUIRE(c);
  CHECK_FALSE(c->get("policy/x"));
  REQUIRE(c->put("policy/ok", "\xc3\xa9t\xc3\xa9"));  // valid UTF-8 round-trips
  CHECK(c->get("policy/ok")->value == "\xc3\xa9t\xc3\xa9");
}

TEST_CASE("a 1 GB line: too_large, disconnect, small RSS, other clients unaffected") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto fd = sys::unix_connect(agent.socket());
  REQUIRE(fd);
  const int raw = fd->get();
  timeval tv{20, 0};
  ::setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  LineConn conn(std::move(fd.value()));
  auto other = agent.connect();
  REQUIRE(other);

  std::atomic<std::uint64_t> sent{0};
  std::atomic<bool> stop{false};
  std::thread streamer([&] {
    const std::string chunk(1 << 20, 'x');
    const std::string start = "{\"op\":\"put\",\"key\":\"policy/huge\",\"value\":\"";
    if (::send(raw, start.data(), start.size(), MSG_NOSIGNAL) < 0) return;
    for (int i = 0; i < 1024 && !stop; ++i) {
      std::size_t off = 0;
      while (off < chunk.size()) {
        ssize_t n = ::send(raw, chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;  // the agent shut the connection
        off += static_cast<std::size_t>(n);
        sent += static_cast<std::uint64_t>(n);
      }
    }
  });
  // Another client keeps working while the line streams in.
  int puts = 0;
  for (int i = 0; i < 50; ++i) puts += other->put("dynamic/alive", i) ? 1 : 0;
  CHECK(puts == 50);

  Json err = next_line(conn);
  CHECK(err["ok"] == false);
  CHECK(err["error"]["code"] == "too_large");
  auto eof = conn.receive(std::chrono::seconds(10));
  REQUIRE_FALSE(eof);
  CHECK(eof.error().code == "io");
  stop = true;
  streamer.join();
  MESSAGE("bytes sent before the agent cut the line off: " << sent.load());
  CHECK(sent.load() < (std::uint64_t{512} << 20));
  const long rss = agent.peak_rss_kib();
  MESSAGE("agent peak RSS: " << rss << " KiB");
  CHECK(rss > 0);
  CHECK(rss < 256 * 1024);

  CHECK(other->get("dynamic/alive")->value == 49);
  CHECK(other->get("policy/huge").error().code == "not_found");
  auto fresh = agent.connect();
  REQUIRE(fresh);
  CHECK(fresh->info().pid == agent.pid());
}

TEST_CASE("--max-line is honoured") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state", {"--max-line", "4KiB"});
  REQUIRE(agent.ready());
  auto c = agent.connect();
  REQUIRE(c);
  CHECK(c->put("policy/small", std::string(3000, 'a')));
  auto big = c->put("policy/big", std::string(5000, 'a'));
  REQUIRE_FALSE(big);
  CHECK(big.error().code == "too_large");
  auto again = agent.connect();
  REQUIRE(again);
  CHECK(again->get("policy/small"));
}
