// l2tpd sessions [--json] and l2tpd disconnect ID: read and request through the store only.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "l2tpd/commands.h"
#include "l2tpd/records.h"

namespace ipseckit::l2tpd {

namespace {

// The sessions of running l2tpd processes, in the documented JSON form.
Result<store::Json> load_sessions(store::Client& c) {
  auto l = c.list(kSessionPrefix);
  if (!l) return l.error();
  store::Json out = store::Json::array();
  for (const auto& e : l->items) {
    if (!e.value.is_object() || !process_alive(e.value.value("pid", std::int64_t{0}))) continue;
    out.push_back(e.value);
  }
  return out;
}

int run_sessions(bool json, const Common& common) {
  auto c = tool::connect(common.store);
  if (!c) return tool::fail(kTool, c.error());
  auto s = load_sessions(*c);
  if (!s) return tool::fail(kTool, s.error());
  if (json) {
    std::fputs((s->dump(2) + "\n").c_str(), stdout);
    return tool::kExitOk;
  }
  if (s->empty()) {
    std::fputs("no L2TP sessions\n", stdout);
    return tool::kExitOk;
  }
  std::fputs(fmt::format("{:<12} {:<4} {:<21} {:<14} {:<16} {:<16} {:>12} {:>12} {}\n", "ID", "ROLE", "PEER", "STATE",
                         "USER", "ADDRESS", "BYTES-IN", "BYTES-OUT", "IPSEC")
                 .c_str(),
             stdout);
  for (const auto& r : *s) {
    std::fputs(fmt::format("{:<12} {:<4} {:<21} {:<14} {:<16} {:<16} {:>12} {:>12} {}\n", r.value("id", ""),
                           r.value("role", ""), r.value("peer", ""), r.value("state", ""), r.value("user", ""),
                           r.value("address", "").empty() ? "-" : r.value("address", ""),
                           r.value("bytes_in", std::uint64_t{0}), r.value("bytes_out", std::uint64_t{0}),
                           r.value("ipsec", false) ? "yes" : "no")
                   .c_str(),
               stdout);
  }
  return tool::kExitOk;
}

bool valid_id(const std::string& id) {
  const auto dash = id.find('-');
  auto number = [](const std::string& s) {
    return !s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos &&
           std::stoul(s) <= 0xFFFF;
  };
  return dash == std::string::npos ? number(id) : number(id.substr(0, dash)) && number(id.substr(dash + 1));
}

int run_disconnect(const std::string& id, double wait_s, const Common& common) {
  if (!valid_id(id)) return usage_error("ID", id, "expected a session ID T-S or a tunnel ID T (numbers)");
  const bool session = id.find('-') != std::string::npos;
  auto c = tool::connect(common.store);
  if (!c) return tool::fail(kTool, c.error());
  const std::string key = (session ? kSessionPrefix : kTunnelPrefix) + id;
  auto e = c->get(key);
  if (!e || !e->value.is_object() || !process_alive(e->value.value("pid", std::int64_t{0}))) {
    std::fputs(
        fmt::format("{}: no L2TP {} '{}' (see l2tpd sessions)\n", kTool, session ? "session" : "tunnel", id).c_str(),
        stderr);
    return tool::kExitFailed;
  }
  const std::string req = kDisconnectPrefix + id;
  if (auto r = c->put(req, store::Json{{"requested_by", static_cast<std::int64_t>(::getpid())}}); !r)
    return tool::fail(kTool, r.error());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto g = c->get(key);
    if (!g && g.error().code == "not_found") {
      (void)c->del(req);
      std::fputs(fmt::format("disconnected {}\n", id).c_str(), stdout);
      return tool::kExitOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  (void)c->del(req);
  std::fputs(
      fmt::format("{}: {} '{}' still there after {} s\n", kTool, session ? "session" : "tunnel", id, wait_s).c_str(),
      stderr);
  return tool::kExitFailed;
}

}  // namespace

Runner add_sessions(CLI::App& app, Common& common) {
  auto json = std::make_shared<bool>(false);
  auto* s = app.add_subcommand("sessions", "list the L2TP sessions of running l2tpd processes");
  s->add_flag("--json", *json, "a JSON array, one object per session");
  tool::add_store_options(*s, common.store);
  return Runner{s, [json, &common] { return run_sessions(*json, common); }};
}

Runner add_disconnect(CLI::App& app, Common& common) {
  struct Args {
    std::string id;
    double wait = 5;
  };
  auto a = std::make_shared<Args>();
  auto* s = app.add_subcommand("disconnect", "clear a session (ID T-S: CDN) or a tunnel (ID T: StopCCN)");
  s->add_option("ID", a->id, "session ID \"T-S\" or tunnel ID \"T\" as l2tpd sessions shows")->required();
  s->add_option("--wait", a->wait, "seconds to wait for it to go (default 5)")->check(CLI::Range(0.0, 600.0));
  tool::add_store_options(*s, common.store);
  return Runner{s, [a, &common] { return run_disconnect(a->id, a->wait, common); }};
}

}  // namespace ipseckit::l2tpd
