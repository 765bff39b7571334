// The client against real policyagent processes: every op, watches, several agents at
// once, locking, daemon mode and auto-start.
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "store/client.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("client: every op against a real agent") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto c = agent.connect();
  REQUIRE(c);
  CHECK(c->info().protocol == 1);
  CHECK(c->info().admin);
  CHECK(c->info().uid == ::getuid());
  CHECK(c->info().pid == agent.pid());
  CHECK(c->info().server == "policyagent/0.1.0");

  // The SPD deriver ran at startup.
  auto spd = c->get("spd/status");
  REQUIRE(spd);
  CHECK(spd->value.contains("compiled"));

  auto r1 = c->put("policy/p1", {{"name", "p1"}});
  REQUIRE(r1);
  auto e = c->get("policy/p1");
  REQUIRE(e);
  CHECK(e->value["name"] == "p1");
  CHECK(e->revision == *r1);
  CHECK(c->put("policy/p1", 1, 0).error().code == "conflict");
  CHECK(c->get("policy/none").error().code == "not_found");
  auto bad = c->put("", 1);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "bad_request");
  CHECK(bad.error().message.find("'key'") != std::string::npos);

  Txn t;
  t.compares = {{"policy/p1", *r1}};
  t.ops = {TxnOp::put("policy/p2", 2), TxnOp::put("dynamic/d", 3), TxnOp::del("policy/p1")};
  auto tr = c->txn(t);
  REQUIRE(tr);
  auto l = c->list("policy/");
  REQUIRE(l);
  REQUIRE(l->items.size() == 1);
  CHECK(l->items[0].key == "policy/p2");
  CHECK(l->items[0].revision == *tr);
  CHECK(l->revision >= *tr);
  auto keys = c->list("", true);
  REQUIRE(keys);
  for (const auto& it : keys->items) CHECK(it.value.is_null());
  CHECK(c->txn(t).error().code == "conflict");
  CHECK(c->del("dynamic/d").value() > *tr);
  CHECK(c->del("dynamic/d").error().code == "not_found");

  auto seq = c->log("ike", "audit", "main mode up");
  REQUIRE(seq);
  auto entries = c->log_read(*seq - 1, 10);
  REQUIRE(entries);
  REQUIRE(entries->size() == 1);
  CHECK(entries->at(0).message == "main mode up");
  CHECK(entries->at(0).subsys == "ike");

  auto raw = c->request({{"op", "hello"}, {"version", 99}});
  CHECK(raw.error().code == "unsupported_version");
}

TEST_CASE("client: a watch sees a snapshot and then changes in commit order") {
  TempDir tmp;
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto c = agent.connect();
  REQUIRE(c);
  REQUIRE(c->put("ike/mm/1", 1));
  auto w = c->watch("ike/", true);
  REQUIRE(w);
  auto first = w->next(std::chrono::seconds(5));
  REQUIRE(first);
  REQUIRE(*first);
  CHECK((*first)->snapshot);
  CHECK((*first)->key == "ike/mm/1");

  Txn t;
  t.ops = {TxnOp::put("ike/mm/2", 2), TxnOp::put("esp/sa/1", 1), TxnOp::delete_prefix("ike/mm/1")};
  auto rev = c->txn(t);
  REQUIRE(rev);
  REQUIRE(c->put("ike/qm/1", 5));
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto ev = w->next(std::chrono::seconds(5));
    REQUIRE(ev);
    REQUIRE(*ev);
    got.push_back(((*ev)->kind == Event::Kind::put ? "+" : "-") + (*ev)->key + "@" + std::to_string((*ev)->revision));
  }
  CHECK(got == std::vector<std::string>{"+ike/mm/2@" + std::to_string(*rev), "-ike/mm/1@" + std::to_string(*rev),
                                        "+ike/qm/1@" + std::to_string(*rev + 1)});
  auto none = w->next(std::chrono::milliseconds(50));
  REQUIRE(none);
  CHECK_FALSE(*none);

  auto lw = c->watch("log/");
  REQUIRE(lw);
  REQUIRE(c->log("l2tp", "control", "tunnel 5 up"));
  auto le = lw->next(std::chrono::seconds(5));
  REQUIRE(le);
  REQUIRE(*le);
  CHECK((*le)->value["message"] == "tunnel 5 up");
}

TEST_CASE("two agents with different sockets and state dirs run side by side") {
  TempDir tmp;
  Agent a(tmp / "a.sock", tmp / "a-state");
  Agent b(tmp / "b.sock", tmp / "b-state");
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  auto ca = a.connect();
  auto cb = b.connect();
  REQUIRE(ca);
  REQUIRE(cb);
  REQUIRE(ca->put("assigned", "A"));
  REQUIRE(cb->put("assigned", "B"));
  CHECK(ca->get("assigned")->value == "A");
  CHECK(cb->get("assigned")->value == "B");
  CHECK(ca->info().pid != cb->info().pid);
}

TEST_CASE("a second agent on a busy state dir or socket fails with exit status 1") {
  TempDir tmp;
  Agent a(tmp / "a.sock", tmp / "state");
  REQUIRE(a.ready());
  std::string err;
  CHECK(run_agent_command({"--foreground", "--socket", tmp / "b.sock", "--state-dir", tmp / "state"}, &err) == 1);
  CHECK(err.find("in use") != std::string::npos);
  CHECK(run_agent_command({"--foreground", "--socket", tmp / "a.sock", "--state-dir", tmp / "other"}, &err) == 1);
  CHECK(err.find("a.sock") != std::string::npos);
  // the first agent still serves its socket
  auto c = a.connect();
  REQUIRE(c);
  CHECK(c->info().pid == a.pid());
  CHECK(run_agent_command({"--no-such-option"}) == 2);
  CHECK(run_agent_command({"--log-level", "loud", "--foreground"}) == 2);
  CHECK(run_agent_command({"--version"}) == 0);
}

TEST_CASE("SIGTERM removes the socket and releases the state dir; data persists") {
  TempDir tmp;
  {
    Agent a(tmp / "a.sock", tmp / "state");
    REQUIRE(a.ready());
    auto c = a.connect();
    REQUIRE(c);
    REQUIRE(c->put("config/x", 42));
    CHECK(a.terminate() == 0);
    CHECK_FALSE(exists(tmp / "a.sock"));
  }
  Agent again(tmp / "a.sock", tmp / "state");
  REQUIRE(again.ready());
  auto c = again.connect();
  REQUIRE(c);
  CHECK(c->get("config/x")->value == 42);
}

TEST_CASE("daemon mode: the command returns once the socket is ready") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // the daemon is re-parented to us, so we can reap it
  TempDir tmp;
  const std::string sock = tmp / "d.sock";
  CHECK(run_agent_command({"--socket", sock, "--state-dir", tmp / "state"}) == 0);
  ClientOptions o;
  o.socket = sock;
  o.autostart = false;
  auto c = Client::connect(o);  // no waiting: it must already answer
  REQUIRE(c);
  const pid_t pid = static_cast<pid_t>(c->info().pid);
  REQUIRE(pid > 1);
  CHECK(exists(tmp / "state/policyagent.log"));
  ::kill(pid, SIGTERM);
  CHECK(wait_child(pid, std::chrono::seconds(10)) == 0);
  CHECK_FALSE(exists(sock));
}

TEST_CASE("the client auto-starts an agent, unless told not to") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  TempDir tmp;
  ClientOptions o;
  o.socket = tmp / "auto/agent.sock";
  o.state_dir = tmp / "auto-state";

  ::setenv("IPSECKIT_NO_AUTOSTART", "1", 1);
  auto off = Client::connect(o);
  ::unsetenv("IPSECKIT_NO_AUTOSTART");
  REQUIRE_FALSE(off);
  CHECK(off.error().code == "unavailable");

  auto c = Client::connect(o);  // finds policyagent next to this test binary
  REQUIRE(c);
  const pid_t pid = static_cast<pid_t>(c->info().pid);
  REQUIRE(c->put("policy/auto", 1));
  CHECK(exists(tmp / "auto-state/store.db"));
  auto second = Client::connect(o);  // finds the running one
  REQUIRE(second);
  CHECK(second->info().pid == pid);
  ::kill(pid, SIGTERM);
  CHECK(wait_child(pid, std::chrono::seconds(10)) == 0);
}
