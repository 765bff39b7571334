// Small value types shared by the IKEv1 engine: endpoints (address + UDP port), traffic
// selectors (what a Quick Mode ID payload names, RFC 2407 4.6.2) and the engine's clock type.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "wire/ip_address.h"
#include "wire/isakmp_id.h"

namespace ipseckit::ike {

namespace isakmp = ipseckit::wire::isakmp;

using TimePoint = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kNatTPort = 4500;  // RFC 3947 4

struct Endpoint {
  wire::IpAddr addr;
  std::uint16_t port = kIkePort;
  std::string str() const;  // "192.0.2.1:500", "[2001:db8::1]:4500"
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One side of a phase-2 SA: a subnet (a host is a full-length prefix), an IP protocol and a
// port (0 = any).
struct TrafficSelector {
  wire::IpPrefix prefix;
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;

  static TrafficSelector host(const wire::IpAddr& a, std::uint8_t protocol = 0, std::uint16_t port = 0) {
    return {wire::IpPrefix::host(a), protocol, port};
  }
  // ID_IPV*_ADDR for a host, ID_IPV*_ADDR_SUBNET otherwise (as Windows and strongSwan send them).
  isakmp::IdPayload to_id() const;
  // Addresses, subnets and ranges that are exactly a prefix; nullopt for anything else
  // (FQDN, DN, ragged ranges): INVALID-ID-INFORMATION for the caller.
  static std::optional<TrafficSelector> from_id(const isakmp::IdPayload& id);
  // True when every packet this selector names is also named by `outer`.
  bool within(const TrafficSelector& outer) const;
  std::string str() const;  // "192.0.2.0/24", "192.0.2.1/32 udp/1701"
  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};

}  // namespace ipseckit::ike
