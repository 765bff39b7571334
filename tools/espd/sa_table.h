// espd's SA table: the SAs of the store's esp/sa/ records as live InboundSa/OutboundSa objects,
// found by SPI on receipt (RFC 4301 §4.1) and by the packet and its SPD filter on sending
// (RFC 4301 §4.4.2: the SAD entry whose selectors cover the packet). Counters of removed SAs
// are kept in the totals so statistics never go backwards.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "esp/inbound.h"
#include "esp/outbound.h"
#include "esp/sa_record.h"
#include "policy/spd_types.h"
#include "wire/ip_packet.h"

namespace ipseckit::espd {

// With espd --workers N, several worker threads may use one SA at once: protect(),
// unprotect() and expired() take the SA's lock (sequence numbers stay unique and increasing,
// the anti-replay window and ESN move under it, counters and lifetimes add up). config() and
// meta never change after install. The table itself changes only while every worker is
// paused (daemon_impl.h), so entries found by lookups stay valid for a worker's batch.
struct OutEntry {
  OutEntry(esp::OutboundSa s, esp::SaMeta m) : sa(std::move(s)), meta(std::move(m)) {}
  esp::TxResult protect(esp::PacketBuf& pkt) {
    std::lock_guard g(mu);
    return sa.protect(pkt);
  }
  bool expired() const {
    std::lock_guard g(mu);
    return sa.expired();
  }
  esp::OutboundSa sa;
  esp::SaMeta meta;
  mutable std::mutex mu;
};
struct InEntry {
  InEntry(esp::InboundSa s, esp::SaMeta m) : sa(std::move(s)), meta(std::move(m)) {}
  esp::RxStatus unprotect(esp::PacketBuf& pkt) {
    std::lock_guard g(mu);
    return sa.unprotect(pkt);
  }
  esp::RxStatus unprotect_udp_payload(esp::PacketBuf& pkt) {  // ESP-in-UDP fast path (esp/inbound.h)
    std::lock_guard g(mu);
    return sa.unprotect_udp_payload(pkt);
  }
  esp::InboundSa sa;
  esp::SaMeta meta;
  mutable std::mutex mu;
};

// Byte and error totals by Windows' statistics categories.
struct SaTotals {
  std::uint64_t confidential_sent = 0, confidential_received = 0;
  std::uint64_t authenticated_sent = 0, authenticated_received = 0;
  std::uint64_t tunnel_sent = 0, tunnel_received = 0, transport_sent = 0, transport_received = 0;
  std::uint64_t not_decrypted = 0, not_authenticated = 0, replayed = 0, rx_malformed = 0, rx_expired = 0;
  std::uint64_t tx_errors = 0;
  std::uint64_t pkts_sent = 0, pkts_received = 0;
};

class SaTable {
 public:
  explicit SaTable(esp::SaEnv env) : m_env(std::move(env)) {}

  // Builds and installs the SA of a decoded record (replacing one with the same record SPI).
  Status install(esp::SaRecord rec);
  // Removes the SA whose record SPI is `spi`; false if none.
  bool remove(std::uint32_t spi);

  // The inbound SA for a received packet's outermost SPI (the AH SPI of a bundle).
  InEntry* inbound(std::uint32_t wire_spi, bool ah);
  // The newest outbound SA that may carry the packet classified to `filter` (may be null);
  // `mapped`: the NAT-T port of a translated flow (port_map.h, encap_rank()).
  OutEntry* outbound(const wire::FiveTuple& t, const policy::SpdFilter* filter, const policy::CompiledSpd* spd,
                     std::optional<std::uint16_t> mapped = std::nullopt);

  // Inbound SAs get at least this anti-replay window (RFC 4303 §3.4.3: the receiver's
  // choice). espd --workers N sends one SA's packets from N threads, each batching a train
  // before it leaves, so they arrive reordered by up to a few trains: more than 64.
  void set_min_replay_window(std::uint32_t w) { m_min_window = w; }

  std::size_t size() const { return m_out.size() + m_in.size(); }
  std::size_t tunnels() const;
  SaTotals totals() const;
  // Destinations the outbound SAs protect (their remote selectors, or the peer in transport mode).
  std::vector<wire::IpPrefix> outbound_destinations() const;
  // Lifetime tick (seconds limits without traffic).
  void poll();

 private:
  void retire(const esp::SaConfig& c, const esp::RxCounters* rx, const esp::TxCounters* tx);
  esp::SaEnv m_env;
  std::map<std::uint32_t, std::unique_ptr<OutEntry>> m_out;  // by record SPI
  std::map<std::uint32_t, std::unique_ptr<InEntry>> m_in;    // by record SPI
  std::map<std::uint32_t, std::uint32_t> m_in_esp, m_in_ah;  // wire SPI -> record SPI
  SaTotals m_retired;
  std::uint32_t m_min_window = 0;
};

// Whether a packet's five-tuple is inside an SA's selectors; `outbound` says which side of
// the packet is local. No selectors: true.
bool selectors_match(const std::optional<esp::SaSelectors>& sel, const wire::FiveTuple& t, bool outbound);

}  // namespace ipseckit::espd
