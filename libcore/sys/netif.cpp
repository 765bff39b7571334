#include "sys/netif.h"

#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace ipseckit::sys {

bool counts_as_me(const wire::IpAddr& a, const LocalAddressOptions& opt) {
  const auto& b = a.bytes();
  if (a.is_v4()) return b[0] != 127 || opt.include_loopback;  // RFC 1122 3.2.1.3 (g)
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return opt.include_link_local_v6;  // fe80::/10
  static constexpr std::array<std::uint8_t, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return b != kLoopback6 || opt.include_loopback;  // RFC 4291 2.5.3
}

std::vector<wire::IpAddr> local_addresses(LocalAddressOptions opt) {
  std::vector<wire::IpAddr> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP)) continue;
    std::optional<wire::IpAddr> a;
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in sin;
      std::memcpy(&sin, i->ifa_addr, sizeof sin);
      a = wire::IpAddr::v4(ntohl(sin.sin_addr.s_addr));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 sin6;
      std::memcpy(&sin6, i->ifa_addr, sizeof sin6);
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &sin6.sin6_addr, 16);
      a = wire::IpAddr::v6(b);
    }
    if (a && counts_as_me(*a, opt)) out.push_back(*a);
  }
  freeifaddrs(list);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

AddressWatcher::AddressWatcher() {
  m_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (m_fd < 0) return;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_LINK;
  if (bind(m_fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(m_fd);
    m_fd = -1;
  }
}

AddressWatcher::~AddressWatcher() {
  if (m_fd >= 0) close(m_fd);
}

bool AddressWatcher::drain() {
  if (m_fd < 0) return false;
  bool any = false;
  std::array<char, 8192> buf;
  while (recv(m_fd, buf.data(), buf.size(), 0) > 0) any = true;
  return any;
}

}  // namespace ipseckit::sys
