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
  bool v6 = false;  // AF_INET6 (see recv_v6; IPPROTO_RAW over IPv6 includes the header too)
};

class RawSocket {
 public:
  // IPv4, or IPv6 with RawOptions::v6. Error code "failed" naming the protocol and errno.
  static Result<RawSocket> open(const RawOptions& opt);
  int fd() const { return m_fd.get(); }

  // IPPROTO_RAW: `packet` is a whole IPv4 packet (the kernel fills in the header checksum,
  // and the total length and ID when 0), or a whole IPv6 packet on an IPv6 socket (sent as
  // is; never fragmented: EMSGSIZE); it is routed to its destination address.
  Status send_packet(ByteView packet);
  // For a raw UDP socket (protocol 17): keep only datagrams to this destination port (a
  // classic BPF filter, SO_ATTACH_FILTER), so the socket sees e.g. ESP-in-UDP on 4500 while
  // another process owns the UDP port.
  Status filter_udp_port(std::uint16_t port);
  // One received packet, IPv4 header first; nullopt when nothing is waiting.
  Result<std::optional<std::size_t>> recv(std::span<std::uint8_t> buffer);
  // IPv6 sockets (raw(7) over IPv6 delivers no IP header): one received packet with a
  // rebuilt 40-byte IPv6 header in front (source from the sender's address, destination from
  // IPV6_PKTINFO, next header = the socket's protocol, extension headers not kept).
  Result<std::optional<std::size_t>> recv_v6(std::span<std::uint8_t> buffer);
  bool v6() const { return m_v6; }

 private:
  UniqueFd m_fd;
  bool m_v6 = false;
  int m_protocol = 0;
};

}  // namespace ipseckit::sys
