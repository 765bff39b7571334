// The sending half of an SA (or of an AH+ESP bundle): protect() turns an inner IP packet into
// the outer packet in place (RFC 4303 §3.3, RFC 4302 §3.3, RFC 3948 §2).
//
// Usage, with no allocation per packet:
//   std::array<std::uint8_t, esp::kHeadroom + 1500 + esp::kTailroom> buf;
//   read the inner packet to buf[kHeadroom ...];
//   esp::PacketBuf pkt(buf, esp::kHeadroom, n);
//   auto r = sa.protect(pkt);          // pkt now holds the outer IPv4/IPv6 packet
//   if (r.status == TxStatus::ok) send pkt.view() (a UDP socket sends from r.l4_offset + 8)
//   if (r.status == TxStatus::too_big) build_icmp_too_big(..., sa.max_inner_size(...)) ...
//
// Tunnel mode: the whole inner packet is the payload; a new outer header (config local ->
// remote) is built. Transport mode: the packet's own header stays in front (IPv6 extension
// headers that must precede ESP/AH stay too) and only its upper layer is protected.
// Bundles put AH outside ESP: IP | AH | ESP | payload (RFC 4301 §4.5, Windows AH+ESP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/result.h"
#include "esp/ah_crypto.h"
#include "esp/config.h"
#include "esp/counters.h"
#include "esp/env.h"
#include "esp/esp_crypto.h"
#include "esp/lifetime.h"
#include "esp/packet_buf.h"

namespace ipseckit::esp {

struct TxResult {
  TxStatus status = TxStatus::ok;
  std::size_t l4_offset = 0;  // where the UDP, AH or ESP header starts in the outer packet
};

class OutboundSa {
 public:
  // Validates the configuration (suites, key lengths, addresses for tunnel mode, no UDP
  // encapsulation of AH) and builds the crypto contexts. env.rng is required for CBC ciphers
  // and for tunnel mode over IPv4: two bytes are drawn at creation to start the outer IPv4 ID
  // counter, then one IV per CBC packet. GCM/GMAC IVs are the 64-bit sequence number.
  static Result<OutboundSa> create(SaConfig config, SaEnv env);

  TxResult protect(PacketBuf& pkt);
  // Lifetime in seconds without traffic (a timer tick). False once the hard limit is reached.
  bool poll();

  // Bytes the outer packet will have for an inner packet of inner_len bytes.
  std::size_t outer_size(std::size_t inner_len, std::size_t inner_header_len) const;
  // The largest inner packet (with a header of inner_header_len bytes: 20 for IPv4, 40 for
  // IPv6) whose outer packet fits in mtu bytes: the MTU to report in ICMP "too big".
  std::size_t max_inner_size(std::size_t mtu, std::size_t inner_header_len) const;

  const TxCounters& counters() const { return m_counters; }
  const SaConfig& config() const { return m_config; }
  std::uint64_t last_seq() const { return m_seq; }
  bool expired() const { return m_life.expired(); }

 private:
  OutboundSa(SaConfig config, SaEnv env, std::optional<EspCrypto> esp, std::optional<AhCrypto> ah);
  TxResult fail(TxStatus s);
  bool next_seq(std::uint64_t& seq);
  std::uint64_t now() const;
  void fire(EventKind kind, EventCause cause);
  std::size_t front_bytes(bool outer_v6) const;  // UDP + AH + ESP header + IV

  SaConfig m_config;
  SaEnv m_env;
  std::optional<EspCrypto> m_esp;
  std::optional<AhCrypto> m_ah;
  LifetimeTracker m_life;
  std::uint64_t m_seq;
  std::uint16_t m_ip_id = 0;
  TxCounters m_counters;
};

}  // namespace ipseckit::esp
