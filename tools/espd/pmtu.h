// Path MTU for protected traffic (RFC 4301 §8.2, RFC 1191 §4): an inner IPv4 packet with DF
// set that would not fit the path MTU to the SA's peer once protected is not sent; its
// sender gets ICMP "fragmentation needed and DF set" (type 3 code 4) carrying the largest
// inner packet that fits (OutboundSa::max_inner_size), written into the TUN as if from the
// peer, so the host stack lowers its PMTU for that destination (ping -M do shows it). An
// inner IPv6 packet (never fragmented in transit, RFC 8200 §5) gets ICMPv6 Packet Too Big
// instead, whatever its size, as long as the reported MTU is at least 1280 (esp/tun_v6.h).
// The path MTU is the kernel's for the route to the peer with espd's mark (the real
// interface, plus what ICMP taught it), asked at most every kRefreshMs per peer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "esp/outbound.h"
#include "wire/ip_address.h"

namespace ipseckit::espd {

class PathMtu {
 public:
  static constexpr std::uint64_t kRefreshMs = 2000;

  // mark_fd: a socket of espd's carrying its routing mark (read once).
  explicit PathMtu(int mark_fd) : m_mark_fd(mark_fd) {}

  // The ICMP error to write into the TUN when pkt must be refused, else nullopt.
  std::optional<ByteView> too_big(const esp::OutboundSa& sa, ByteView pkt, std::uint64_t now_ms);
  std::uint64_t refused() const { return m_refused; }
  // The path MTU to dst (cached as above; 0 when unknown): espd fragments its own IPv6 outer
  // packets to it (datapath_v6.cpp).
  unsigned mtu_to(const wire::IpAddr& dst, std::uint64_t now_ms);

 private:
  std::optional<ByteView> too_big_v6(const esp::OutboundSa& sa, ByteView pkt, std::uint64_t now_ms);
  struct Entry {
    wire::IpAddr dst;
    unsigned mtu = 0;
    std::uint64_t at_ms = 0;
  };
  int m_mark_fd;
  std::optional<std::uint32_t> m_mark;
  std::vector<Entry> m_cache;
  std::array<std::uint8_t, 1500> m_icmp{};
  std::uint64_t m_refused = 0;
};

}  // namespace ipseckit::espd
