// stats/espd (stats.h).
#include "stats.h"

#include <array>
#include <bit>
#include <type_traits>

namespace ipseckit::espd {

namespace {

// a += b for a struct made only of std::uint64_t counters (PathCounters, TunIoCounters): every
// field, including ones added later, is summed.
template <class T>
void add_counters(T& a, const T& b) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) % sizeof(std::uint64_t) == 0);
  constexpr std::size_t n = sizeof(T) / sizeof(std::uint64_t);
  using Words = std::array<std::uint64_t, n>;
  auto x = std::bit_cast<Words>(a);
  const auto y = std::bit_cast<Words>(b);
  for (std::size_t i = 0; i < n; ++i) x[i] += y[i];
  a = std::bit_cast<T>(x);
}

}  // namespace

nlohmann::json stats_json(const SaTable& table, std::span<const Datapath* const> dps, const KeyCounters& keys) {
  const auto t = table.totals();
  PathCounters c;
  TunIoCounters tun;
  std::uint64_t pending = 0, trains = 0;
  esp::Reassembler::Counters f4, f6;  // reassembly before the SPD lookup (fragments.h)
  for (const auto* dp : dps) {
    for (const bool v6 : {false, true}) {
      const auto& r = dp->reassembler(v6).counters();
      auto& f = v6 ? f6 : f4;
      f.fragments += r.fragments, f.reassembled += r.reassembled, f.dropped += r.dropped;
    }
    add_counters(c, dp->counters());
    add_counters(tun, dp->tun_io().counters());
    pending += dp->pending_acquires();
    trains += dp->udp_gso().trains();
  }
  return nlohmann::json{
      // Windows' names, in ipseccmd's order.
      {"Active Assoc", table.size()},
      {"Pending Key", pending},
      {"Key Adds", keys.adds},
      {"Key Deletes", keys.deletes},
      {"ReKeys", keys.rekeys},
      {"Active Tunnels", table.tunnels()},
      {"Bad SPI Pkts", c.bad_spi},
      {"Pkts not Decrypted", t.not_decrypted},
      {"Pkts not Authenticated", t.not_authenticated},
      {"Pkts with Replay Detection", t.replayed},
      {"Confidential Bytes Sent", t.confidential_sent},
      {"Confidential Bytes Received", t.confidential_received},
      {"Authenticated Bytes Sent", t.authenticated_sent},
      {"Authenticated Bytes Received", t.authenticated_received},
      {"Offloaded Bytes Sent", 0},
      {"Offloaded Bytes Received", 0},
      {"Bytes Sent In Tunnels", t.tunnel_sent},
      {"Bytes Received In Tunnels", t.tunnel_received},
      {"Transport Bytes Sent", t.transport_sent},
      {"Transport Bytes Received", t.transport_received},
      // ipseckit's own.
      {"Pkts Sent", t.pkts_sent},
      {"Pkts Received", t.pkts_received},
      {"Pkts Permitted", c.permitted},
      {"Pkts Blocked", c.blocked},
      {"Pkts Held", c.held},
      {"Pkts Dropped without SA", c.no_sa_dropped},
      {"Pkts Held for Unknown SPI", c.early_held},
      {"Acquires", c.acquires},
      {"Malformed Pkts", c.rx_malformed + t.rx_malformed + c.tun_malformed},
      {"Pkts not Matching Selectors", c.selector_mismatch},
      {"IPv6 Link-Scope Pkts Dropped", c.v6_link_scope},
      {"Datagrams Reassembled", f4.reassembled},
      {"Fragments Dropped", f4.dropped},
      {"IPv6 Fragments Received", f6.fragments},
      {"IPv6 Datagrams Reassembled", f6.reassembled},
      {"IPv6 Fragments Dropped", f6.dropped},
      {"Pkts after Hard Lifetime", t.rx_expired},
      {"Send Errors", c.send_errors + t.tx_errors},
      {"NAT Keepalives", c.keepalives},
      {"Bad SA Records", keys.record_errors},
      // TUN offloads (tun_io.h): super-packets read and the segments cut from them, frames
      // written and the packets merged into them, ESP-in-UDP trains sent with UDP_SEGMENT.
      {"TUN Super-Packets Read", tun.super_packets_in},
      {"TUN Segments", tun.segments_in},
      {"TUN Frames Written", tun.frames_out},
      {"TUN Pkts Merged", tun.merged_out},
      {"TUN Errors", tun.write_errors + tun.malformed_in},
      {"UDP GSO Trains", trains},
      {"UDP GRO Trains Received", c.udp_gro_trains},
      {"UDP GSO Trains Split from Raw Socket", c.raw_trains},
      {"IKE Pkts on NAT-T Port", c.ike_on_natt},  // the IKE daemon's, steered here (sys/natt_share.h)
  };
}

}  // namespace ipseckit::espd
