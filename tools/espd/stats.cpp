// stats/espd (stats.h).
#include "stats.h"

namespace ipseckit::espd {

nlohmann::json stats_json(const SaTable& table, const Datapath& dp, const KeyCounters& keys) {
  const auto t = table.totals();
  const auto& c = dp.counters();
  return nlohmann::json{
      // Windows' names, in ipseccmd's order.
      {"Active Assoc", table.size()},
      {"Pending Key", dp.pending_acquires()},
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
      {"IPv6 Fragments Dropped", c.v6_fragments},
      {"Pkts after Hard Lifetime", t.rx_expired},
      {"Send Errors", c.send_errors + t.tx_errors},
      {"NAT Keepalives", c.keepalives},
      {"Bad SA Records", keys.record_errors},
      // TUN offloads (tun_io.h): super-packets read and the segments cut from them, frames
      // written and the packets merged into them, ESP-in-UDP trains sent with UDP_SEGMENT.
      {"TUN Super-Packets Read", dp.tun_io().counters().super_packets_in},
      {"TUN Segments", dp.tun_io().counters().segments_in},
      {"TUN Frames Written", dp.tun_io().counters().frames_out},
      {"TUN Pkts Merged", dp.tun_io().counters().merged_out},
      {"TUN Errors", dp.tun_io().counters().write_errors + dp.tun_io().counters().malformed_in},
      {"UDP GSO Trains", dp.udp_gso().trains()},
  };
}

}  // namespace ipseckit::espd
