// Fuzz target: the ESP-side codecs on arbitrary bytes. Every parser must refuse or accept
// without crashing, and what it accepts must serialize back to the same bytes (round-trip
// oracle): ESP header and trailer, AH header, UDP header, IPv6 header; plus the helpers that
// walk untrusted packets (IPv6 extension chains, AH mutable-field zeroing, demux, MSS clamping,
// fragmentation plans, ICMP "too big").
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "esp/demux.h"
#include "esp/fragment.h"
#include "esp/pmtu.h"
#include "wire/ah.h"
#include "wire/esp.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

using namespace ipseckit;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "round trip failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  std::array<std::uint8_t, 4200> out{};
  if (auto h = wire::parse_esp_header(in)) {
    check(wire::write_esp_header(out, *h) && std::memcmp(out.data(), data, 8) == 0, "ESP header");
  }
  if (auto t = wire::parse_esp_trailer(in)) {
    check(t->payload_length + t->pad_length + 2 == size, "ESP trailer lengths");
    check(wire::write_esp_trailer(out, t->pad_length, t->next_header) &&
              std::memcmp(out.data(), data + t->payload_length, t->pad_length + 2u) == 0,
          "ESP trailer bytes");
  }
  if (auto a = wire::parse_ah_header(in)) {
    check(a->length <= size && a->icv.size() == a->length - wire::kAhFixedSize, "AH lengths");
    check(wire::write_ah_header(out, a->next_header, a->length, a->spi, a->seq), "AH write");
    std::memcpy(out.data() + 2, data + 2, 2);  // RESERVED is carried, not produced
    check(std::memcmp(out.data(), data, wire::kAhFixedSize) == 0, "AH header");
  }
  if (auto u = wire::parse_udp_header(in)) {
    check(wire::write_udp_header(out, *u) && std::memcmp(out.data(), data, 8) == 0, "UDP header");
  }
  if (auto v6 = wire::parse_ipv6_header(in)) {
    check(wire::write_ipv6_header(out, *v6) && std::memcmp(out.data(), data, 40) == 0, "IPv6 header");
    auto s = wire::ipv6_split_for_ipsec(in);
    auto u = wire::ipv6_find_upper_layer(in);
    if (s && u) check(s->header_length <= u->header_length && u->header_length <= size, "IPv6 chain");
  }
  const std::size_t n = std::min(size, out.size());
  std::memcpy(out.data(), data, n);
  const std::span<std::uint8_t> copy(out.data(), n);
  if (n >= 20 && (data[0] >> 4) == 4) (void)wire::ah_zero_mutable_ipv4(copy.first(std::min<std::size_t>(n, std::size_t{data[0] & 0xFu} * 4)));
  if (n >= 40 && (data[0] >> 4) == 6) (void)wire::ah_zero_mutable_ipv6(copy);
  (void)wire::classify_udp_encap(in);
  (void)esp::demux_inbound(in);
  std::memcpy(out.data(), data, n);
  if (esp::clamp_tcp_mss(copy, 536)) check(esp::inspect_received(copy).ok(), "MSS clamp kept the packet valid");
  std::array<std::uint8_t, 1500> frag{};
  if (auto plan = esp::plan_ipv4_fragments(in, 576)) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < plan->count && i < 200; ++i) {
      const std::size_t len = esp::build_ipv4_fragment(in, *plan, i, frag);
      check(len > 0 && len <= 576, "fragment size");
      total += len - (i == 0 ? plan->header_len : plan->later_header);
    }
    if (plan->count <= 200) check(total == plan->data_len, "fragments cover the data");
  }
  (void)esp::build_icmp_too_big(in, 1280, wire::IpAddr::v4(0x0A000001), frag);
  return 0;
}
