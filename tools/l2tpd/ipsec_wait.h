// Waiting for the L2TP/IPsec policy to be in force before the client's first SCCRQ
// (see ipsec_wait.cpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "store/client.h"
#include "wire/ip_address.h"

namespace ipseckit::l2tpd {

// The interface the kernel routes an unmarked IPv4 packet to `dst` through (RTM_GETROUTE).
std::optional<std::string> route_device(const wire::IpAddr& dst);

// Returns once `peer` is routed into the TUN of the espd named by esp/daemon, or after `max`
// (logging that the traffic may leave unprotected); at once when no espd runs.
void wait_for_ipsec_route(store::Client& store, const wire::IpAddr& peer, std::chrono::milliseconds max);

}  // namespace ipseckit::l2tpd
