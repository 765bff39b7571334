// Fixed-seed "realistic-ish" policies for bench_spd, sized by the number of specific filters
// they compile to, and a fixed-seed packet mix.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/model.h"
#include "policy/spd_types.h"
#include "wire/ip_packet.h"

namespace spdbench {

// The host the policies are compiled for: one IPv4 and one IPv6 address.
std::vector<ipseckit::wire::IpAddr> local_addresses();

// A policy named "bench" whose compilation for local_addresses() yields exactly `specific`
// specific filters: transport rules me <-> any, /8, /16, /24, /32 (IPv4 and some IPv6),
// protocols any/TCP/UDP/ICMP, ports any or specific, half of them mirrored; tunnel rules
// between random subnets. Rules of 500 filters, actions permit / block / negotiate.
ipseckit::policy::PolicySet make_policy(std::size_t specific, std::uint64_t seed);

// Packets: about half built to fall inside a random filter, the rest random traffic to and
// from this host (which may hit broad filters or nothing).
std::vector<ipseckit::wire::FiveTuple> make_packets(const std::vector<ipseckit::policy::SpdFilter>& specific,
                                                    std::size_t count, std::uint64_t seed);

}  // namespace spdbench
