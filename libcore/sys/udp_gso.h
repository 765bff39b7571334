// UDP generic segmentation offload on send (UDP_SEGMENT, Linux >= 4.18): a train of datagrams
// to one peer, all of one size but the last (which may be shorter), leaves in one sendmsg()
// and crosses the stack as one skb; the kernel (or the NIC) cuts it at the segment size.
// espd sends the ESP-in-UDP packets of one TUN super-packet this way (perf-limits.md §2b).
// When the kernel refuses a train (EINVAL/EIO/EMSGSIZE: no GSO support, or a datagram over
// the path MTU), its datagrams go one by one; after 8 refusals in a row, all of them do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "sys/udp_socket.h"

namespace ipseckit::sys {

class UdpGsoQueue {
 public:
  static constexpr std::size_t kMaxSegments = 64;      // UDP_MAX_SEGMENTS of older kernels
  static constexpr std::size_t kMaxBytes = 65535 - 48;  // one IPv6 or IPv4 + UDP datagram

  UdpGsoQueue() : m_buf(kMaxBytes) {}
  // Appends a datagram to the train; false when it does not belong to it (another peer, larger
  // than the train's segment size, after a shorter one, or full): send() first, then add again.
  bool add(ByteView d, const Endpoint& peer);
  // Sends the train (one sendmsg with UDP_SEGMENT, or one sendto per datagram after a refusal);
  // returns how many datagrams left, and clears the queue even on failure.
  Result<std::size_t> send(UdpSocket& s);
  std::size_t queued() const { return m_count; }
  bool gso_enabled() const { return m_gso; }
  std::uint64_t trains() const { return m_trains; }

 private:
  std::vector<std::uint8_t> m_buf;
  std::size_t m_len = 0, m_seg = 0, m_count = 0;
  std::size_t m_last = 0;  // size of the last datagram
  Endpoint m_peer;
  bool m_gso = true;
  std::uint64_t m_trains = 0;
  unsigned m_refusals = 0;
};

}  // namespace ipseckit::sys
