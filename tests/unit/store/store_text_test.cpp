// Values kept as canonical text (Slot in store/read_view.h): a txn sent as canonical text (the
// fast path keeps it as it came) and the same txn sent so that the general path builds a tree
// give the same answers, events and SQLite rows, byte for byte; derived puts of unchanged
// values are still dropped.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/request_fast.h"
#include "store/session.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using ipseckit::store::test::TempDir;

namespace store_text_test {

// Values whose text is canonical (taken as text), and values the fast path reads as a tree
// (unsorted keys, spaces) or leaves to the general path (floats, \u escapes).
const std::vector<std::string> kValues = {
    R"({"dir":"in","keys":{"auth":"00ff","enc":"abcd"},"peer":"198.51.100.7","spi":3735928559,"up":true})",
    "{\"n\":-9223372036854775808,\"name\":\"caf\xc3\xa9 \\\"q\\\" \\\\ \\n\",\"u\":18446744073709551615}",
    R"([1,-2,0,[],{},null,false,""])",
    R"("just a string")",
    R"({"b":1,"a":[2,1]})",
    R"({"a" : 1, "b" : [ 1 , 2 ] })",
    R"({"f":1.5,"g":-0,"h":1e3})",
    R"({"u":"\u00e9\u0001\/"})",
};

std::string put_line(int id, const std::string& key, const std::string& value) {
  return R"({"op":"txn","quiet":true,"id":)" + std::to_string(id) + R"(,"compare":[],"ops":[{"op":"put","key":")" +
         key + R"(","value":)" + value + "}]}";
}

// One engine with a state dir, a writer and a watcher; every output line in order.
struct Side {
  TempDir tmp;
  std::unique_ptr<Engine> engine;
  std::vector<std::string> out;
  std::unique_ptr<Session> writer, watcher, reader;
  Side() {
    auto e = Engine::open({tmp / "state", 100, [] { return std::int64_t{1}; }});
    REQUIRE(e);
    engine = std::move(e.value());
    auto collect = [this](std::string_view l) { out.emplace_back(l); };
    writer = std::make_unique<Session>(*engine, Peer{0, 1, true}, collect);
    watcher = std::make_unique<Session>(*engine, Peer{0, 2, true}, collect);
    reader = std::make_unique<Session>(*engine, Peer{65534, 3, false}, collect);
  }
  // The kv table as text rows "key|value|revision".
  std::vector<std::string> rows() const {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((tmp / "state/store.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT key, value, revision FROM kv ORDER BY key", -1, &st, nullptr) == SQLITE_OK);
    std::vector<std::string> r;
    while (sqlite3_step(st) == SQLITE_ROW)
      r.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + "|" +  // NOLINT
                  reinterpret_cast<const char*>(sqlite3_column_text(st, 1)) + "|" +                // NOLINT
                  std::to_string(sqlite3_column_int64(st, 2)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return r;
  }
};

// Runs the scenario; as_text: the lines as store::Client writes them, else with a leading
// space (the fast path declines it, so the general path builds every value as a tree).
std::pair<std::vector<std::string>, std::vector<std::string>> scenario(bool as_text) {
  Side s;
  auto send = [&](const std::string& line) { s.writer->handle_line(as_text ? line : " " + line); };
  s.watcher->handle_line(R"({"op":"watch","prefix":"","id":"w"})");
  s.reader->handle_line(R"({"op":"watch","prefix":"","id":"r"})");
  int id = 10;
  for (std::size_t i = 0; i < kValues.size(); ++i) {
    send(put_line(++id, "esp/sa/" + std::to_string(i), kValues[i]));
    send(put_line(++id, "policy/" + std::to_string(i), kValues[i]));  // persistent
  }
  send(put_line(++id, "secret/psk/p", R"({"key":"s3cret"})"));
  // Several ops on one key in one txn, a delete, a delete_prefix, a failed compare.
  send(R"({"op":"txn","quiet":true,"id":40,"compare":[],"ops":[{"op":"put","key":"esp/sa/x","value":{"v":1}},{"op":"put","key":"esp/sa/x","value":{"v":2}},{"op":"delete","key":"esp/sa/3"},{"op":"delete_prefix","prefix":"policy/6"}]})");
  send(R"({"op":"txn","quiet":true,"id":41,"compare":[{"key":"esp/sa/x","revision":1}],"ops":[{"op":"put","key":"esp/sa/y","value":1}]})");
  for (std::string line : {R"({"op":"get","key":"esp/sa/0","id":1})", R"({"op":"get","key":"esp/sa/1"})",
                           R"({"op":"get","key":"policy/4","id":"g"})", R"({"op":"get","key":"nope","id":2})",
                           R"({"op":"list","prefix":"","id":3})", R"({"op":"list","prefix":"esp/","keys_only":true})",
                           R"({"op":"watch","prefix":"esp/","snapshot":true,"id":4})"}) {
    s.writer->handle_line(line);
    s.reader->handle_line(line);
  }
  auto rows = s.rows();
  // A restart loads the rows back: the same answers.
  s.writer.reset();
  s.watcher.reset();
  s.reader.reset();
  s.engine.reset();
  auto e = Engine::open({s.tmp / "state", 100, {}});
  REQUIRE(e);
  Session again(**e, Peer{0, 1, true}, [&](std::string_view l) { s.out.emplace_back(l); });
  again.handle_line(R"({"op":"list","prefix":"","id":5})");
  return {s.out, rows};
}

}  // namespace store_text_test

using store_text_test::kValues;
using store_text_test::put_line;

TEST_CASE("store text: which puts the fast path keeps as text") {
  for (std::size_t i = 0; i < kValues.size(); ++i) {
    CAPTURE(kValues[i]);
    auto r = parse_request_fast(put_line(1, "k", kValues[i]));
    if (i >= 6) {  // floats and \u escapes: left to the general path
      CHECK_FALSE(r);
      continue;
    }
    REQUIRE(r);
    REQUIRE(r->txn.ops.size() == 1);
    CHECK(r->txn.ops[0].text.empty() == (i >= 4));  // unsorted keys or spaces: a tree
    if (i < 4) CHECK(r->txn.ops[0].text == kValues[i]);
  }
}

TEST_CASE("store text: text and tree puts give the same answers, events and SQLite rows") {
  const auto [text_out, text_rows] = store_text_test::scenario(true);
  const auto [tree_out, tree_rows] = store_text_test::scenario(false);
  CHECK(text_out == tree_out);
  CHECK(text_rows == tree_rows);
  // Every value in to_text()'s form, wherever it shows.
  for (const auto& l : text_out) {
    CAPTURE(l);
    REQUIRE(l.back() == '\n');
    const Json j = Json::parse(l);
    auto spelled = [&l](const Json& v) { return l.find("\"value\":" + to_text(v)) != std::string::npos; };
    if (j.contains("value")) CHECK(spelled(j["value"]));
    if (j.contains("items"))
      for (const auto& item : j["items"])
        if (item.contains("value")) CHECK(spelled(item["value"]));
  }
  REQUIRE(text_rows.size() == 8);  // policy/0..7 less policy/6, and the psk
  CHECK(text_rows[0] == "policy/0|" + kValues[0] + "|2");
  CHECK(text_rows[4] == R"(policy/4|{"a":[2,1],"b":1}|10)");
  CHECK(text_rows[6] == R"(policy/7|{"u":"é\u0001/"}|16)");
  // Some lines spelled out: an event, a get answer, a refusal.
  CHECK(std::count(text_out.begin(), text_out.end(),
                   R"({"watch":1,"event":"put","key":"esp/sa/5","value":{"a":1,"b":[1,2]},"revision":11})"
                   "\n") == 1);
  CHECK(std::count(text_out.begin(), text_out.end(),
                   R"({"id":1,"ok":true,"key":"esp/sa/0","revision":1,"value":)" + kValues[0] + "}\n") == 2);
  CHECK(std::count(text_out.begin(), text_out.end(),
                   R"({"id":41,"ok":false,"error":{"code":"conflict","message":"compare failed on key 'esp/sa/x': it is at revision 18, expected revision 1"}})"
                   "\n") == 1);
}

TEST_CASE("store text: in-process puts (trees, put_text in any form) store to_text()") {
  auto opened = Engine::open({"", 10, {}});
  REQUIRE(opened);
  auto& e = *opened;
  std::vector<std::string> events;
  e->watch_text("", [&](std::uint64_t, const TextEvent& ev) { events.emplace_back(ev.text); });
  std::vector<Json> trees;
  e->watch("", [&](std::uint64_t, const Event& ev) { trees.push_back(ev.value); });
  REQUIRE(e->put("a", Json{{"z", 1}, {"y", {1.5, "x"}}}));
  Txn t;
  t.ops.push_back(TxnOp::put_text("b", R"({ "z" : 1, "y" : [1.5, "x"] })"));
  t.ops.push_back(TxnOp::put_text("c", R"({"y":[2],"z":"\u00e9"})"));
  REQUIRE(e->txn(std::move(t)));
  REQUIRE(events.size() == 3);
  CHECK(events[0] == R"({"y":[1.5,"x"],"z":1})");
  CHECK(events[1] == events[0]);
  CHECK(events[2] == R"({"y":[2],"z":"é"})");
  CHECK(e->view().find("b")->text == events[0]);
  CHECK(e->get("c")->value == Json{{"y", {2}}, {"z", "é"}});
  REQUIRE(trees.size() == 3);
  CHECK(trees[1] == Json{{"z", 1}, {"y", {1.5, "x"}}});
}

TEST_CASE("store text: derived puts of unchanged values are dropped, as trees or as text") {
  auto opened = Engine::open({"", 10, {}});
  REQUIRE(opened);
  auto& e = *opened;
  int runs = 0;
  e->add_deriver({"policy/"}, [&](const ReadView& v) {
    ++runs;
    const auto n = static_cast<int>(v.list("policy/").size());  // a signed int: stored as "N"
    return std::vector<TxnOp>{TxnOp::put("spd/count", Json{{"n", n}, {"b", {true, nullptr}}}),
                              TxnOp::put_text("spd/text", R"({"n": )" + std::to_string(n) + "}")};
  });
  std::vector<std::string> keys;
  e->watch_text("spd/", [&](std::uint64_t, const TextEvent& ev) { keys.emplace_back(ev.key); });
  CHECK(e->view().find("spd/count")->text == R"({"b":[true,null],"n":0})");
  CHECK(e->view().find("spd/text")->text == R"({"n":0})");
  REQUIRE(e->put("policy/a", 1));
  CHECK(keys == std::vector<std::string>{"spd/count", "spd/text"});
  const auto rev = e->revision();
  REQUIRE(e->put("other", 1));  // not an input
  e->rederive();                // same output: nothing committed
  CHECK(runs == 3);
  CHECK(e->revision() == rev + 1);
  CHECK(keys.size() == 2);
  // Rewriting an input re-runs the deriver; its unchanged output is dropped.
  REQUIRE(e->put("policy/a", 1));
  CHECK(keys.size() == 2);
}

TEST_CASE("store text: a txn's later ops see its earlier ones, in small and big txns") {
  for (int n : {6, 20}) {  // plan() indexes up to 16 changed keys in an array, more in a map
    CAPTURE(n);
    auto opened = Engine::open({"", 10, {}});
    REQUIRE(opened);
    auto& e = *opened;
    REQUIRE(e->put("k00", "old"));
    REQUIRE(e->put("x", 1));
    std::vector<std::string> events;
    e->watch_text("", [&](std::uint64_t, const TextEvent& ev) {
      events.push_back(std::string(ev.key) + (ev.kind == Event::Kind::put ? "=" + std::string(ev.text) : " deleted"));
    });
    auto key = [](int i) { return std::string(i < 10 ? "k0" : "k") + std::to_string(i); };
    Txn t;
    for (int i = 0; i < n; ++i) t.ops.push_back(TxnOp::put(key(i), i));
    t.ops.push_back(TxnOp::delete_prefix("k0"));  // k00.., the stored k00 among them
    t.ops.push_back(TxnOp::put("k03", "back"));
    t.ops.push_back(TxnOp::del("k04"));  // already gone: no event
    t.ops.push_back(TxnOp::del("x"));
    REQUIRE(e->txn(std::move(t)));
    std::vector<std::string> want;
    for (int i = 0; i < n; ++i) want.push_back(key(i) + "=" + std::to_string(i));
    for (int i = 0; i < std::min(n, 10); ++i) want.push_back(key(i) + " deleted");
    want.insert(want.end(), {R"(k03="back")", "x deleted"});
    CHECK(events == want);
    std::vector<std::string> keys;
    e->view().for_each("", [&](const std::string& k, const Slot&) { keys.push_back(k); });
    std::vector<std::string> left{"k03"};
    for (int i = 10; i < n; ++i) left.push_back(key(i));
    CHECK(keys == left);
  }
}
