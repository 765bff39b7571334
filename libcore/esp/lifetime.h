// SA lifetimes (RFC 4301 §4.4.2.1): limits in bytes, packets and seconds, each with a soft
// value (time to rekey) and a hard value (the SA must be deleted). Each threshold fires one
// event; after the hard one the SA refuses packets. Seconds are measured from creation on the
// injected clock; poll() lets an idle SA expire without traffic.
#pragma once

#include <cstdint>

#include "esp/env.h"

namespace ipseckit::esp {

struct LifetimeLimits {
  // 0 = no limit. Bytes count the inner (protected) packets, as Windows' KB lifetimes do.
  std::uint64_t soft_bytes = 0, hard_bytes = 0;
  std::uint64_t soft_packets = 0, hard_packets = 0;
  std::uint64_t soft_seconds = 0, hard_seconds = 0;
};

class LifetimeTracker {
 public:
  LifetimeTracker(const LifetimeLimits& limits, std::uint64_t created_ms) : m_limits(limits), m_created(created_ms) {}

  // Accounts one packet of `bytes` at now_ms; fires events through `fire` (at most one soft
  // and one hard event over the SA's life). Returns false once the hard limit is reached.
  template <class Fire>
  bool add(std::uint64_t bytes, std::uint64_t now_ms, Fire&& fire) {
    m_bytes += bytes;
    ++m_packets;
    return evaluate(now_ms, fire);
  }
  // Time-only check (a timer tick, or before processing a packet).
  template <class Fire>
  bool poll(std::uint64_t now_ms, Fire&& fire) {
    return evaluate(now_ms, fire);
  }
  // The sequence counter ran low (soft) or out (hard): the same one-shot events.
  template <class Fire>
  void sequence(EventKind kind, Fire&& fire) {
    raise(kind, EventCause::sequence, fire);
  }

  bool expired() const { return m_hard_fired; }
  bool soft_fired() const { return m_soft_fired; }
  std::uint64_t bytes() const { return m_bytes; }
  std::uint64_t packets() const { return m_packets; }
  std::uint64_t created_ms() const { return m_created; }

 private:
  template <class Fire>
  void raise(EventKind kind, EventCause cause, Fire& fire) {
    bool& fired = kind == EventKind::soft ? m_soft_fired : m_hard_fired;
    if (fired) return;
    fired = true;
    if (kind == EventKind::hard) m_soft_fired = true;  // no soft event after the hard one
    fire(kind, cause);
  }

  static bool reached(std::uint64_t value, std::uint64_t limit) { return limit != 0 && value >= limit; }

  template <class Fire>
  bool evaluate(std::uint64_t now_ms, Fire& fire) {
    const std::uint64_t age_s = now_ms >= m_created ? (now_ms - m_created) / 1000 : 0;
    const LifetimeLimits& l = m_limits;
    if (!m_hard_fired) {
      if (reached(m_bytes, l.hard_bytes)) raise(EventKind::hard, EventCause::bytes, fire);
      else if (reached(m_packets, l.hard_packets)) raise(EventKind::hard, EventCause::packets, fire);
      else if (reached(age_s, l.hard_seconds)) raise(EventKind::hard, EventCause::seconds, fire);
    }
    if (!m_soft_fired) {
      if (reached(m_bytes, l.soft_bytes)) raise(EventKind::soft, EventCause::bytes, fire);
      else if (reached(m_packets, l.soft_packets)) raise(EventKind::soft, EventCause::packets, fire);
      else if (reached(age_s, l.soft_seconds)) raise(EventKind::soft, EventCause::seconds, fire);
    }
    return !m_hard_fired;
  }

  LifetimeLimits m_limits;
  std::uint64_t m_created;
  std::uint64_t m_bytes = 0;
  std::uint64_t m_packets = 0;
  bool m_soft_fired = false;
  bool m_hard_fired = false;
};

}  // namespace ipseckit::esp
