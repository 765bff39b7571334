// The Identification payload with the IPsec DOI's layout (RFC 2407 4.6.2): phase-1 identities
// (address, FQDN, USER_FQDN, DER_ASN1_DN) and phase-2 client IDs (address, subnet, range with
// protocol and port).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"
#include "wire/isakmp_types.h"

namespace ipseckit::wire::isakmp {

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Next Payload !   RESERVED    !        Payload Length         !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !   ID Type     !  Protocol ID  !             Port              !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                     Identification Data                       ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct IdPayload {
  IdType type = IdType::ipv4_addr;
  std::uint8_t protocol = 0;  // IP protocol; 0 = any (RFC 2407 4.6.2)
  std::uint16_t port = 0;     // 0 = any
  Bytes data;                 // as sent; the accessors below give it meaning

  static IdPayload address(const IpAddr& a, std::uint8_t protocol = 0, std::uint16_t port = 0);
  static IdPayload subnet(const IpPrefix& p, std::uint8_t protocol = 0, std::uint16_t port = 0);
  static IdPayload range(const IpAddr& first, const IpAddr& last, std::uint8_t protocol = 0,
                         std::uint16_t port = 0);
  static IdPayload fqdn(std::string_view name);
  static IdPayload user_fqdn(std::string_view name);
  static IdPayload der_dn(ByteView der);

  // ID_IPV4_ADDR / ID_IPV6_ADDR.
  std::optional<IpAddr> as_address() const;
  // ID_IPV*_ADDR_SUBNET with a contiguous mask (host bits of the address are cleared), or a
  // single address as a host prefix.
  std::optional<IpPrefix> as_subnet() const;
  // ID_IPV*_ADDR_RANGE: first and last address.
  std::optional<std::pair<IpAddr, IpAddr>> as_range() const;
  // ID_FQDN / ID_USER_FQDN text.
  std::optional<std::string_view> as_text() const;
  // "ID_IPV4_ADDR 192.0.2.1", "ID_IPV4_ADDR_SUBNET 192.0.2.0/24 udp/1701", "ID_FQDN gw.example",
  // "ID_DER_ASN1_DN (58 bytes)".
  std::string str() const;

  friend bool operator==(const IdPayload&, const IdPayload&) = default;
};

// Address types must carry exactly their size (4, 8, 16, 32 bytes) and subnets a contiguous
// mask; violations are INVALID-ID-INFORMATION (RFC 2407 4.6.2, RFC 2408 5.6). Other types
// are kept as bytes.
Result<IdPayload> parse_id(ByteView body);
void write_id(ByteWriter& w, const IdPayload& id);

}  // namespace ipseckit::wire::isakmp
