// The baseline: a linear first-match scan over packed match records (one array per family,
// in list order), i.e. what an SPD without a classifier does — kept lean so the comparison
// is fair. Same semantics as policy::lookup_linear.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "policy/spd_types.h"
#include "wire/ip_packet.h"

namespace spdbench {

class LinearScan {
 public:
  explicit LinearScan(std::span<const ipseckit::policy::SpdFilter> filters);
  std::uint32_t lookup(const ipseckit::wire::FiveTuple& t) const;

 private:
  struct Rec4 {
    std::uint32_t src, src_mask, dst, dst_mask;
    std::uint16_t sport, dport;
    std::uint8_t proto;
    std::uint32_t index;
  };
  struct Rec6 {
    std::uint64_t src[2], src_mask[2], dst[2], dst_mask[2];
    std::uint16_t sport, dport;
    std::uint8_t proto;
    std::uint32_t index;
  };
  std::vector<Rec4> m_v4;
  std::vector<Rec6> m_v6;
};

}  // namespace spdbench
