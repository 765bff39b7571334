// UDP sockets for the daemons: IKE on 500/4500, ESP-in-UDP on 4500, L2TP on 1701. Every socket
// can carry the routing mark M (SO_MARK) so its packets bypass the policy-routing rule that
// sends protected traffic into the TUN (ARCHITECTURE.md), and receives in batches
// (recvmmsg/sendmmsg) into caller-owned buffers: no allocation per packet.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "sys/natt_share.h"
#include "sys/unix_socket.h"
#include "wire/ip_address.h"

namespace ipseckit::sys {

struct Endpoint {
  wire::IpAddr addr;
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// sockaddr conversions (IPv4 or IPv6).
socklen_t to_sockaddr(const Endpoint& e, sockaddr_storage& out);
std::optional<Endpoint> from_sockaddr(const sockaddr_storage& s);

struct UdpOptions {
  Endpoint bind;                        // address (unspecified = any of its family) and port (0 = any)
  std::optional<std::uint32_t> mark;    // SO_MARK
  bool reuse_port = false;              // SO_REUSEPORT (one socket per worker)
  bool gro = false;                     // UDP_GRO: coalesced receives; segment size reported
  bool nonblocking = true;
  bool pktinfo = false;                 // IP_PKTINFO / IPV6_RECVPKTINFO: local address per datagram
  int rcvbuf = 0, sndbuf = 0;           // 0 = system default
  // The IKE daemon's NAT-T socket (RFC 3948 §2.2): a classic-BPF filter (SO_ATTACH_FILTER)
  // drops, in the kernel, datagrams of 4 bytes or more whose first 4 are not the zero non-ESP
  // marker: ESP, which espd reads elsewhere. IKE, keepalives (0xFF) and runts still arrive.
  bool natt_ike_only = false;
  // The NAT-T port shared by the IKE daemon and espd in one SO_REUSEPORT group, the kernel
  // steering IKE and ESP apart (natt_share.h): sets SO_REUSEPORT and, once bound, attaches
  // the steering program for this socket's role.
  NattShare natt_share = NattShare::none;
};

// One received datagram of a batch.
struct Datagram {
  std::span<std::uint8_t> data;  // points into the batch's buffer
  Endpoint peer;
  std::optional<wire::IpAddr> local;  // with pktinfo
  std::uint16_t gro_size = 0;         // with gro: size of each coalesced segment (0 = single)
};

class UdpSocket {
 public:
  static Result<UdpSocket> open(const UdpOptions& opt);
  int fd() const { return m_fd.get(); }
  Endpoint local() const;

  // `from` (with pktinfo set or not): the source address, sent as IP_PKTINFO / IPV6_PKTINFO
  // ancillary data so a socket bound to any address answers from the address a peer sent to
  // or that a rule names, not from the route's preferred source. Unspecified or of the other
  // family: the kernel chooses.
  Status send_to(ByteView data, const Endpoint& peer, const std::optional<wire::IpAddr>& from = std::nullopt);
  // One datagram; nullopt when nothing is waiting (non-blocking).
  Result<std::optional<Datagram>> recv(std::span<std::uint8_t> buffer);

 private:
  friend class UdpBatch;
  UniqueFd m_fd;
  bool m_v6 = false;
  bool m_pktinfo = false;
  bool m_gro = false;
};

// Preallocated recvmmsg/sendmmsg state for up to `capacity` datagrams of `mtu` bytes each.
class UdpBatch {
 public:
  UdpBatch(std::size_t capacity, std::size_t mtu);
  // Receives up to capacity datagrams (0 when none is waiting); valid until the next call.
  Result<std::span<const Datagram>> recv(UdpSocket& s);
  // Queues one datagram for send(); false when the batch is full.
  bool add(ByteView data, const Endpoint& peer);
  // Sends what was queued with sendmmsg; returns how many went out and clears the queue.
  Result<std::size_t> send(UdpSocket& s);
  std::size_t queued() const { return m_out; }

 private:
  std::size_t m_cap, m_mtu;
  std::vector<std::uint8_t> m_in;       // capacity x mtu receive buffers
  std::vector<std::uint8_t> m_outbuf;   // capacity x mtu send buffers
  std::vector<std::uint8_t> m_control;  // capacity x control space
  std::vector<iovec> m_iov, m_oiov;
  std::vector<mmsghdr> m_msgs, m_omsgs;
  std::vector<sockaddr_storage> m_addrs, m_oaddrs;
  std::vector<Datagram> m_got;
  std::size_t m_out = 0;
};

}  // namespace ipseckit::sys
