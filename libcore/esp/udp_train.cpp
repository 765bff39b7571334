#include "esp/udp_train.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/byte_order.h"

namespace ipseckit::esp {
namespace {

constexpr std::size_t kMinSegment = 16;  // SPI, sequence number and at least 8 bytes more (RFC 4303 §2)

}  // namespace

std::size_t esp_train_stride(ByteView p) {
  if (p.size() < 2 * kMinSegment) return 0;
  const std::uint32_t spi = load_be32(p.data()), seq = load_be32(p.data() + 4);
  if (spi == 0) return 0;  // the non-ESP marker: IKE (RFC 3948 §2.2)
  const std::uint32_t next = seq + 1;
  const std::array<std::uint8_t, 8> want{p[0],
                                         p[1],
                                         p[2],
                                         p[3],
                                         static_cast<std::uint8_t>(next >> 24),
                                         static_cast<std::uint8_t>(next >> 16),
                                         static_cast<std::uint8_t>(next >> 8),
                                         static_cast<std::uint8_t>(next)};
  const auto it = std::search(p.begin() + kMinSegment, p.end(), want.begin(), want.end());
  if (it == p.end()) return 0;
  const auto stride = static_cast<std::size_t>(it - p.begin());
  std::uint32_t k = 1;
  for (std::size_t off = stride; off < p.size(); off += stride, ++k) {
    if (p.size() - off < 8 || load_be32(p.data() + off) != spi || load_be32(p.data() + off + 4) != seq + k) return 0;
  }
  return stride;
}

}  // namespace ipseckit::esp
