// Crash safety: a client writes (puts, deletes, multi-key txns) while the agent is killed
// with SIGKILL mid-way; after a restart every acknowledged write is there and every txn is
// all or nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "store/client.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

namespace {

struct Record {
  std::set<int> puts_acked;     // policy/p<i> = i
  std::set<int> deletes_acked;  // policy/p<i> deleted
  std::set<int> deletes_tried;
  std::set<int> txns_tried, txns_acked;  // policy/t<i>/{a,b,c,d} = i, dynamic/t<i>
  int last_acked = -1;                   // config/last = i
  std::uint64_t max_revision = 0;
  std::string error;  // a failure other than the agent dying
};

const char* const kTxnKeys[] = {"a", "b", "c", "d"};

std::string tkey(int i, const char* k) {
  return "policy/t" + std::to_string(i) + "/" + k;
}

// Runs ops first..first+count against the agent until it dies; records what was acknowledged.
void writer(const ClientOptions& o, int first, int count, Record& rec, std::atomic<int>& acks) {
  struct Done {
    std::atomic<int>& acks;
    ~Done() { acks += 1 << 20; }  // tells the waiting thread the writer stopped
  } done{acks};
  auto c = Client::connect(o);
  if (!c) {
    rec.error = "connect: " + c.error().message;
    return;
  }
  for (int i = first; i < first + count; ++i) {
    Result<std::uint64_t> r = std::uint64_t{0};
    switch (i % 4) {
      case 0: {
        Txn t;
        for (auto k : kTxnKeys) t.ops.push_back(TxnOp::put(tkey(i, k), i));
        t.ops.push_back(TxnOp::put("dynamic/t" + std::to_string(i), i));
        t.ops.push_back(TxnOp::put("secret/psk/t" + std::to_string(i), "psk"));
        rec.txns_tried.insert(i);
        r = c->txn(t);
        if (r) rec.txns_acked.insert(i);
        break;
      }
      case 1:
        r = c->put("policy/p" + std::to_string(i), i);
        if (r) rec.puts_acked.insert(i);
        break;
      case 2:
        r = c->put("config/last", i);
        if (r) rec.last_acked = i;
        break;
      default:
        rec.deletes_tried.insert(i - 2);
        r = c->del("policy/p" + std::to_string(i - 2));
        if (r) rec.deletes_acked.insert(i - 2);
        break;
    }
    if (!r) {
      if (r.error().code != "io" && r.error().code != "timeout") rec.error = r.error().code + ": " + r.error().message;
      return;  // the agent died
    }
    rec.max_revision = std::max(rec.max_revision, *r);
    ++acks;
  }
}

void verify(Client& c, const Record& rec) {
  for (int i : rec.puts_acked) {
    auto e = c.get("policy/p" + std::to_string(i));
    if (rec.deletes_acked.count(i))
      CHECK_FALSE(e);
    else if (!rec.deletes_tried.count(i))
      CHECK_MESSAGE((e && e->value == i), "acknowledged put p" << i << " lost");
  }
  for (int i : rec.deletes_acked)
    CHECK_FALSE_MESSAGE(c.get("policy/p" + std::to_string(i)), "deleted p" << i << " is back");
  if (rec.last_acked >= 0) {
    auto last = c.get("config/last");
    REQUIRE(last);
    CHECK(last->value.get<int>() >= rec.last_acked);
  }
  for (int i : rec.txns_tried) {
    int present = 0;
    for (auto k : kTxnKeys) {
      auto e = c.get(tkey(i, k));
      if (e && e->value == i) ++present;
    }
    CHECK_MESSAGE((present == 0 || present == 4), "txn " << i << " is half applied (" << present << " of 4 keys)");
    if (rec.txns_acked.count(i)) CHECK_MESSAGE(present == 4, "acknowledged txn " << i << " lost");
    CHECK_FALSE(c.get("dynamic/t" + std::to_string(i)));  // volatile: gone after the crash
    auto psk = c.get("secret/psk/t" + std::to_string(i));
    CHECK(static_cast<bool>(psk) == (present == 4));
  }
  CHECK(c.info().revision >= rec.max_revision);
}

}  // namespace

TEST_CASE("kill -9 mid-write: no acknowledged write lost, no txn half applied") {
  TempDir tmp;
  Record rec;
  int next = 0;
  int total_acks = 0;
  for (int round = 0; round < 2; ++round) {
    Agent agent(tmp / "agent.sock", tmp / "state");
    REQUIRE(agent.ready());
    if (round > 0) {
      auto c = agent.connect();
      REQUIRE(c);
      verify(*c, rec);
    }
    std::atomic<int> acks{0};
    const int first = next;
    std::thread w([&] { writer(agent.options(), first, 2000, rec, acks); });
    // 200 durable (fsynced) writes before the kill: every kind of write many times over, and
    // the kill lands in the middle of the stream; more only add fsync time.
    CHECK(wait_until([&] { return acks.load() >= 200; }, std::chrono::seconds(30)));
    agent.kill9();
    w.join();
    REQUIRE_MESSAGE(rec.error.empty(), rec.error);
    total_acks += acks.load() & ((1 << 20) - 1);
    next = first + 2000;
  }
  MESSAGE("acknowledged writes before the kills: " << total_acks);
  CHECK(total_acks >= 400);
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto c = agent.connect();
  REQUIRE(c);
  verify(*c, rec);
  auto next_rev = c->put("dynamic/after", 1);
  REQUIRE(next_rev);
  CHECK(*next_rev > rec.max_revision);
}
