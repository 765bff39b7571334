// Fragmentation of an outer IPv4 packet that exceeds the path MTU and may be fragmented
// (RFC 791 §3.2 "Fragmentation", RFC 4301 §8.1 for the DF choice). Fragments are built one by
// one into caller memory, so nothing is allocated:
//
//   auto plan = plan_ipv4_fragments(pkt, mtu);
//   for (std::size_t i = 0; plan && i < plan->count; ++i)
//     send(out.first(build_ipv4_fragment(pkt, *plan, i, out)));
//
// Every fragment carries the first header; options are copied into later fragments only when
// their "copied" flag is set (RFC 791: option type bit 0x80); data is cut at multiples of 8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::esp {

struct FragmentPlan {
  std::size_t header_len = 0;     // first fragment's header
  std::size_t later_header = 0;   // later fragments' header (copied options only, padded)
  std::size_t data_len = 0;       // bytes after the header in the original packet
  std::size_t first_step = 0;     // data bytes in the first fragment (multiple of 8)
  std::size_t later_step = 0;     // data bytes in each later fragment (multiple of 8)
  std::size_t count = 0;
};

// Fails (code "malformed") when the packet is not IPv4, has DF set, or mtu leaves fewer than 8
// data bytes per fragment (mtu < 68, RFC 791's minimum). A packet that fits gives count 1.
Result<FragmentPlan> plan_ipv4_fragments(ByteView packet, std::size_t mtu);
// Writes fragment `index` into out (at least mtu bytes) and returns its length, 0 on misuse.
std::size_t build_ipv4_fragment(ByteView packet, const FragmentPlan& plan, std::size_t index,
                                std::span<std::uint8_t> out);

}  // namespace ipseckit::esp
