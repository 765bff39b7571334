#include "ike/types.h"

#include <fmt/format.h>

namespace ipseckit::ike {

std::string Endpoint::str() const {
  return addr.is_v6() ? fmt::format("[{}]:{}", addr.str(), port) : fmt::format("{}:{}", addr.str(), port);
}

isakmp::IdPayload TrafficSelector::to_id() const {
  if (prefix.is_host()) return isakmp::IdPayload::address(prefix.addr, protocol, port);
  return isakmp::IdPayload::subnet(prefix, protocol, port);
}

std::optional<TrafficSelector> TrafficSelector::from_id(const isakmp::IdPayload& id) {
  using isakmp::IdType;
  switch (id.type) {
    case IdType::ipv4_addr:
    case IdType::ipv6_addr:
    case IdType::ipv4_subnet:
    case IdType::ipv6_subnet: {
      const auto p = id.as_subnet();
      if (!p) return std::nullopt;
      return TrafficSelector{*p, id.protocol, id.port};
    }
    case IdType::ipv4_range:
    case IdType::ipv6_range: {
      // A range is usable when it is exactly one prefix (first = network, last = broadcast).
      const auto r = id.as_range();
      if (!r || r->first.is_v6() != r->second.is_v6()) return std::nullopt;
      const unsigned width = static_cast<unsigned>(r->first.bit_width());
      for (unsigned len = 0; len <= width; ++len) {
        if (r->first.masked(len) != r->first) continue;
        // Every host bit of `last` must be one.
        bool ok = r->second.masked(len) == r->first;
        for (unsigned i = len; ok && i < width; ++i) ok = r->second.bit(i);
        if (ok) return TrafficSelector{wire::IpPrefix{r->first, static_cast<std::uint8_t>(len)}, id.protocol, id.port};
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

bool TrafficSelector::within(const TrafficSelector& outer) const {
  if (prefix.addr.is_v6() != outer.prefix.addr.is_v6()) return false;
  if (!outer.prefix.contains(prefix)) return false;
  if (outer.protocol != 0 && outer.protocol != protocol) return false;
  if (outer.port != 0 && outer.port != port) return false;
  return true;
}

std::string TrafficSelector::str() const {
  std::string s = prefix.str();
  if (protocol == 0 && port == 0) return s;
  std::string p;
  switch (protocol) {
    case 0: p = "any"; break;
    case 1: p = "icmp"; break;
    case 6: p = "tcp"; break;
    case 17: p = "udp"; break;
    default: p = std::to_string(protocol);
  }
  return port ? fmt::format("{} {}/{}", s, p, port) : s + " " + p;
}

}  // namespace ipseckit::ike
