// What a bump-in-the-stack data plane does with an IPv6 packet read from its TUN before the
// SPD lookup (espd's datapath_v6.cpp):
//  * link-local (fe80::/10), multicast (ff00::/8), unspecified (::) or loopback (::1)
//    source or destination: the packet belongs to one link — neighbour and router
//    discovery (RFC 4861), MLD, DAD (RFC 4862 §5.4) — and never to an SA; it is dropped
//    unprotected and uncounted by any filter, so a "me -> any" negotiate or block filter can
//    never capture it (RFC 4291 §2.5.6: link-local packets are never forwarded);
//  * a fragment (RFC 8200 §4.5 fragment header): the SPD must see whole datagrams with their
//    ports (RFC 4301 §7), so espd reassembles it first (esp/reassembly.h) and looks up the
//    whole datagram. The local stack fragments only datagrams larger than the TUN MTU (or the
//    path MTU it learnt from the Packet Too Big that espd returns, RFC 8201): large UDP
//    datagrams and pings;
//  * anything else well-formed goes to the SPD.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.h"

namespace ipseckit::esp {

enum class TunV6 : std::uint8_t { spd, link_scope, fragment, malformed };

TunV6 classify_tun_v6(ByteView packet);
std::string_view name(TunV6 v);

// RFC 4291 §2.4: address types that are never protected by an SA (16 bytes).
bool v6_link_scope(const std::uint8_t* addr);

// RFC 4301 §8.2 with RFC 8200 §5: the MTU to report in Packet Too Big for an inner IPv6
// packet of `size` bytes when `fits` bytes fit the path once protected. 0: send it (it fits,
// or fits is below the IPv6 minimum MTU of 1280 and the outer packet must be fragmented by
// its source instead, RFC 4301 §8.1).
std::uint32_t v6_too_big_mtu(std::size_t size, std::size_t fits);

}  // namespace ipseckit::esp
