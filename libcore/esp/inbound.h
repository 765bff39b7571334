// The receiving half of an SA (or AH+ESP bundle): unprotect() turns a received outer IP packet
// into the inner packet in place (RFC 4303 §3.4, RFC 4302 §3.4, RFC 3948 §3.1).
//
// Order of checks for each protocol (STYLE.md #12, RFC 4303 §3.4.3):
//   framing -> SPI -> replay window check -> ICV -> advance the window -> decrypt -> padding
// A failure at each step lands in its own counter; the window only moves for authentic packets.
// A bundle is processed outside in: AH first, then ESP, each with its own window.
//
// Input: the whole outer packet as received (IPv4 or IPv6 header first; for ESP-in-UDP the
// UDP header follows it). Outer fragments must be reassembled by the caller. Output: the
// inner IP packet (tunnel mode), or the packet with the ESP/AH (and UDP) layers removed and
// its header patched (transport mode; NAT-T checksums fixed per RFC 3948 §3.1.2).
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "esp/ah_crypto.h"
#include "esp/config.h"
#include "esp/counters.h"
#include "esp/env.h"
#include "esp/esp_crypto.h"
#include "esp/ip_headers.h"
#include "esp/lifetime.h"
#include "esp/packet_buf.h"
#include "esp/replay.h"

namespace ipseckit::esp {

class InboundSa {
 public:
  static Result<InboundSa> create(SaConfig config, SaEnv env);

  RxStatus unprotect(PacketBuf& pkt);
  // The ESP-in-UDP fast path (RFC 3948 §3.1) for tunnel-mode ESP SAs without AH
  // (takes_udp_payload()): `pkt` is the UDP payload as the socket delivered it, from the SPI on;
  // no outer IP/UDP header is rebuilt or parsed (the kernel checked them). Same checks, order
  // and counters as unprotect(); the socket does not report the outer TOS, so, as with a
  // rebuilt header, no ECN is propagated (RFC 6040 "outer not CE").
  RxStatus unprotect_udp_payload(PacketBuf& pkt);
  bool takes_udp_payload() const {
    return m_config.udp_encap && m_esp && !m_ah && m_config.mode == Mode::tunnel;
  }
  bool poll();  // lifetime in seconds without traffic; false once the hard limit is reached

  const RxCounters& counters() const { return m_counters; }
  const SaConfig& config() const { return m_config; }
  const ReplayWindow& esp_window() const { return m_esp_window; }
  const ReplayWindow& ah_window() const { return m_ah_window; }
  bool expired() const { return m_life.expired(); }

 private:
  InboundSa(SaConfig config, SaEnv env, std::optional<EspCrypto> esp, std::optional<AhCrypto> ah);
  RxStatus count(RxStatus s);
  std::uint64_t now() const;
  void fire(EventKind kind, EventCause cause);
  // Each step works on pkt whose IP header(s) span info.header_len bytes and whose current
  // upper layer starts at `at`; on success it leaves the next layer at info.header_len.
  RxStatus strip_ah(PacketBuf& pkt, IpInfo& info, std::uint8_t& next);
  RxStatus strip_esp(PacketBuf& pkt, IpInfo& info, std::size_t at, std::uint8_t& next);
  RxStatus finish(PacketBuf& pkt, IpInfo& info, std::uint8_t next, std::uint8_t outer_tos);

  SaConfig m_config;
  SaEnv m_env;
  std::optional<EspCrypto> m_esp;
  std::optional<AhCrypto> m_ah;
  ReplayWindow m_esp_window;
  ReplayWindow m_ah_window;
  LifetimeTracker m_life;
  RxCounters m_counters;
  std::uint64_t m_now = 0;  // the clock reading of the packet in progress
};

}  // namespace ipseckit::esp
