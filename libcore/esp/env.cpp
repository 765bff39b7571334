#include "esp/env.h"

#include <time.h>

#include <algorithm>

#include "crypto/random.h"

namespace ipseckit::esp {

std::uint64_t SystemClock::now_ms() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

void SystemRng::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (m_left == 0) {
      crypto::random_bytes(m_pool, sizeof m_pool);
      m_left = sizeof m_pool;
    }
    const std::size_t n = std::min(m_left, out.size() - done);
    std::uint8_t* from = m_pool + (sizeof m_pool - m_left);
    std::copy_n(from, n, out.data() + done);
    std::fill_n(from, n, std::uint8_t{0});  // hand out each byte once, keep none
    m_left -= n;
    done += n;
  }
}

}  // namespace ipseckit::esp
