// Fuzz target: arbitrary bytes into the receive path of ESP SAs of seven suites (CBC+HMAC, GCM with ESN, GMAC over IPv6, NULL+SHA-256, 3DES+MD5 with a 1024 window, AES-256+SHA-512 with ESN, CBC without integrity).
// Byte 0 picks the SA, the rest is a whole IP packet. The oracle (fuzz_sas.h): no crash,
// counters account for every packet, only packets that were really sent are accepted, and
// they decapsulate to exactly what was sent.
#include <cstdint>

#include "../unit/esp/fuzz_sas.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static espfuzz::Harness h(espfuzz::Target::esp);
  static const bool seeded = (espfuzz::maybe_write_seeds(h), true);
  (void)seeded;
  (void)h.run(data, size);
  return 0;
}
