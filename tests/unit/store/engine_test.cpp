// Engine semantics in-process, volatile only: keys, revisions, txns, watches, derivers, log.
#include "store/engine.h"

#include <doctest/doctest.h>

#include "base/log.h"

using namespace ipseckit;
using namespace ipseckit::store;

namespace {

std::unique_ptr<Engine> volatile_engine(std::size_t ring = 100) {
  auto e = Engine::open({"", ring, [] { return std::int64_t{1700000000000}; }});
  REQUIRE(e);
  return std::move(e.value());
}

struct Recorder {
  std::vector<std::pair<std::uint64_t, Event>> events;
  Engine::WatchFn fn() {
    return [this](std::uint64_t w, const Event& e) { events.emplace_back(w, e); };
  }
};

}  // namespace

TEST_CASE("put, get, delete and per-key revisions on one global counter") {
  auto e = volatile_engine();
  CHECK(e->revision() == 0);
  auto r1 = e->put("policy/a", {{"x", 1}});
  REQUIRE(r1);
  CHECK(*r1 == 1);
  auto r2 = e->put("dynamic/b", "two");
  REQUIRE(r2);
  CHECK(*r2 == 2);
  auto a = e->get("policy/a");
  REQUIRE(a);
  CHECK(a->value["x"] == 1);
  CHECK(a->revision == 1);
  CHECK(e->put("policy/a", 5).value() == 3);
  CHECK(e->get("policy/a")->revision == 3);
  CHECK(e->get("dynamic/b")->revision == 2);

  auto missing = e->get("policy/zzz");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "not_found");
  CHECK(missing.error().message.find("policy/zzz") != std::string::npos);

  CHECK(e->del("dynamic/b").value() == 4);
  CHECK(e->del("dynamic/b").error().code == "not_found");
  CHECK(e->revision() == 4);
}

TEST_CASE("if_revision: compare-and-set, 0 means must not exist") {
  auto e = volatile_engine();
  CHECK(e->put("config/x", 1, 0).value() == 1);
  auto again = e->put("config/x", 2, 0);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "conflict");
  CHECK(again.error().message.find("config/x") != std::string::npos);
  CHECK(e->put("config/x", 2, 7).error().code == "conflict");
  CHECK(e->put("config/x", 2, 1).value() == 2);
  CHECK(e->del("config/x", 1).error().code == "conflict");
  CHECK(e->get("config/x")->value == 2);
  CHECK(e->del("config/x", 2).value() == 3);
  CHECK(e->revision() == 3);  // failed compares consume no revision
}

TEST_CASE("keys are validated and log/ is reserved") {
  auto e = volatile_engine();
  CHECK(e->put("", 1).error().code == "bad_request");
  CHECK(e->put("a\nb", 1).error().code == "bad_request");
  CHECK(e->put(std::string(2000, 'k'), 1).error().code == "bad_request");
  auto log_put = e->put("log/1", 1);
  REQUIRE_FALSE(log_put);
  CHECK(log_put.error().message.find("log/") != std::string::npos);
  CHECK(e->revision() == 0);
}

TEST_CASE("list returns a prefix in key order with mod revisions") {
  auto e = volatile_engine();
  for (auto k : {"spd/2", "spd/10", "spd/1", "spdx", "sp", "policy/p"}) REQUIRE(e->put(k, k));
  auto items = e->list("spd/");
  REQUIRE(items.size() == 3);
  CHECK(items[0].key == "spd/1");
  CHECK(items[1].key == "spd/10");
  CHECK(items[2].key == "spd/2");
  CHECK(items[0].revision == 3);
  CHECK(e->list("").size() == 6);
  CHECK(e->list("nothing/").empty());
}

TEST_CASE("txn is all or nothing and commits under one revision") {
  auto e = volatile_engine();
  REQUIRE(e->put("policy/a", 1));
  REQUIRE(e->put("dynamic/d", 1));
  Recorder rec;
  e->watch("", rec.fn());

  Txn bad;
  bad.compares = {{"policy/a", 1}, {"policy/b", 3}};
  bad.ops = {TxnOp::put("policy/a", 2), TxnOp::put("dynamic/e", 2)};
  auto r = e->txn(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "conflict");
  CHECK(r.error().message.find("policy/b") != std::string::npos);
  CHECK(e->get("policy/a")->value == 1);
  CHECK_FALSE(e->get("dynamic/e"));
  CHECK(rec.events.empty());

  Txn bad_key;  // validation failure anywhere: nothing applied
  bad_key.ops = {TxnOp::put("policy/ok", 1), TxnOp::put("", 2)};
  auto bk = e->txn(bad_key);
  REQUIRE_FALSE(bk);
  CHECK(bk.error().message.find("ops[1].key") != std::string::npos);
  CHECK_FALSE(e->get("policy/ok"));

  Txn good;
  good.compares = {{"policy/a", 1}, {"policy/new", 0}};
  good.ops = {TxnOp::put("policy/a", 2), TxnOp::put("policy/new", 3), TxnOp::del("dynamic/d"),
              TxnOp::put("secret/ike/x", "k")};
  auto g = e->txn(good);
  REQUIRE(g);
  CHECK(*g == 3);
  CHECK(e->get("policy/a")->revision == 3);
  CHECK(e->get("policy/new")->revision == 3);
  CHECK(e->get("secret/ike/x")->revision == 3);
  CHECK_FALSE(e->get("dynamic/d"));
  REQUIRE(rec.events.size() == 4);
  for (const auto& [w, ev] : rec.events) CHECK(ev.revision == 3);
  CHECK(rec.events[2].second.kind == Event::Kind::del);
  CHECK(rec.events[2].second.key == "dynamic/d");

  Txn noop;  // deleting what does not exist changes nothing: no new revision
  noop.ops = {TxnOp::del("dynamic/none"), TxnOp::delete_prefix("nothing/")};
  CHECK(e->txn(noop).value() == 3);
  CHECK(rec.events.size() == 4);
}

TEST_CASE("delete_prefix removes every key under the prefix, including ones put earlier in the txn") {
  auto e = volatile_engine();
  for (auto k : {"l2tp/session/1", "l2tp/session/2", "l2tp/tunnel/1", "l2tp/sessionx"}) REQUIRE(e->put(k, 1));
  Recorder rec;
  e->watch("l2tp/", rec.fn());
  Txn t;
  t.ops = {TxnOp::put("l2tp/session/3", 3), TxnOp::delete_prefix("l2tp/session/"), TxnOp::put("l2tp/session/9", 9)};
  REQUIRE(e->txn(t));
  auto left = e->list("l2tp/");
  REQUIRE(left.size() == 3);
  CHECK(left[0].key == "l2tp/session/9");
  CHECK(left[1].key == "l2tp/sessionx");
  CHECK(left[2].key == "l2tp/tunnel/1");
  std::vector<std::string> seen;
  for (const auto& [w, ev] : rec.events) seen.push_back((ev.kind == Event::Kind::put ? "+" : "-") + ev.key);
  CHECK(seen == std::vector<std::string>{"+l2tp/session/3", "-l2tp/session/1", "-l2tp/session/2", "-l2tp/session/3",
                                         "+l2tp/session/9"});
  Txn empty_prefix;
  empty_prefix.ops = {TxnOp::delete_prefix("")};
  CHECK(e->txn(empty_prefix).error().code == "bad_request");
}

TEST_CASE("watchers see their prefix only, in commit order; unwatch stops them") {
  auto e = volatile_engine();
  Recorder a, all;
  auto wa = e->watch("ike/", a.fn());
  e->watch("", all.fn());
  REQUIRE(e->put("ike/mm/1", 1));
  REQUIRE(e->put("esp/sa/1", 1));
  REQUIRE(e->put("ike/mm/2", 2));
  REQUIRE(e->del("ike/mm/1"));
  REQUIRE(a.events.size() == 3);
  CHECK(a.events[0].first == wa);
  CHECK(a.events[0].second.revision < a.events[1].second.revision);
  CHECK(a.events[1].second.revision < a.events[2].second.revision);
  CHECK(a.events[2].second.kind == Event::Kind::del);
  CHECK(all.events.size() == 4);
  CHECK(e->unwatch(wa));
  CHECK_FALSE(e->unwatch(wa));
  REQUIRE(e->put("ike/mm/3", 3));
  CHECK(a.events.size() == 3);
  CHECK(all.events.size() == 5);
}

TEST_CASE("derivers run at registration, after commits touching their inputs, and on rederive") {
  auto e = volatile_engine();
  int runs = 0;
  std::uint64_t extra = 0;
  e->add_deriver({"policy/", "assigned"}, [&](const ReadView& v) {
    ++runs;
    std::vector<TxnOp> ops{TxnOp::put("spd/count", v.list("policy/").size()),
                           TxnOp::put("spd/assigned", v.get("assigned") ? v.get("assigned")->value : Json())};
    if (extra) ops.push_back(TxnOp::put("spd/extra", extra));
    return ops;
  });
  CHECK(runs == 1);
  CHECK(e->get("spd/count")->value == 0);
  const auto rev_after_start = e->revision();

  Recorder rec;
  e->watch("", rec.fn());
  REQUIRE(e->put("policy/a", 1));
  CHECK(runs == 2);
  CHECK(e->get("spd/count")->value == 1);
  // the policy event, then the derived commit under the next revision
  REQUIRE(rec.events.size() == 2);
  CHECK(rec.events[0].second.key == "policy/a");
  CHECK(rec.events[1].second.key == "spd/count");
  CHECK(rec.events[1].second.revision == rec.events[0].second.revision + 1);

  REQUIRE(e->put("dynamic/x", 1));  // not an input
  CHECK(runs == 2);
  REQUIRE(e->put("assignedx", 1));  // exact key, not a prefix
  CHECK(runs == 2);
  REQUIRE(e->put("assigned", "p"));
  CHECK(runs == 3);
  CHECK(e->get("spd/assigned")->value == "p");

  // Unchanged output commits nothing.
  auto before = e->revision();
  e->rederive();
  CHECK(runs == 4);
  CHECK(e->revision() == before);
  extra = 42;
  e->rederive();
  CHECK(e->get("spd/extra")->value == 42);
  CHECK(e->revision() == before + 1);
  CHECK(rev_after_start >= 1);
}

TEST_CASE("deferred derivers: a burst of commits is derived once") {
  auto opened = Engine::open({"", 10, {}, true});
  REQUIRE(opened);
  auto& e = *opened;
  int runs = 0;
  e->add_deriver({"policy/"}, [&](const ReadView& v) {
    ++runs;
    return std::vector<TxnOp>{TxnOp::put("spd/count", v.list("policy/").size())};
  });
  CHECK(runs == 1);  // registration still runs it at once
  for (int i = 0; i < 5; ++i) REQUIRE(e->put("policy/p" + std::to_string(i), i));
  CHECK(runs == 1);
  CHECK(e->get("spd/count")->value == 0);
  e->run_pending_derivers();
  CHECK(runs == 2);
  CHECK(e->get("spd/count")->value == 5);
  e->run_pending_derivers();
  CHECK(runs == 2);
}

TEST_CASE("a deriver that throws is contained") {
  auto e = volatile_engine();
  int logged = 0;
  log::set_sink(
      [&](log::Subsys, log::Level, std::string_view m) { logged += m.find("boom") != std::string_view::npos; });
  e->add_deriver({"policy/"}, [](const ReadView&) -> std::vector<TxnOp> { throw std::runtime_error("boom"); });
  CHECK(e->put("policy/a", 1).value() == 1);
  log::set_sink({});
  CHECK(logged == 2);
}

TEST_CASE("event-log ring: sequence, capacity, private entries, watchers") {
  auto e = volatile_engine(3);
  std::vector<std::uint64_t> seen;
  auto w = e->watch_log([&](std::uint64_t, const LogEntry& le) { seen.push_back(le.seq); });
  for (int i = 1; i <= 5; ++i) e->log("ike", i == 4 ? "private" : "diag", "message " + std::to_string(i));
  CHECK(e->log_seq() == 5);
  CHECK(seen == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  auto all = e->log_read(0, 100, true);
  REQUIRE(all.size() == 3);  // capacity 3: entries 3, 4, 5
  CHECK(all[0].seq == 3);
  CHECK(all[0].time_ms == 1700000000000);
  CHECK(all[2].message == "message 5");
  auto pub = e->log_read(0, 100, false);
  REQUIRE(pub.size() == 2);
  CHECK(pub[1].seq == 5);
  CHECK(e->log_read(4, 100, true).size() == 1);
  CHECK(e->log_read(3, 1, true)[0].seq == 4);
  CHECK(e->unwatch(w));
  e->log("ike", "diag", std::string(20000, 'x'));
  CHECK(e->log_read(5, 1, true)[0].message.size() < 17000);
  CHECK(seen.size() == 5);
}
