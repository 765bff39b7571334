// TUN and rtnetlink, each test in a private network namespace of a forked child (needs root:
// skipped otherwise). The child reports failures through a pipe.
#include <doctest/doctest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <functional>
#include <string>

#include "sys/netif.h"
#include "sys/rtnl.h"
#include "sys/tun.h"

using namespace ipseckit;
using namespace ipseckit::sys;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return "popen failed";
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), p)) out += buf.data();
  pclose(p);
  return out;
}

// Runs body in a new network namespace in a child process; returns "" or the failure text.
std::string in_netns(const std::function<std::string()>& body) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string msg;
    if (unshare(CLONE_NEWNET) != 0) msg = "unshare(CLONE_NEWNET) failed";
    else msg = body();
    if (!msg.empty()) (void)!write(fds[1], msg.data(), msg.size());
    _exit(msg.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string msg;
  std::array<char, 512> buf{};
  ssize_t n;
  while ((n = read(fds[0], buf.data(), buf.size())) > 0) msg.append(buf.data(), static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (msg.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) msg = "child failed";
  return msg;
}

#define EXPECT(cond, text) \
  if (!(cond)) return std::string(text)

}  // namespace

TEST_CASE("TUN + addresses + routes + fwmark rules, undone by Cleanup") {
  if (geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  std::string failure = in_netns([]() -> std::string {
    auto tun = TunDevice::open({"iktest%d", 2, true, true});
    if (!tun) return tun.error().message;
    EXPECT(tun->name() == "iktest0", "name: " + tun->name());
    EXPECT(tun->queues() == 2, "queues");
    if (auto s = tun->set_offload(0x01 /* TUN_F_CSUM */); !s) return s.error().message;
    if (auto s = rtnl::link_mtu(tun->name(), 1400); !s) return s.error().message;
    if (auto s = rtnl::link_up(tun->name(), true); !s) return s.error().message;
    EXPECT(run("ip link show iktest0").find("mtu 1400") != std::string::npos, run("ip link show iktest0"));
    {
      rtnl::Cleanup undo;
      if (auto s = undo.addr_add(tun->name(), {*wire::IpAddr::parse("198.51.100.1"), 24}); !s) return s.error().message;
      rtnl::Route r;
      r.dst = *wire::IpPrefix::parse("203.0.113.0/24");
      r.dev = tun->name();
      r.table = 100;
      r.mtu = 1380;
      if (auto s = undo.route_add(r); !s) return s.error().message;
      rtnl::Rule rule;
      rule.priority = 1000;
      rule.table = 100;
      rule.fwmark = 0x1;
      rule.invert = true;
      if (auto s = undo.rule_add(rule); !s) return s.error().message;
      // A duplicate is an error that names what was asked for.
      auto dup = rtnl::rule_add(rule);
      EXPECT(!dup.ok() && dup.error().message.find("not fwmark 0x1 lookup 100") != std::string::npos,
             "duplicate rule: " + (dup.ok() ? std::string("accepted") : dup.error().message));
      std::string routes = run("ip route show table 100");
      EXPECT(routes.find("203.0.113.0/24 dev iktest0") != std::string::npos && routes.find("mtu 1380") != std::string::npos,
             "routes: " + routes);
      std::string rules = run("ip rule show");
      EXPECT(rules.find("1000:\tnot from all fwmark 0x1 lookup 100") != std::string::npos, "rules: " + rules);
      auto addrs = local_addresses();
      EXPECT(addrs.size() == 1 && addrs[0].str() == "198.51.100.1", "local addresses");
      // The route is used: a lookup for 203.0.113.5 without the mark goes to the TUN.
      std::string get = run("ip route get 203.0.113.5");
      EXPECT(get.find("dev iktest0") != std::string::npos, "route get: " + get);
      std::string marked = run("ip route get 203.0.113.5 mark 1");
      EXPECT(marked.find("dev iktest0") == std::string::npos, "marked route get: " + marked);
    }
    EXPECT(run("ip route show table 100").empty(), "route left behind: " + run("ip route show table 100"));
    EXPECT(run("ip rule show").find("lookup 100") == std::string::npos, "rule left behind");
    EXPECT(local_addresses().empty(), "address left behind");
    return "";
  });
  CHECK_MESSAGE(failure.empty(), failure);
}

TEST_CASE("the TUN device disappears with its last fd; bad names are refused") {
  if (geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  std::string failure = in_netns([]() -> std::string {
    {
      auto tun = TunDevice::open({"ikgone", 1, false, true});
      if (!tun) return tun.error().message;
      EXPECT(rtnl::link_index("ikgone").ok(), "device missing while open");
      EXPECT(!tun->set_offload(1).ok(), "offload without vnet_hdr accepted");
    }
    EXPECT(!rtnl::link_index("ikgone").ok(), "device survived its fd");
    EXPECT(!TunDevice::open({"a-name-that-is-far-too-long", 1, false, true}).ok(), "long name accepted");
    auto missing = rtnl::link_up("nosuchdev", true);
    EXPECT(!missing.ok() && missing.error().message.find("nosuchdev") != std::string::npos, "missing device");
    return "";
  });
  CHECK_MESSAGE(failure.empty(), failure);
}
