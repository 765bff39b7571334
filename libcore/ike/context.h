// What a task may use besides its IKE SA: settings, the injected environment and the event
// log. One Context per engine, handed to every task by reference.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "ike/config.h"
#include "ike/env.h"
#include "ike/events.h"
#include "ike/policy_view.h"

namespace ipseckit::ike {

// Writes each event to the log facade (subsystem ike) and to Callbacks::event. Junk from
// unauthenticated senders goes through limited(): at most one line per kind and period, the
// rest is counted and summarised in the next line of that kind.
class EventLog {
 public:
  EventLog(const Callbacks& cb, const Clock& clock, Millis period) : m_cb(cb), m_clock(clock), m_period(period) {}
  void emit(log::Level level, std::string_view sa, std::string text);
  void limited(std::string_view kind, std::string text);
  std::uint64_t suppressed() const { return m_suppressed; }

 private:
  struct Limit {
    TimePoint last{};
    std::uint64_t dropped = 0;
    bool seen = false;
  };
  const Callbacks& m_cb;
  const Clock& m_clock;
  Millis m_period;
  std::map<std::string, Limit, std::less<>> m_limits;
  std::uint64_t m_suppressed = 0;
};

struct Context {
  const EngineConfig& cfg;
  Rng& rng;
  DhFactory& dh;
  Secrets& secrets;
  const PolicyView& policy;
  const Clock& clock;
  EventLog& log;
  // A fresh inbound SPI (>= 256, RFC 2406 2.1), unique among this engine's SAs.
  std::function<std::uint32_t()> new_spi;
  Credentials* credentials = nullptr;
};

}  // namespace ipseckit::ike
