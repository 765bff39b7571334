// Route MTU through a connected, marked UDP socket (route_mtu.h).
#include "sys/route_mtu.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sys/udp_socket.h"

namespace ipseckit::sys {

Result<unsigned> route_mtu(const wire::IpAddr& dst, std::uint32_t mark) {
  const bool v6 = dst.is_v6();
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::make("failed", std::string("socket: ") + std::strerror(errno));
  auto fail = [&](const char* what) {
    const int e = errno;
    ::close(fd);
    return Error::make("failed", std::string(what) + " " + dst.str() + ": " + std::strerror(e));
  };
  if (mark && ::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) return fail("SO_MARK");
  sockaddr_storage ss;
  const socklen_t sl = to_sockaddr(Endpoint{dst, 9}, ss);  // port 9 (discard): any will do
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), sl) < 0) return fail("connect");
  int mtu = 0;
  socklen_t ml = sizeof mtu;
  if (::getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &ml) < 0 || mtu <= 0)
    return fail("IP_MTU");
  ::close(fd);
  return static_cast<unsigned>(mtu);
}

std::uint32_t socket_mark(int fd) {
  std::uint32_t mark = 0;
  socklen_t l = sizeof mark;
  if (::getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &l) < 0) return 0;
  return mark;
}

}  // namespace ipseckit::sys
