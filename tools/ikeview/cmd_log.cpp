// `ikeview log [--follow] [--json] [--all]`: the store's event-log ring, subsystem "ike" (the
// daemon's "Oakley log": each negotiation step and each failure with its reason).
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "ikeview/commands.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

namespace {

struct Printer {
  bool as_json, all, follow;
  bool first = true;
  std::uint64_t last = 0;

  void print(std::uint64_t seq, std::int64_t time_ms, const std::string& subsys, const std::string& level,
             const std::string& message) {
    if (seq <= last) return;
    last = seq;
    if (!all && subsys != "ike") return;
    if (as_json) {
      Json o{{"seq", seq}, {"time_ms", time_ms}, {"subsys", subsys}, {"level", level}, {"message", message}};
      if (follow) std::fputs((o.dump() + "\n").c_str(), stdout);
      else std::fputs(fmt::format("{}\n  {}", first ? "[" : ",", o.dump()).c_str(), stdout);
    } else {
      std::time_t t = static_cast<std::time_t>(time_ms / 1000);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
      std::fputs(fmt::format("{}.{:03d} [{}] {:<7} {}\n", buf, static_cast<int>(time_ms % 1000), subsys, level, message)
                     .c_str(),
                 stdout);
    }
    first = false;
    std::fflush(stdout);
  }
};

}  // namespace

int cmd_log(const tool::StoreOptions& so, bool follow, bool as_json, bool all) {
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  Printer p{as_json, all, follow};
  std::optional<store::Watch> w;
  if (follow) {  // watch first, so nothing falls between the read and the watch
    auto wr = c->watch("log/", false);
    if (!wr) return tool::fail(kTool, wr.error());
    w.emplace(std::move(*wr));
  }
  for (;;) {
    auto r = c->log_read(p.last, 1000);
    if (!r) return tool::fail(kTool, r.error());
    for (const auto& e : *r) p.print(e.seq, e.time_ms, e.subsys, e.level, e.message);
    if (r->size() < 1000) break;
  }
  if (!follow) {
    if (as_json) std::fputs(p.first ? "[]\n" : "\n]\n", stdout);
    return tool::kExitOk;
  }
  for (;;) {
    auto ev = w->next(std::chrono::milliseconds(-1));
    if (!ev) return tool::fail(kTool, ev.error());
    if (!*ev) continue;
    const auto& v = (*ev)->value;
    if (!v.is_object()) continue;
    p.print(v.value("seq", std::uint64_t{0}), v.value("time", std::int64_t{0}), v.value("subsys", std::string()),
            v.value("level", std::string()), v.value("message", std::string()));
  }
}

}  // namespace ipseckit::ikeview
