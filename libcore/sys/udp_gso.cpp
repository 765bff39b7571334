// UDP_SEGMENT trains (udp_gso.h).
#include "sys/udp_gso.h"

#include <netinet/udp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sys/msghdr.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace ipseckit::sys {

bool UdpGsoQueue::add(ByteView d, const Endpoint& peer) {
  if (d.empty() || d.size() > kMaxBytes) return false;
  if (m_count == 0) {
    std::memcpy(m_buf.data(), d.data(), d.size());
    m_len = m_seg = m_last = d.size();
    m_count = 1;
    m_peer = peer;
    return true;
  }
  if (!(peer == m_peer) || m_last < m_seg || d.size() > m_seg || m_count == kMaxSegments || m_len + d.size() > kMaxBytes)
    return false;
  std::memcpy(m_buf.data() + m_len, d.data(), d.size());
  m_len += d.size();
  m_last = d.size();
  ++m_count;
  return true;
}

Result<std::size_t> UdpGsoQueue::send(UdpSocket& s) {
  const std::size_t count = m_count;
  m_count = 0;
  if (count == 0) return std::size_t{0};
  sockaddr_storage sa;
  const socklen_t salen = to_sockaddr(m_peer, sa);
  if (count > 1 && m_gso) {
    iovec iov{m_buf.data(), m_len};
    alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(std::uint16_t))] = {};
    msghdr mh = one_buffer_msghdr(&sa, salen, iov, control);
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
    const auto seg = static_cast<std::uint16_t>(m_seg);
    std::memcpy(CMSG_DATA(c), &seg, sizeof seg);
    for (;;) {
      if (::sendmsg(s.fd(), &mh, 0) >= 0) {
        ++m_trains;
        m_refusals = 0;
        return count;
      }
      if (errno != EINTR) break;
    }
    if (errno != EINVAL && errno != EIO && errno != EMSGSIZE && errno != ENOPROTOOPT)
      return Error::make("failed", fmt::format("sendmsg (UDP_SEGMENT {} x {}): {}", count, m_seg, std::strerror(errno)));
    if (++m_refusals >= 8) m_gso = false;  // the kernel cannot: one datagram per syscall from now on
  }
  std::size_t sent = 0;
  for (std::size_t off = 0; off < m_len; off += m_seg) {
    const std::size_t n = off + m_seg <= m_len ? m_seg : m_len - off;
    if (::sendto(s.fd(), m_buf.data() + off, n, 0, reinterpret_cast<sockaddr*>(&sa), salen) < 0)
      return Error::make("failed", fmt::format("sendto: {}", std::strerror(errno)));
    ++sent;
  }
  return sent;
}

}  // namespace ipseckit::sys
