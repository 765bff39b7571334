// Persistence in-process: restart on the same state dir, persistence classes, the lock.
#include <doctest/doctest.h>

#include "store/engine.h"
#include "store/keys.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using ipseckit::store::test::TempDir;

namespace {

std::unique_ptr<Engine> open_at(const std::string& dir) {
  auto e = Engine::open({dir, 100, {}});
  REQUIRE(e);
  return std::move(e.value());
}

}  // namespace

TEST_CASE("persistence classes by key prefix") {
  for (auto k : {"policy/x", "filterlist/f", "filteraction/a", "secret/psk/peer", "config/log", "assigned"})
    CHECK(is_persistent(k));
  for (auto k : {"dynamic/1", "spd/1", "ike/mm/1", "esp/sa/1", "acquire/1", "l2tp/t/1", "stats/espd", "secret/ike/1",
                 "secret/pskx", "assigned/x", "assignedx", "policyx", "log/1"})
    CHECK_FALSE(is_persistent(k));
  CHECK(is_secret("secret/psk/a"));
  CHECK_FALSE(is_secret("secretx"));
}

TEST_CASE("persistent keys survive a restart; volatile keys do not; revisions never go back") {
  TempDir tmp;
  const std::string dir = tmp / "state";
  std::uint64_t last = 0;
  {
    auto e = open_at(dir);
    REQUIRE(e->persistent());
    REQUIRE(e->put("policy/a", {{"rules", {1, 2}}}));
    REQUIRE(e->put("assigned", "a"));
    REQUIRE(e->put("secret/psk/peer1", "hunter2"));
    REQUIRE(e->put("dynamic/x", 1));
    REQUIRE(e->put("policy/gone", 1));
    REQUIRE(e->del("policy/gone"));
    Txn mixed;
    mixed.ops = {TxnOp::put("filterlist/f", 1), TxnOp::put("spd/1", 1), TxnOp::put("secret/ike/k", "volatile")};
    REQUIRE(e->txn(mixed));
    for (int i = 0; i < 50; ++i) REQUIRE(e->put("stats/x", i));  // volatile writes move the counter too
    last = e->revision();
  }
  auto e = open_at(dir);
  CHECK(e->get("policy/a")->value["rules"][1] == 2);
  CHECK(e->get("assigned")->value == "a");
  CHECK(e->get("secret/psk/peer1")->value == "hunter2");
  CHECK(e->get("filterlist/f")->value == 1);
  CHECK_FALSE(e->get("policy/gone"));
  CHECK_FALSE(e->get("dynamic/x"));
  CHECK_FALSE(e->get("spd/1"));
  CHECK_FALSE(e->get("secret/ike/k"));
  CHECK(e->get("policy/a")->revision == 1);
  CHECK(e->revision() >= last);
  auto next = e->put("dynamic/y", 1);
  REQUIRE(next);
  CHECK(*next > last);
  // if_revision works against persisted mod revisions
  CHECK(e->put("assigned", "b", 2).value() > last);
}

TEST_CASE("the counter stays monotonic over many restarts with only volatile writes") {
  TempDir tmp;
  const std::string dir = tmp / "state";
  std::uint64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    auto e = open_at(dir);
    for (int i = 0; i < 1200; ++i) {
      auto r = e->put("stats/n", i);
      REQUIRE(r);
      CHECK(*r > last);
      last = *r;
    }
  }
}

TEST_CASE("a state dir is locked by its engine") {
  TempDir tmp;
  const std::string dir = tmp / "state";
  auto a = open_at(dir);
  auto b = Engine::open({dir, 100, {}});
  REQUIRE_FALSE(b);
  CHECK(b.error().code == "locked");
  CHECK(b.error().message.find(dir) != std::string::npos);
  a.reset();
  CHECK(Engine::open({dir, 100, {}}));
}
