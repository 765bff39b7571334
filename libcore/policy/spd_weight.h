// Filter weights exactly as Windows' SPD computes them (XP/2003 spd: txspecific.c
// AssignTxFilterWeight, tnspecific.c AssignTnFilterWeight, mmspecific.c AssignMMFilterWeight):
//
//    31                    16 15        12 11       8 7            0
//   +------------------------+------------+----------+--------------+
//   |  address mask weight   | tunnel wgt | protocol |  port | tie  |
//   +------------------------+------------+----------+--------------+
//
// Mask weight: for each of the source and destination masks, the sum of the 1-based bit
// positions, counted from the least-significant bit, of the bits set in the mask; the two
// sums are added and shifted left 16. A /32 (a host, and "me") weighs 1+2+...+32 = 528, a /24
// 492, a /16 392, a /8 228, /0 ("any") 0; so more specific addresses always weigh more.
// Flags: 0x100 specific protocol, 0x2 specific source port, 0x4 specific destination port,
// 0x1 "address tie breaker" when the destination mask weight >= the source mask weight;
// tunnel filters add 0x1000, and 0x2000 when the tunnel endpoint is a specific address.
// Main-mode filters use the mask weight and the tie breaker only.
//
// IPv6 (not in Windows): the same rule applied to the 128-bit mask, i.e. the sum of the
// positions 128-len+1 .. 128 = len*(257-len)/2, so ::/0 weighs 0 and a /128 8256; the two
// sums still fit above bit 16 of a 32-bit weight (max 16512 << 16 | 0x3107 < 2^31). IPv4 and
// IPv6 filters never match the same packet, so the different scales never compete.
#pragma once

#include <cstdint>

#include "policy/spd_types.h"

namespace ipseckit::policy {

inline constexpr std::uint32_t kWeightAddressTieBreaker = 0x00000001;
inline constexpr std::uint32_t kWeightSpecificSourcePort = 0x00000002;
inline constexpr std::uint32_t kWeightSpecificDestinationPort = 0x00000004;
inline constexpr std::uint32_t kWeightSpecificProtocol = 0x00000100;
inline constexpr std::uint32_t kWeightTunnelFilter = 0x00001000;
inline constexpr std::uint32_t kWeightSpecificTunnelFilter = 0x00002000;

// Sum of the 1-based positions (from the LSB) of the set bits of a len-bit prefix mask.
constexpr std::uint32_t mask_weight(unsigned prefix_len, bool v6) {
  const std::uint32_t width = v6 ? 128u : 32u;
  const std::uint32_t len = prefix_len > width ? width : prefix_len;
  return len * (2 * width - len + 1) / 2;
}

// Weight of a quick-mode filter from its shape: prefix lengths, protocol, ports, tunnel.
std::uint32_t qm_filter_weight(const SpdAddr& src, const SpdAddr& dst, std::uint8_t protocol,
                               std::uint16_t src_port, std::uint16_t dst_port,
                               const std::optional<SpdAddr>& tunnel);
inline std::uint32_t qm_filter_weight(const SpdFilter& f) {
  return qm_filter_weight(f.src, f.dst, f.protocol, f.src_port, f.dst_port, f.tunnel);
}
// Weight of a main-mode filter: mask weight and tie breaker.
std::uint32_t mm_filter_weight(const SpdAddr& src, const SpdAddr& dst);

}  // namespace ipseckit::policy
