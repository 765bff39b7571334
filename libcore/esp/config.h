// What an SA (one direction of an ESP SA, an AH SA, or a Windows-style AH+ESP bundle) is made
// of: protocols with their SPIs, algorithms (from the policy model) and key material; mode;
// addresses; UDP encapsulation; replay window; lifetimes; and the outer-header choices of
// RFC 4301 §5.1.2 / §8.1.
#pragma once

#include <cstdint>
#include <optional>

#include "base/secure_bytes.h"
#include "esp/lifetime.h"
#include "policy/algorithms.h"
#include "policy/model.h"
#include "wire/ip_address.h"

namespace ipseckit::esp {

enum class Mode : std::uint8_t { transport, tunnel };

// RFC 4301 §8.1: the DF bit of a tunnel's outer IPv4 header.
enum class DfPolicy : std::uint8_t { copy, set, clear };

struct EspParams {
  std::uint32_t spi = 0;
  policy::EspTransform transform;
  SecureBytes keymat;  // encryption key || integrity key (esp_suite(transform).keymat() bytes)
};

struct AhParams {
  std::uint32_t spi = 0;
  policy::Integrity integrity = policy::Integrity::sha1;
  SecureBytes keymat;
};

// RFC 3948: ESP inside UDP. The original addresses come from NAT-OA (RFC 3947 §5.2) and drive
// the transport-mode checksum fix-up of RFC 3948 §3.1.2 on receipt; without them TCP/UDP
// checksums are recomputed from scratch.
struct UdpEncapParams {
  std::uint16_t local_port = 4500;
  std::uint16_t remote_port = 4500;
  std::optional<wire::IpAddr> orig_src;  // the peer's address as it sent the packet (NAT-OAi/r)
  std::optional<wire::IpAddr> orig_dst;  // our address as the peer saw it
};

struct SaConfig {
  Mode mode = Mode::transport;
  std::optional<EspParams> esp;  // at least one of esp/ah; both = AH over ESP (RFC 4301 §4.5)
  std::optional<AhParams> ah;

  // The outer addresses: tunnel endpoints (tunnel mode), or this host and its peer (transport
  // mode, where they are checked against the packet and used by the NAT-T fix-up).
  wire::IpAddr local;
  wire::IpAddr remote;
  std::optional<UdpEncapParams> udp_encap;  // ESP only

  bool esn = false;                     // 64-bit sequence numbers (RFC 4303 §2.2.1, RFC 4304)
  std::uint32_t replay_window = 64;     // inbound: 64..1024, or 0 for none (RFC 4303 §3.4.3)
  LifetimeLimits lifetime;

  // Tunnel-mode outer header (RFC 4301 §5.1.2.1): TTL / hop limit, DF, and DSCP/ECN copied from
  // the inner header (ECN per RFC 6040 normal mode).
  std::uint8_t outer_ttl = 64;
  DfPolicy df = DfPolicy::copy;
  // Outbound path MTU for the outer packet (0 = unknown, no check). A larger result with DF
  // (or an inner IPv6 packet) is refused with TxStatus::too_big; the caller answers with
  // build_icmp_too_big(). Without DF the caller fragments the outer IPv4 packet.
  std::uint32_t path_mtu = 0;
  // Clamp the MSS option of TCP SYNs passing through to this value (0 = off; RFC 6691).
  std::uint16_t clamp_mss = 0;

  // Starting points, for SA hand-over and tests: the next outbound sequence number minus one,
  // and the highest sequence number already seen inbound.
  std::uint64_t seq_start = 0;
  std::uint64_t replay_top = 0;
};

}  // namespace ipseckit::esp
