#include "policy/spd_weight.h"

namespace ipseckit::policy {
namespace {

// The address part shared by every filter kind: (src + dst mask weights) << 16, plus the
// tie breaker when the destination is at least as specific as the source.
std::uint32_t address_weight(const SpdAddr& src, const SpdAddr& dst) {
  const std::uint32_t s = mask_weight(src.prefix.len, src.is_v6());
  const std::uint32_t d = mask_weight(dst.prefix.len, dst.is_v6());
  std::uint32_t w = (s + d) << 16;
  if (d >= s) w |= kWeightAddressTieBreaker;
  return w;
}

}  // namespace

std::uint32_t qm_filter_weight(const SpdAddr& src, const SpdAddr& dst, std::uint8_t protocol,
                               std::uint16_t src_port, std::uint16_t dst_port,
                               const std::optional<SpdAddr>& tunnel) {
  std::uint32_t w = address_weight(src, dst);
  if (protocol != 0) w |= kWeightSpecificProtocol;
  if (src_port != 0) w |= kWeightSpecificSourcePort;
  if (dst_port != 0) w |= kWeightSpecificDestinationPort;
  if (tunnel) {
    w |= kWeightTunnelFilter;
    if (!tunnel->is_any()) w |= kWeightSpecificTunnelFilter;
  }
  return w;
}

std::uint32_t mm_filter_weight(const SpdAddr& src, const SpdAddr& dst) { return address_weight(src, dst); }

}  // namespace ipseckit::policy
