// Raw IPv4 and IPv6 sockets (raw(7), ipv6(7)).
#include "sys/raw_socket.h"

#include <errno.h>
#include <fmt/format.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <cstring>

#include "sys/msghdr.h"

namespace ipseckit::sys {

namespace {

Error failed(const std::string& what, int err) {
  return Error::make("failed", fmt::format("{}: {}", what, strerror(err)));
}

}  // namespace

Result<RawSocket> RawSocket::open(const RawOptions& opt) {
  const int type = SOCK_RAW | SOCK_CLOEXEC | (opt.nonblocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(opt.v6 ? AF_INET6 : AF_INET, type, opt.protocol));
  if (fd.get() < 0) return failed(fmt::format("raw socket for IP protocol {}", opt.protocol), errno);
  if (opt.mark) {
    const int m = static_cast<int>(*opt.mark);
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &m, sizeof m) != 0)
      return failed(fmt::format("SO_MARK {} on the raw socket for IP protocol {}", *opt.mark, opt.protocol), errno);
  }
  if (opt.rcvbuf > 0) (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &opt.rcvbuf, sizeof opt.rcvbuf);
  if (opt.v6 && opt.protocol != IPPROTO_RAW) {
    const int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0)
      return failed(fmt::format("IPV6_RECVPKTINFO on the raw socket for IP protocol {}", opt.protocol), errno);
  }
  RawSocket s;
  s.m_fd = std::move(fd);
  s.m_v6 = opt.v6;
  s.m_protocol = opt.protocol;
  return s;
}

Status RawSocket::send_packet(ByteView packet) {
  if (m_v6) {
    if (packet.size() < 40 || (packet[0] >> 4) != 6) return Error::make("failed", "raw send: not an IPv6 packet");
    sockaddr_in6 to6{};
    to6.sin6_family = AF_INET6;
    std::memcpy(&to6.sin6_addr, packet.data() + 24, 16);
    const auto n =
        ::sendto(m_fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to6), sizeof to6);
    if (n < 0) return failed("raw IPv6 send", errno);
    return {};
  }
  if (packet.size() < 20 || (packet[0] >> 4) != 4) return Error::make("failed", "raw send: not an IPv4 packet");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr, packet.data() + 16, 4);
  const auto n =
      ::sendto(m_fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (n < 0) return failed("raw send", errno);
  return {};
}

Status RawSocket::filter_udp_port(std::uint16_t port) {
  if (m_v6) {  // IPv6: the packet starts with its UDP header (reassembled by the kernel)
    sock_filter code6[] = {
        {BPF_LD | BPF_H | BPF_ABS, 0, 0, 2},  // A = destination port
        {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, port}, {BPF_RET | BPF_K, 0, 0, 0xffffffff}, {BPF_RET | BPF_K, 0, 0, 0},
    };
    sock_fprog prog6{static_cast<unsigned short>(sizeof code6 / sizeof code6[0]), code6};
    if (::setsockopt(m_fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog6, sizeof prog6) != 0)
      return failed(fmt::format("SO_ATTACH_FILTER (UDP port {}, IPv6)", port), errno);
    return {};
  }
  // The packet starts with its IPv4 header: X = header length; accept if the UDP destination
  // port (X + 2) is `port`; non-first fragments carry no port and are dropped.
  sock_filter code[] = {
      {BPF_LD | BPF_H | BPF_ABS, 0, 0, 6},         // flags + fragment offset
      {BPF_JMP | BPF_JSET | BPF_K, 4, 0, 0x1fff},  // a non-first fragment: drop
      {BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0},        // X = 4 * (IHL)
      {BPF_LD | BPF_H | BPF_IND, 0, 0, 2},         // A = destination port
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, port},    {BPF_RET | BPF_K, 0, 0, 0xffffffff}, {BPF_RET | BPF_K, 0, 0, 0},
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (::setsockopt(m_fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0)
    return failed(fmt::format("SO_ATTACH_FILTER (UDP port {})", port), errno);
  return {};
}

Result<std::optional<std::size_t>> RawSocket::recv(std::span<std::uint8_t> buffer) {
  const auto n = ::recv(m_fd.get(), buffer.data(), buffer.size(), MSG_TRUNC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<std::size_t>{};
    return failed("raw receive", errno);
  }
  if (static_cast<std::size_t>(n) > buffer.size())
    return failed("raw receive: packet larger than the buffer", EMSGSIZE);
  return std::optional<std::size_t>{static_cast<std::size_t>(n)};
}

// RFC 8200 §3: version 6, traffic class and flow label 0, payload length, next header, hop
// limit, source, destination — rebuilt around what an IPv6 raw socket delivers.
Result<std::optional<std::size_t>> RawSocket::recv_v6(std::span<std::uint8_t> buffer) {
  constexpr std::size_t kHdr = 40;
  if (buffer.size() <= kHdr) return failed("raw IPv6 receive: buffer too small", EINVAL);
  sockaddr_in6 from{};
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + 64];
  iovec iov{buffer.data() + kHdr, buffer.size() - kHdr};
  msghdr msg = one_buffer_msghdr(&from, sizeof from, iov, control);
  const auto n = ::recvmsg(m_fd.get(), &msg, MSG_TRUNC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<std::size_t>{};
    return failed("raw IPv6 receive", errno);
  }
  if (static_cast<std::size_t>(n) > iov.iov_len || n > 0xFFFF || (msg.msg_flags & MSG_TRUNC))
    return failed("raw IPv6 receive: packet larger than the buffer", EMSGSIZE);
  const in6_pktinfo* pi = nullptr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
      pi = reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(c));
  if (!pi) return failed("raw IPv6 receive: no IPV6_PKTINFO", EPROTO);
  std::uint8_t* h = buffer.data();
  std::memset(h, 0, kHdr);
  h[0] = 0x60;
  h[4] = static_cast<std::uint8_t>(n >> 8);
  h[5] = static_cast<std::uint8_t>(n);
  h[6] = static_cast<std::uint8_t>(m_protocol);
  h[7] = 64;
  std::memcpy(h + 8, &from.sin6_addr, 16);
  std::memcpy(h + 24, &pi->ipi6_addr, 16);
  return std::optional<std::size_t>{kHdr + static_cast<std::size_t>(n)};
}

}  // namespace ipseckit::sys
