// Raw IPv4 sockets (raw(7)).
#include "sys/raw_socket.h"

#include <errno.h>
#include <fmt/format.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <cstring>

namespace ipseckit::sys {

namespace {

Error failed(const std::string& what, int err) {
  return Error::make("failed", fmt::format("{}: {}", what, strerror(err)));
}

}  // namespace

Result<RawSocket> RawSocket::open(const RawOptions& opt) {
  const int type = SOCK_RAW | SOCK_CLOEXEC | (opt.nonblocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(AF_INET, type, opt.protocol));
  if (fd.get() < 0) return failed(fmt::format("raw socket for IP protocol {}", opt.protocol), errno);
  if (opt.mark) {
    const int m = static_cast<int>(*opt.mark);
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &m, sizeof m) != 0)
      return failed(fmt::format("SO_MARK {} on the raw socket for IP protocol {}", *opt.mark, opt.protocol), errno);
  }
  if (opt.rcvbuf > 0) (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &opt.rcvbuf, sizeof opt.rcvbuf);
  RawSocket s;
  s.m_fd = std::move(fd);
  return s;
}

Status RawSocket::send_packet(ByteView packet) {
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

}  // namespace ipseckit::sys
