// Raw IPv4 sockets for the data plane (espd): receiving ESP (IP protocol 50), AH (51) and
// ESP-in-UDP (17, filtered by port) with their IP header, and sending whole IP packets (IPPROTO_RAW, IP_HDRINCL) —
// ESP/AH outer packets and permitted clear-text packets re-injected from the TUN. Every socket can carry the routing
// mark M (SO_MARK) so what it sends bypasses the `not fwmark M lookup T` rule.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "sys/unix_socket.h"
#include "wire/ip_address.h"

namespace ipseckit::sys {

struct RawOptions {
  int protocol = 255;                 // 50, 51, or 255 (IPPROTO_RAW: send-only, header included)
  std::optional<std::uint32_t> mark;  // SO_MARK (needs CAP_NET_ADMIN)
  bool nonblocking = true;
  int rcvbuf = 0;  // 0 = system default
};

class RawSocket {
 public:
  // IPv4 only. Error code "failed" naming the protocol and errno.
  static Result<RawSocket> open(const RawOptions& opt);
  int fd() const { return m_fd.get(); }

  // IPPROTO_RAW: `packet` is a whole IPv4 packet (the kernel fills in the header checksum,
  // and the total length and ID when 0); it is routed to its destination address.
  Status send_packet(ByteView packet);
  // For a raw UDP socket (protocol 17): keep only datagrams to this destination port (a
  // classic BPF filter, SO_ATTACH_FILTER), so the socket sees e.g. ESP-in-UDP on 4500 while
  // another process owns the UDP port.
  Status filter_udp_port(std::uint16_t port);
  // One received packet, IPv4 header first; nullopt when nothing is waiting.
  Result<std::optional<std::size_t>> recv(std::span<std::uint8_t> buffer);

 private:
  UniqueFd m_fd;
};

}  // namespace ipseckit::sys
