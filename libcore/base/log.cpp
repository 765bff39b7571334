#include "base/log.h"
#include "base/log_buffer.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <mutex>

namespace ipseckit::log {
namespace {

struct State {
  std::mutex mu;
  Sink sink;
  std::string ident = "ipseckit";
  std::array<Level, static_cast<std::size_t>(Subsys::count_)> levels{};
  std::atomic<bool> buffered{false};
  std::string pending;  // buffered lines not written yet
  State() { levels.fill(Level::control); }
};

State& state() {
  static State s;
  return s;
}

constexpr std::size_t kMaxPending = 16384;

// With the state's lock held (or from a sink, which runs under it).
void write_pending(State& st) {
  if (st.pending.empty()) return;
  std::fwrite(st.pending.data(), 1, st.pending.size(), stderr);
  st.pending.clear();
}

void stderr_sink(Subsys s, Level l, std::string_view m) {
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  // syslog priorities: audit=notice(5), control=info(6), diag/raw/private=debug(7)
  int prio = l == Level::audit ? 5 : l == Level::control ? 6 : 7;
  State& st = state();
  if (st.buffered) {
    auto out = std::back_inserter(st.pending);
    if (journal) fmt::format_to(out, "<{}>", prio);
    fmt::format_to(out, "{}[{}] {}\n", st.ident, name(s), m);
    if (st.pending.size() >= kMaxPending) write_pending(st);
    return;
  }
  std::string line;
  if (journal) line = fmt::format("<{}>", prio);
  line += fmt::format("{}[{}] {}\n", st.ident, name(s), m);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string_view name(Subsys s) {
  static constexpr std::array<std::string_view, static_cast<std::size_t>(Subsys::count_)> n{
      "app", "store", "policy", "net", "ike", "enc", "esp", "l2tp", "ppp"};
  auto i = static_cast<std::size_t>(s);
  return i < n.size() ? n[i] : "?";
}

std::string_view name(Level l) {
  switch (l) {
    case Level::audit: return "audit";
    case Level::control: return "control";
    case Level::diag: return "diag";
    case Level::raw: return "raw";
    case Level::priv: return "private";
  }
  return "?";
}

bool parse_level(std::string_view s, Level& out) {
  static constexpr std::array<std::string_view, 5> names{"audit", "control", "diag", "raw", "private"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (s == names[i] || (s.size() == 1 && s[0] == static_cast<char>('0' + i))) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void write_stderr(Subsys s, Level l, std::string_view m) { stderr_sink(s, l, m); }

void set_sink(Sink sink) {
  std::lock_guard lk(state().mu);
  state().sink = std::move(sink);
}

void set_stderr_buffered(bool on) {
  std::lock_guard lk(state().mu);
  state().buffered = on;
  if (!on) write_pending(state());
}

void flush() {
  State& st = state();
  if (!st.buffered.load(std::memory_order_relaxed)) return;  // off: nothing pending (turning it off flushed)
  std::lock_guard lk(st.mu);
  write_pending(st);
}

void set_ident(std::string ident) {
  std::lock_guard lk(state().mu);
  state().ident = std::move(ident);
}

void set_level(Level max) {
  std::lock_guard lk(state().mu);
  state().levels.fill(max);
}

void set_level(Subsys s, Level max) {
  std::lock_guard lk(state().mu);
  state().levels[static_cast<std::size_t>(s)] = max;
}

bool enabled(Subsys s, Level l) {
  return static_cast<int>(l) <= static_cast<int>(state().levels[static_cast<std::size_t>(s)]);
}

void write(Subsys s, Level l, std::string_view m) {
  std::lock_guard lk(state().mu);
  if (state().sink) state().sink(s, l, m);
  else stderr_sink(s, l, m);
}

}  // namespace ipseckit::log
