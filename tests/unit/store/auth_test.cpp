// Authorisation by SO_PEERCRED against a real agent: a child process drops to uid/gid 65534
// and checks what it may do. The child reports the first failed check as its exit status.
#include <doctest/doctest.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/client.h"
#include "support.h"

using namespace ipseckit;
using namespace ipseckit::store;
using namespace ipseckit::store::test;

namespace {

constexpr uid_t kNobody = 65534;

// Runs check() as uid/gid 65534 in a forked child; returns its exit status.
int as_nobody(const std::function<int()>& check) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 100;
    if (::setgroups(0, nullptr) == 0 && ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0) rc = check();
    _exit(rc);
  }
  return wait_child(pid);
}

template <class T>
std::string code_of(const Result<T>& r) {
  return r ? std::string("ok") : r.error().code;
}

int reader_checks(const ClientOptions& o) {
  auto c = Client::connect(o);
  if (!c) return 1;
  if (c->info().admin || c->info().uid != kNobody) return 2;
  if (code_of(c->put("policy/x", 1)) != "forbidden") return 3;
  if (code_of(c->del("policy/public")) != "forbidden") return 4;
  Txn t;
  t.ops = {TxnOp::put("dynamic/x", 1)};
  if (code_of(c->txn(t)) != "forbidden") return 5;
  auto pub = c->get("policy/public");
  if (!pub || pub->value != "visible") return 6;
  if (code_of(c->get("secret/psk/peer")) != "forbidden") return 7;
  auto all = c->list("");
  if (!all) return 8;
  for (const auto& e : all->items)
    if (e.key.rfind("secret/", 0) == 0) return 9;
  if (all->items.empty()) return 10;
  if (code_of(c->watch("secret/")) != "forbidden") return 11;
  auto logs = c->log_read(0, 100);
  if (!logs) return 12;
  for (const auto& e : logs.value())
    if (e.level == "private") return 13;
  if (logs->empty()) return 14;
  if (code_of(c->log("x", "audit", "m")) != "forbidden") return 15;
  return 0;
}

int admin_group_checks(const ClientOptions& o) {
  auto c = Client::connect(o);
  if (!c) return 1;
  if (!c->info().admin) return 2;
  if (!c->put("policy/by-group", 1)) return 3;
  if (!c->get("secret/psk/peer")) return 4;
  return 0;
}

}  // namespace

TEST_CASE("unprivileged peers can read but not write, and never see secrets") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root to switch to uid 65534");
    return;
  }
  TempDir tmp;
  ::chmod(tmp.path().c_str(), 0755);  // nobody must reach the socket
  Agent agent(tmp / "agent.sock", tmp / "state");
  REQUIRE(agent.ready());
  auto root = agent.connect();
  REQUIRE(root);
  REQUIRE(root->put("policy/public", "visible"));
  REQUIRE(root->put("secret/psk/peer", "hunter2"));
  REQUIRE(root->put("secret/ike/sa", "keymat"));
  REQUIRE(root->log("ike", "audit", "public entry"));
  REQUIRE(root->log("ike", "private", "SKEYID_d=..."));

  ClientOptions o = agent.options();
  CHECK(as_nobody([&] { return reader_checks(o); }) == 0);
  CHECK_FALSE(root->get("policy/x"));  // nothing was written
  CHECK(root->get("secret/psk/peer")->value == "hunter2");
}

TEST_CASE("members of --admin-group may write") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root to switch to uid 65534");
    return;
  }
  group* g = ::getgrgid(kNobody);
  if (!g) {
    MESSAGE("skipped: no group 65534");
    return;
  }
  TempDir tmp;
  ::chmod(tmp.path().c_str(), 0755);
  Agent agent(tmp / "agent.sock", tmp / "state", {"--admin-group", g->gr_name});
  REQUIRE(agent.ready());
  auto root = agent.connect();
  REQUIRE(root);
  REQUIRE(root->put("secret/psk/peer", "hunter2"));
  CHECK(as_nobody([&] { return admin_group_checks(agent.options()); }) == 0);
  CHECK(root->get("policy/by-group")->value == 1);
}
