// The MTU of the route to an address as the kernel sees it (interface MTU, or a path MTU it
// learned from ICMP, RFC 1191 / RFC 8201), for packets carrying a given SO_MARK: a UDP socket
// with that mark is connected (no packet is sent) and asked IP_MTU / IPV6_MTU.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::sys {

Result<unsigned> route_mtu(const wire::IpAddr& dst, std::uint32_t mark);

// SO_MARK of a socket (0 when unset or unreadable).
std::uint32_t socket_mark(int fd);

}  // namespace ipseckit::sys
