// 50 clients at once against one agent: interleaved puts, gets and compare-and-set
// increments of one shared counter, every result checked.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "store/client.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

TEST_CASE("50 concurrent clients: every read sees its own writes, CAS increments never get lost") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  {
    auto c = agent.connect();
    REQUIRE(c);
    REQUIRE(c->put("config/counter", 0));
  }
  constexpr int kClients = 50;
  constexpr int kRounds = 40;
  constexpr int kIncrements = 5;
  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](std::string m) {
    std::lock_guard lk(mu);
    failures.push_back(std::move(m));
  };
  std::atomic<int> conflicts{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto c = agent.connect();
      if (!c) return fail("connect: " + c.error().message);
      std::uint64_t last_rev = 0;
      for (int i = 0; i < kRounds; ++i) {
        // half persistent, half volatile keys
        std::string key = (i % 2 ? "policy/c" : "dynamic/c") + std::to_string(t) + "/k" + std::to_string(i % 7);
        Json v{{"client", t}, {"round", i}};
        auto rev = c->put(key, v);
        if (!rev) return fail("put " + key + ": " + rev.error().message);
        if (*rev <= last_rev) fail("revision went backwards for client " + std::to_string(t));
        last_rev = *rev;
        auto got = c->get(key);
        if (!got) return fail("get " + key + ": " + got.error().message);
        if (got->value != v || got->revision != *rev) fail("client " + std::to_string(t) + " read back a wrong value");
      }
      for (int n = 0; n < kIncrements;) {
        auto cur = c->get("config/counter");
        if (!cur) return fail("get counter: " + cur.error().message);
        Txn txn;
        txn.compares = {{"config/counter", cur->revision}};
        txn.ops = {TxnOp::put("config/counter", cur->value.get<int>() + 1), TxnOp::put("dynamic/last-incrementer", t)};
        auto r = c->txn(txn);
        if (r) {
          ++n;
        } else if (r.error().code == "conflict") {
          ++conflicts;
        } else {
          return fail("txn: " + r.error().message);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) FAIL_CHECK(f);
  REQUIRE(failures.empty());

  auto c = agent.connect();
  REQUIRE(c);
  CHECK(c->get("config/counter")->value == kClients * kIncrements);
  auto dyn = c->list("dynamic/c");
  auto pol = c->list("policy/c");
  REQUIRE(dyn);
  REQUIRE(pol);
  CHECK(dyn->items.size() == kClients * 7);
  CHECK(pol->items.size() == kClients * 7);
  // Each key holds the last round that wrote it.
  auto last_round = [&](bool odd, int slot) {
    int best = -1;
    for (int i = 0; i < kRounds; ++i)
      if ((i % 2 == 1) == odd && i % 7 == slot) best = i;
    return best;
  };
  int wrong = 0;
  for (const auto* list : {&dyn.value(), &pol.value()}) {
    for (const auto& e : list->items) {
      int slot = std::stoi(e.key.substr(e.key.rfind("/k") + 2));
      if (e.value["round"] != last_round(list == &pol.value(), slot)) ++wrong;
    }
  }
  CHECK(wrong == 0);
  MESSAGE("CAS conflicts retried: " << conflicts.load());
}
