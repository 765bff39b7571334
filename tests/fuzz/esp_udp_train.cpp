// Fuzz target: arbitrary bytes as the UDP payload espd's raw socket handed over, to
// esp::esp_train_stride() (esp/udp_train.h). Oracle: a stride it reports lies inside the
// payload, and every segment at a multiple of it really starts with the SPI and the next
// sequence number and holds at least those 8 bytes; a payload built as a genuine train from
// the input (the input cut into segments behind SPI/sequence headers) is always recognised
// with its segment size unless the fuzzer put the SPI inside a segment body.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "esp/udp_train.h"

namespace {

std::uint32_t be32(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

void check(const std::uint8_t* data, std::size_t size) {
  const std::size_t s = ipseckit::esp::esp_train_stride(ipseckit::ByteView(data, size));
  if (s == 0) return;
  if (s < 16 || s >= size) std::abort();
  for (std::size_t off = s, k = 1; off < size; off += s, ++k) {
    if (size - off < 8 || be32(data + off) != be32(data) || be32(data + off + 4) != static_cast<std::uint32_t>(be32(data + 4) + k)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size);
  // A genuine train: segment size 16..271 from byte 0, SPI 0x5001 + byte 1, sequence numbers
  // from byte 2 on, bodies from the rest of the input (at least two segments).
  if (size < 3) return 0;
  const std::size_t seg = 16 + data[0];
  const std::uint32_t spi = 0x5001u + data[1];
  std::uint32_t seq = 0xFFFFFFF0u + data[2];  // crosses the 32-bit wrap sometimes
  std::vector<std::uint8_t> train;
  const std::size_t body = seg - 8;
  std::size_t in = 3;
  for (int n = 0; n < 2 || in < size; ++n, ++seq) {
    const std::uint8_t h[8] = {static_cast<std::uint8_t>(spi >> 24), static_cast<std::uint8_t>(spi >> 16),
                               static_cast<std::uint8_t>(spi >> 8),  static_cast<std::uint8_t>(spi),
                               static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16),
                               static_cast<std::uint8_t>(seq >> 8),  static_cast<std::uint8_t>(seq)};
    train.insert(train.end(), h, h + 8);
    for (std::size_t i = 0; i < body; ++i) train.push_back(in < size ? data[in++] : 0);
    if (train.size() > 60000) break;
  }
  const std::size_t got = ipseckit::esp::esp_train_stride(train);
  check(train.data(), train.size());
  // The bodies are the fuzzer's: where one holds the SPI's bytes, an earlier offset may look
  // like the next segment (then the answer is 0, or another stride that check() accepted).
  // Without the SPI in any body, only the true segment size is right.
  bool spi_in_body = false;
  for (std::size_t off = 0; off + 4 <= train.size() && !spi_in_body; ++off)
    spi_in_body = off % seg != 0 && be32(train.data() + off) == spi;
  if (!spi_in_body && got != seg) std::abort();
  return 0;
}
