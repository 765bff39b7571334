// Fuzz target: arbitrary bytes into the receive path of AH SAs (HMAC-SHA1/MD5, GMAC with ESN, IPv4 and IPv6) and AH+ESP bundles.
// Byte 0 picks the SA, the rest is a whole IP packet. The oracle (fuzz_sas.h): no crash,
// counters account for every packet, only packets that were really sent are accepted, and
// they decapsulate to exactly what was sent.
#include <cstdint>

#include "../unit/esp/fuzz_sas.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static espfuzz::Harness h(espfuzz::Target::ah);
  static const bool seeded = (espfuzz::maybe_write_seeds(h), true);
  (void)seeded;
  (void)h.run(data, size);
  return 0;
}
