// Name resolution for policy grammars (ipsecpol "-f host+*", netsh srcaddr=host): the
// system resolver (getaddrinfo), addresses in the resolver's order without duplicates.
#pragma once

#include <string>
#include <vector>

#include "wire/ip_address.h"

namespace ipseckit::sys {

// Empty when the name does not resolve.
std::vector<wire::IpAddr> resolve_host(const std::string& name);

}  // namespace ipseckit::sys
