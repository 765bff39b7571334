// IPv6 fragmentation by the source node and the fragment header (RFC 8200 §4.5):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Identification                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A packet is cut into an Unfragmentable Part (the IPv6 header plus Hop-by-Hop, Routing and a
// Destination Options header before a Routing header) repeated in every fragment, and a
// Fragmentable Part cut at multiples of 8 bytes. espd is the source of its outer ESP/AH
// packets, so it fragments those that exceed the path (RFC 4301 §8.1; routers never fragment
// IPv6, RFC 8200 §5). Nothing is allocated: fragments are built one by one into caller memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace ipseckit::esp {

// Where the Unfragmentable Part of an IPv6 packet ends (RFC 8200 §4.5), found by walking
// Hop-by-Hop (0), Routing (43) and Destination Options (60) headers.
struct V6Chain {
  std::size_t total = 0;        // 40 + Payload Length (0 = jumbogram: not handled)
  std::size_t unfrag = 0;       // bytes of the Unfragmentable Part
  std::size_t nh_off = 0;       // the Next Header byte that names what follows it
  std::size_t frag_off = 0;     // a Fragment header's offset when the walk met one, else 0
};
// False when the packet is not IPv6 or a header runs past its Payload Length.
bool walk_v6_chain(ByteView packet, V6Chain& out);

// IPv6 with a Fragment header (an atomic fragment, offset 0 and M clear, included).
bool is_ipv6_fragment(ByteView packet);

struct FragmentPlanV6 {
  std::size_t unfrag = 0, nh_off = 0;  // V6Chain's
  std::size_t data_len = 0;            // the Fragmentable Part
  std::size_t step = 0;                // data bytes per fragment but the last (multiple of 8)
  std::size_t count = 0;               // 1: it fits, send as is
  std::uint32_t id = 0;
};
// Plans fragments of at most mtu bytes (RFC 8200 §4.5; mtu below 1280 is accepted, as a path
// may be configured that way, but must leave 8 data bytes). Fails on a packet that is already
// a fragment or is not well-formed IPv6.
bool plan_ipv6_fragments(ByteView packet, std::size_t mtu, std::uint32_t id, FragmentPlanV6& out);
// Writes fragment `index` (Unfragmentable Part, Fragment header, data) into out; its length,
// 0 on misuse or when out is short. With count == 1, copies the packet.
std::size_t build_ipv6_fragment(ByteView packet, const FragmentPlanV6& plan, std::size_t index,
                                std::span<std::uint8_t> out);

}  // namespace ipseckit::esp
