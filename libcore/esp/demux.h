// Inbound demultiplexing for the caller that owns the SA table: what a received IP packet
// carries, and the SPI to look the SA up by (RFC 4301 §4.1: SPI + protocol, plus destination).
// A packet whose SPI has no SA is the caller's "Bad SPI" (counted there, not in an SA).
//
// Also: the RFC 3948 §3.1.2 transport-mode checksum fix-up after NAT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.h"
#include "base/result.h"
#include "esp/ip_headers.h"
#include "wire/ip_address.h"

namespace ipseckit::esp {

enum class Carrier : std::uint8_t {
  esp,            // IP protocol 50
  ah,             // IP protocol 51
  esp_in_udp,     // RFC 3948 ESP on the NAT-T port
  ike_in_udp,     // non-ESP marker + IKE: for the IKE daemon
  nat_keepalive,  // RFC 3948 §2.3: drop silently
  other,          // not IPsec
};

struct Demuxed {
  Carrier carrier = Carrier::other;
  std::uint32_t spi = 0;
  wire::IpAddr src, dst;
  std::size_t offset = 0;  // where the AH/ESP header (or the UDP data) starts
};

// Fails (code "malformed") on a packet that is not well-formed IPv4/IPv6, on an IPsec packet
// too short for its SPI, and on outer fragments (reassemble first).
Result<Demuxed> demux_inbound(ByteView packet, std::uint16_t natt_port = 4500);

// RFC 3948 §3.1.2: after transport-mode decapsulation of ESP-in-UDP, the TCP/UDP checksum was
// computed by the peer over its original addresses (NAT-OA). With both originals known the
// checksum is updated incrementally (RFC 1624) to the addresses now in the header; otherwise
// it is recomputed. A zero UDP checksum over IPv4 stays zero. Returns false if the packet is
// not TCP/UDP or is a fragment (nothing changed).
bool fixup_transport_checksum(std::span<std::uint8_t> packet, const IpInfo& info,
                              const std::optional<wire::IpAddr>& orig_src,
                              const std::optional<wire::IpAddr>& orig_dst);

}  // namespace ipseckit::esp
