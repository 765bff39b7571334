// What an SA takes from the world, injected (STYLE.md #10): a monotonic clock for lifetimes,
// randomness for CBC IVs and IPv4 IDs, and a callback for lifetime events. Tests drive the
// clock by hand and feed fixed IVs; espd passes the system ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "crypto/random.h"

namespace ipseckit::esp {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ms() const = 0;  // monotonic milliseconds
};

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// CLOCK_MONOTONIC.
class SystemClock final : public Clock {
 public:
  std::uint64_t now_ms() const override;
};

// OpenSSL's CSPRNG, drawn 4 KiB at a time (crypto::RandomPool) so a CBC IV costs a copy, not
// a RAND_bytes call. One per thread (not thread-safe).
class SystemRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;

 private:
  crypto::RandomPool m_pool;
};

enum class EventKind : std::uint8_t { soft, hard };  // soft: rekey now; hard: delete the SA
enum class EventCause : std::uint8_t { bytes, packets, seconds, sequence };

struct SaEvent {
  EventKind kind = EventKind::soft;
  EventCause cause = EventCause::seconds;
  std::uint32_t spi = 0;  // the SA's ESP SPI, or its AH SPI when it has no ESP
  bool outbound = false;
};

using EventFn = std::function<void(const SaEvent&)>;

struct SaEnv {
  const Clock* clock = nullptr;  // required for lifetimes in seconds; may be null otherwise
  Rng* rng = nullptr;            // required for CBC ciphers and tunnel-mode IPv4 IDs (outbound)
  EventFn on_event;              // may be empty
};

}  // namespace ipseckit::esp
