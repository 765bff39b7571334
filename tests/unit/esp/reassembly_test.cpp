// IPv4 reassembly before the SPD lookup (esp/reassembly.h, RFC 791 §3.2, RFC 4301 §7): fragments
// in any order give back the original datagram byte for byte; overlaps, a second last
// fragment and the timeout drop it; the slots are bounded; send_fragmented round-trips.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "esp/fragment.h"
#include "esp/reassembly.h"
#include "reassembly_orders.h"
#include "support.h"
#include "wire/ip_packet.h"

using namespace esptest;

namespace {

std::vector<Bytes> fragments_of(const Bytes& pkt, std::size_t mtu) {
  std::vector<Bytes> out;
  std::vector<std::uint8_t> scratch(65536);
  REQUIRE(esp::send_fragmented(ByteView(pkt), mtu, std::span<std::uint8_t>(scratch), [&](ByteView f) {
    out.emplace_back(f.begin(), f.end());
    return true;
  }));
  return out;
}

}  // namespace

TEST_CASE("reassembly: in order and in reverse, the datagram comes back exactly") {
  const Bytes pkt = ipv4_udp("192.0.2.1", "192.0.2.2", 3000, false);
  const auto frags = fragments_of(pkt, 1400);
  REQUIRE(frags.size() == 3);
  for (const auto& f : frags) CHECK(esp::is_ipv4_fragment(f));
  CHECK_FALSE(esp::is_ipv4_fragment(pkt));
  for (const std::size_t largest : reassemble_both_orders(frags, pkt))
    CHECK(largest == 1396);  // 20 + 1376 (data cut at multiples of 8)
}

TEST_CASE("reassembly: overlap, a second last fragment and the timeout drop the datagram") {
  const Bytes pkt = ipv4_udp("192.0.2.1", "192.0.2.2", 3000, false);
  const auto frags = fragments_of(pkt, 1400);
  std::vector<std::uint8_t> out(65535);
  {
    esp::Reassembler r;
    CHECK(r.add(frags[0], 0, out) == 0);
    CHECK(r.add(frags[0], 0, out) == 0);  // duplicate = overlap: dropped
    CHECK(r.add(frags[1], 0, out) == 0);
    CHECK(r.add(frags[2], 0, out) == 0);  // the first fragment is gone: never complete
    CHECK(r.counters().dropped >= 1);
  }
  {
    esp::Reassembler r;
    CHECK(r.add(frags[0], 0, out) == 0);
    CHECK(r.add(frags[1], 0, out) == 0);
    CHECK(r.add(frags[2], esp::Reassembler::kTimeoutMs, out) == 0);  // the slot expired first
    CHECK(r.counters().reassembled == 0);
  }
}

TEST_CASE("reassembly: at most kSlots datagrams in progress; the oldest gives way") {
  esp::Reassembler r;
  std::vector<std::uint8_t> out(65535);
  std::vector<std::vector<Bytes>> all;
  for (std::size_t i = 0; i <= esp::Reassembler::kSlots; ++i) {
    Bytes pkt = ipv4_udp("192.0.2.1", "192.0.2.2", 2000, false);
    pkt[5] = static_cast<std::uint8_t>(i + 1);  // IP ID (the checksum is rebuilt by fragmenting)
    pkt[10] = pkt[11] = 0;
    const auto sum = ipseckit::wire::inet_checksum(ByteView(pkt.data(), 20));
    pkt[10] = static_cast<std::uint8_t>(sum >> 8), pkt[11] = static_cast<std::uint8_t>(sum);
    all.push_back(fragments_of(pkt, 1400));
    CHECK(r.add(all.back()[0], i, out) == 0);
  }
  CHECK(r.pending() == esp::Reassembler::kSlots);
  CHECK(r.add(all[0][1], 100, out) == 0);  // the first datagram's slot was taken
  CHECK(r.add(all.back()[1], 100, out) == 2028);
}
