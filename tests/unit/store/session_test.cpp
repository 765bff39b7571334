// The request dispatcher in-process: responses, watches and the rights of non-admin peers.
#include "store/session.h"

#include <doctest/doctest.h>

using namespace ipseckit;
using namespace ipseckit::store;

namespace {

struct Fixture {
  std::unique_ptr<Engine> engine;
  Fixture() {
    auto e = Engine::open({"", 100, {}});
    REQUIRE(e);
    engine = std::move(e.value());
  }
};

// A session whose output lines are collected as JSON.
struct Peer_ {
  std::vector<Json> out;
  std::unique_ptr<Session> s;
  Peer_(Engine& e, bool admin, uid_t uid = 0) {
    s = std::make_unique<Session>(e, Peer{uid, 1234, admin}, [this](std::string_view line) {
      REQUIRE(!line.empty());
      CHECK(line.back() == '\n');
      out.push_back(Json::parse(line));
    });
  }
  Json call(std::string_view line) {
    out.clear();
    s->handle_line(line);
    REQUIRE(out.size() >= 1);
    return out[0];
  }
  std::string code(std::string_view line) {
    Json r = call(line);
    CHECK(r["ok"] == false);
    return r["error"]["code"].get<std::string>();
  }
};

}  // namespace

TEST_CASE("hello reports protocol, peer and revision; unsupported versions are refused") {
  Fixture f;
  Peer_ p(*f.engine, false, 1000);
  Json h = p.call(R"({"op":"hello","version":1,"id":1})");
  CHECK(h["ok"] == true);
  CHECK(h["id"] == 1);
  CHECK(h["protocol"] == 1);
  CHECK(h["uid"] == 1000);
  CHECK(h["admin"] == false);
  CHECK(h["server"] == "policyagent/0.1.0");
  CHECK(h["revision"] == 0);
  Json bad = p.call(R"({"op":"hello","version":2,"id":2})");
  CHECK(bad["id"] == 2);
  CHECK(bad["error"]["code"] == "unsupported_version");
  CHECK(bad["error"]["message"].get<std::string>().find("version") != std::string::npos);
}

TEST_CASE("ids are echoed, errors carry code and message, blank lines are ignored") {
  Fixture f;
  Peer_ p(*f.engine, true);
  Json r = p.call(R"({"op":"put","key":"policy/a","value":1,"id":"req-1"})");
  CHECK(r == Json{{"id", "req-1"}, {"ok", true}, {"revision", 1}});
  Json g = p.call(R"({"op":"get","key":"policy/a"})");
  CHECK(g == Json{{"ok", true}, {"key", "policy/a"}, {"value", 1}, {"revision", 1}});
  Json nf = p.call(R"({"op":"get","key":"policy/b","id":9})");
  CHECK(nf["id"] == 9);
  CHECK(nf["error"]["code"] == "not_found");
  CHECK(p.code(R"({"op":"put","key":"policy/a","value":2,"if_revision":0})") == "conflict");
  CHECK(p.code(R"({"op":"delete","key":"policy/b"})") == "not_found");
  CHECK(p.code("{") == "bad_request");
  p.out.clear();
  p.s->handle_line("");
  p.s->handle_line("  \r");
  CHECK(p.out.empty());
  Json l = p.call(R"({"op":"list","prefix":"policy/","keys_only":true})");
  CHECK(l["items"] == Json::parse(R"([{"key":"policy/a","revision":1}])"));
  CHECK(l["revision"] == 1);
}

TEST_CASE("watch: response first, then the snapshot, then changes in commit order") {
  Fixture f;
  Peer_ admin(*f.engine, true);
  admin.call(R"({"op":"put","key":"ike/a","value":1})");
  admin.call(R"({"op":"put","key":"ike/b","value":2})");
  Peer_ w(*f.engine, true);
  w.out.clear();
  w.s->handle_line(R"({"op":"watch","prefix":"ike/","snapshot":true,"id":3})");
  REQUIRE(w.out.size() == 3);
  CHECK(w.out[0]["ok"] == true);
  CHECK(w.out[0]["count"] == 2);
  const auto wid = w.out[0]["watch"].get<std::uint64_t>();
  CHECK(w.out[1]["key"] == "ike/a");
  CHECK(w.out[1]["snapshot"] == true);
  CHECK(w.out[2]["watch"] == wid);
  w.out.clear();
  admin.call(R"({"op":"txn","ops":[{"op":"put","key":"ike/c","value":3},{"op":"delete_prefix","prefix":"ike/a"}]})");
  REQUIRE(w.out.size() == 2);
  CHECK(w.out[0]["event"] == "put");
  CHECK(w.out[1]["event"] == "delete");
  CHECK(w.out[1]["key"] == "ike/a");
  CHECK_FALSE(w.out[1].contains("value"));
  CHECK(w.out[0]["revision"] == w.out[1]["revision"]);
  CHECK(w.call(R"({"op":"unwatch","watch":)" + std::to_string(wid) + "}")["ok"] == true);
  CHECK(w.code(R"({"op":"unwatch","watch":)" + std::to_string(wid) + "}") == "not_found");
  w.out.clear();
  admin.call(R"({"op":"put","key":"ike/d","value":4})");
  CHECK(w.out.empty());
}

TEST_CASE("a closed session's watches are cancelled") {
  Fixture f;
  Peer_ admin(*f.engine, true);
  {
    Peer_ w(*f.engine, true);
    w.call(R"({"op":"watch","prefix":""})");
  }
  admin.call(R"({"op":"put","key":"ike/x","value":1})");  // must not reach the dead session
  CHECK(admin.out.size() == 1);
}

TEST_CASE("non-admin peers read non-secret keys only") {
  Fixture f;
  Peer_ admin(*f.engine, true);
  admin.call(R"({"op":"put","key":"policy/a","value":1})");
  admin.call(R"({"op":"put","key":"secret/psk/peer","value":"hunter2"})");
  admin.call(R"({"op":"put","key":"secret/ike/sa1","value":"key"})");
  Peer_ user(*f.engine, false, 65534);
  CHECK(user.call(R"({"op":"get","key":"policy/a"})")["value"] == 1);
  CHECK(user.code(R"({"op":"get","key":"secret/psk/peer"})") == "forbidden");
  CHECK(user.code(R"({"op":"put","key":"policy/a","value":2})") == "forbidden");
  CHECK(user.code(R"({"op":"delete","key":"policy/a"})") == "forbidden");
  CHECK(user.code(R"({"op":"txn","ops":[]})") == "forbidden");
  CHECK(user.code(R"({"op":"log","subsys":"x","level":"audit","message":"m"})") == "forbidden");
  CHECK(user.code(R"({"op":"watch","prefix":"secret/"})") == "forbidden");
  CHECK(user.code(R"({"op":"watch","prefix":"secret/psk/"})") == "forbidden");
  Json l = user.call(R"({"op":"list","prefix":""})");
  REQUIRE(l["items"].size() == 1);
  CHECK(l["items"][0]["key"] == "policy/a");
  CHECK(user.call(R"({"op":"list","prefix":"secret/"})")["items"].empty());
  CHECK(f.engine->get("policy/a")->value == 1);

  // a broad watch skips secret keys, in the snapshot and afterwards
  user.out.clear();
  user.s->handle_line(R"({"op":"watch","prefix":"","snapshot":true})");
  REQUIRE(user.out.size() == 2);
  CHECK(user.out[1]["key"] == "policy/a");
  user.out.clear();
  admin.call(R"({"op":"put","key":"secret/psk/peer2","value":"x"})");
  admin.call(R"({"op":"put","key":"dynamic/1","value":"y"})");
  REQUIRE(user.out.size() == 1);
  CHECK(user.out[0]["key"] == "dynamic/1");
}

TEST_CASE("log, log_read and log/ watches; private entries only for admins") {
  Fixture f;
  Peer_ admin(*f.engine, true);
  Peer_ user(*f.engine, false, 1000);
  user.out.clear();
  user.s->handle_line(R"({"op":"watch","prefix":"log/"})");
  REQUIRE(user.out.size() == 1);
  Peer_ aw(*f.engine, true);
  aw.call(R"({"op":"watch","prefix":"log/"})");
  user.out.clear();
  aw.out.clear();
  CHECK(admin.call(R"({"op":"log","subsys":"ike","level":"audit","message":"MM up"})")["seq"] == 1);
  CHECK(admin.call(R"({"op":"log","subsys":"ike","level":"private","message":"SKEYID=..."})")["seq"] == 2);
  REQUIRE(aw.out.size() == 2);
  CHECK(aw.out[1]["key"] == "log/2");
  CHECK(aw.out[1]["value"]["message"] == "SKEYID=...");
  REQUIRE(user.out.size() == 1);
  CHECK(user.out[0]["key"] == "log/1");
  CHECK(user.out[0]["value"]["level"] == "audit");

  Json ua = user.call(R"({"op":"log_read","since":0})");
  REQUIRE(ua["entries"].size() == 1);
  CHECK(ua["seq"] == 2);
  Json aa = admin.call(R"({"op":"log_read","since":1,"limit":5})");
  REQUIRE(aa["entries"].size() == 1);
  CHECK(aa["entries"][0]["seq"] == 2);
  CHECK(aa["entries"][0]["time"].is_number_integer());
  CHECK(admin.code(R"({"op":"log","subsys":"","level":"audit","message":"m"})") == "bad_request");

  Peer_ late(*f.engine, false, 1000);
  late.out.clear();
  late.s->handle_line(R"({"op":"watch","prefix":"log/","snapshot":true})");
  REQUIRE(late.out.size() == 2);  // response + the one public entry
  CHECK(late.out[1]["key"] == "log/1");
}

TEST_CASE("too many watches on one connection") {
  Fixture f;
  Peer_ q(*f.engine, true);
  q.s = std::make_unique<Session>(
      *f.engine, Peer{0, 1, true}, [&q](std::string_view l) { q.out.push_back(Json::parse(l)); },
      SessionConfig{"policyagent/test", 2});
  CHECK(q.call(R"({"op":"watch","prefix":"a"})")["ok"] == true);
  CHECK(q.call(R"({"op":"watch","prefix":"b"})")["ok"] == true);
  CHECK(q.code(R"({"op":"watch","prefix":"c"})") == "too_large");
  CHECK(q.call(R"({"op":"hello"})")["server"] == "policyagent/test");
}

TEST_CASE("quiet requests are answered only when they fail; log entries all or nothing") {
  Fixture f;
  Peer_ admin(*f.engine, true);
  Peer_ user(*f.engine, false, 1000);
  admin.out.clear();
  admin.s->handle_line(R"({"op":"txn","quiet":true,"id":7,"ops":[{"op":"put","key":"ike/mm/a","value":{"x":1}}]})");
  admin.s->handle_line(
      R"({"op":"log","quiet":true,"id":8,"entries":[{"subsys":"ike","level":"diag","message":"one"},)"
      R"({"subsys":"ike","level":"control","message":"two"}]})");
  CHECK(admin.out.empty());  // both succeeded: nothing to say
  CHECK(f.engine->get("ike/mm/a")->value["x"] == 1);
  auto lines = f.engine->log_read(0, 10, true);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].message == "one");
  CHECK(lines[1].level == "control");
  // A refused quiet txn is answered with its id, and nothing of it is applied.
  admin.s->handle_line(R"({"op":"txn","quiet":true,"id":9,"compare":[{"key":"ike/mm/a","revision":0}],)"
                       R"("ops":[{"op":"put","key":"ike/mm/b","value":2}]})");
  REQUIRE(admin.out.size() == 1);
  CHECK(admin.out[0]["id"] == 9);
  CHECK(admin.out[0]["error"]["code"] == "conflict");
  CHECK_FALSE(f.engine->get("ike/mm/b"));
  // One bad entry refuses the whole batch.
  CHECK(admin.code(R"({"op":"log","quiet":true,"id":10,"entries":[{"subsys":"ike","level":"diag","message":"x"},)"
                   R"({"subsys":"","level":"diag","message":"y"}]})") == "bad_request");
  CHECK(f.engine->log_read(0, 10, true).size() == 2);
  // Quiet does not lift the write check.
  CHECK(user.code(R"({"op":"log","quiet":true,"id":11,"entries":[{"subsys":"ike","level":"diag","message":"x"}]})") ==
        "forbidden");
  CHECK(admin.call(R"({"op":"log","id":12,"entries":[{"subsys":"ike","level":"diag","message":"z"}]})")["seq"] == 3);
}
