// Fuzz target: arbitrary bytes into the receive path of ESP-in-UDP SAs (RFC 3948), tunnel and transport (NAT-OA fix-up), IPv4 and IPv6, through the inbound demultiplexer first.
// Byte 0 picks the SA, the rest is a whole IP packet. Every packet first goes through
// demux_inbound() as espd will do; ESP-in-UDP goes on to the SA. The oracle (fuzz_sas.h): no
// crash, counters account for every packet, only packets that were really sent are accepted.
#include <cstdint>
#include <cstdlib>

#include "../unit/esp/fuzz_sas.h"
#include "esp/demux.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static espfuzz::Harness h(espfuzz::Target::udp);
  static const bool seeded = (espfuzz::maybe_write_seeds(h), true);
  (void)seeded;
  if (size == 0) return 0;
  auto d = ipseckit::esp::demux_inbound(ipseckit::ByteView(data + 1, size - 1));
  if (d && d->carrier == ipseckit::esp::Carrier::esp_in_udp) {
    const auto st = h.run(data, size);
    (void)st;
  } else if (d && d->carrier == ipseckit::esp::Carrier::ike_in_udp && d->offset + 4 > size - 1) {
    std::abort();  // the non-ESP marker must be inside the packet
  }
  // The SA must also refuse whatever the demultiplexer would not hand it, without crashing.
  if (data[0] & 0x80) (void)h.run(data, size);
  return 0;
}
