// base/json_text.h against nlohmann's serialiser in store::to_text()'s form: strings that need
// escaping or replacement, every value kind, nesting, and the Debug check of the key order.
#include "base/json_text.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <limits>
#include <string>
#include <vector>

#include "store/protocol.h"

using ipseckit::JsonText;
using ipseckit::store::Json;
using ipseckit::store::to_text;

TEST_CASE("json_text: strings are escaped and replaced as nlohmann does") {
  const std::vector<std::string> cases = {
      "",
      "plain ASCII 198.51.100.1[500] ~!@#$%^&*()",
      "quote \" and \\ backslash, slash /",
      "controls \b\f\n\r\t \x01\x1f and DEL \x7f",
      std::string("NUL \0 inside", 12),
      "UTF-8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
      "bad UTF-8 \xc3 alone, \xff, \xed\xa0\x80 surrogate, \xf0\x9f\x94 cut",
      "\xc3",
  };
  for (const auto& s : cases) {
    CAPTURE(s);
    std::string out = "x";
    ipseckit::append_json_string(out, s);
    CHECK(out == "x" + to_text(Json(s)));
    CHECK(JsonText().str("k", s).done() == to_text(Json{{"k", s}}));
  }
}

TEST_CASE("json_text: every value kind, nested objects and arrays, as to_text() writes them") {
  JsonText w;
  w.boolean("a", true).boolean("b", false).num("c", std::int8_t{-5}).num("d", std::numeric_limits<std::int64_t>::min());
  w.null("e").num("f", std::uint8_t{200}).num("g", std::numeric_limits<std::uint64_t>::max());
  w.object("h").str("x", "y").object("z").end().end();
  w.array("i").item().num("n", 1).end().item().end().end();
  w.array("j").end().str("k", "\"v\"");
  const std::string text = w.done();
  const Json want = {{"a", true},
                     {"b", false},
                     {"c", -5},
                     {"d", std::numeric_limits<std::int64_t>::min()},
                     {"e", nullptr},
                     {"f", 200u},
                     {"g", std::numeric_limits<std::uint64_t>::max()},
                     {"h", {{"x", "y"}, {"z", Json::object()}}},
                     {"i", Json::array({Json{{"n", 1}}, Json::object()})},
                     {"j", Json::array()},
                     {"k", "\"v\""}};
  CHECK(text == to_text(want));
  CHECK(text == to_text(Json::parse(text)));
  CHECK(JsonText().done() == "{}");
  // Keys that are prefixes of one another sort before them, as in std::map.
  CHECK(JsonText().num("local", 1).num("local_id", 2).num("local_port", 3).done() ==
        to_text(Json{{"local_port", 3}, {"local", 1}, {"local_id", 2}}));
}

// A key out of order would give text that is not to_text()'s: Debug builds abort on it.
TEST_CASE("json_text: keys out of order or twice abort in Debug builds") {
#ifdef NDEBUG
  MESSAGE("Release build: the key order is checked by the Debug (ASan) build only");
#else
  auto aborts = [](void (*write)()) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      (void)!freopen("/dev/null", "w", stderr);  // the assertion's message
      write();
      _exit(0);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  };
  CHECK(aborts([] { (void)JsonText().str("b", "").str("a", "").done(); }));
  CHECK(aborts([] { (void)JsonText().num("id", 1).num("id", 2).done(); }));
  CHECK(aborts([] { (void)JsonText().object("o").num("y", 1).num("x", 2).end().done(); }));
  CHECK_FALSE(aborts([] { (void)JsonText().object("z").num("y", 1).end().num("zz", 2).done(); }));
#endif
}
