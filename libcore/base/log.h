// One logging facade by subsystem and level (strongSwan's debug.h style). The library never
// prints to stdout. Key material is only ever logged at Level::priv.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace ipseckit::log {

enum class Subsys { app, store, policy, net, ike, enc, esp, l2tp, ppp, count_ };
enum class Level { audit = 0, control = 1, diag = 2, raw = 3, priv = 4 };

std::string_view name(Subsys s);
std::string_view name(Level l);
bool parse_level(std::string_view s, Level& out);  // "audit".."private" or 0..4

// Where messages go. The default sink writes "ident[subsys] message" lines to stderr; with
// $JOURNAL_STREAM set (running under systemd) each line carries a "<N>" priority prefix.
using Sink = std::function<void(Subsys, Level, std::string_view)>;
void set_sink(Sink sink);
// The default sink's output (for sinks that add a destination rather than replace stderr).
// Must be called from a sink or with no log call in progress on this thread.
void write_stderr(Subsys s, Level l, std::string_view msg);
void set_ident(std::string ident);
void set_level(Level max);               // all subsystems
void set_level(Subsys s, Level max);     // one subsystem
bool enabled(Subsys s, Level l);

void write(Subsys s, Level l, std::string_view msg);

template <class... A>
void msg(Subsys s, Level l, fmt::format_string<A...> f, A&&... args) {
  if (enabled(s, l)) write(s, l, fmt::format(f, std::forward<A>(args)...));
}

}  // namespace ipseckit::log
