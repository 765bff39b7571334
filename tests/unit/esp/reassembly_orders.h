// Shared by reassembly_test.cpp (IPv4, RFC 791 §3.2) and reassembly_v6_test.cpp (IPv6, RFC 8200
// §4.5): a datagram's fragments, fed to a fresh esp::Reassembler in order and then in reverse,
// complete it on the last one only and give it back byte for byte.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "esp/reassembly.h"
#include "support.h"

namespace esptest {

// Returns the largest fragment the reassembler reported, {in order, in reverse}.
inline std::array<std::size_t, 2> reassemble_both_orders(std::vector<Bytes> frags, const Bytes& pkt) {
  std::array<std::size_t, 2> largest{};
  for (std::size_t order = 0; order < 2; ++order) {
    const bool reversed = order == 1;
    CAPTURE(reversed);
    if (reversed) std::reverse(frags.begin(), frags.end());
    esp::Reassembler r;
    std::vector<std::uint8_t> out(65535);
    std::size_t n = 0;
    for (std::size_t i = 0; i < frags.size(); ++i) {
      n = r.add(frags[i], 100, out, &largest[order]);
      CHECK((n != 0) == (i + 1 == frags.size()));
    }
    REQUIRE(n == pkt.size());
    CHECK(std::equal(pkt.begin(), pkt.end(), out.begin()));
    CHECK(r.pending() == 0);
    CHECK(r.counters().reassembled == 1);
    CHECK(r.counters().fragments == frags.size());
  }
  return largest;
}

}  // namespace esptest
