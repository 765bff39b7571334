#include "esp/env.h"

#include <time.h>

namespace ipseckit::esp {

std::uint64_t SystemClock::now_ms() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

void SystemRng::fill(std::span<std::uint8_t> out) { m_pool.fill(out.data(), out.size()); }

}  // namespace ipseckit::esp
