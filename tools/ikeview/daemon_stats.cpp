// stats/ikeview: the daemon's counters, written every 2 s when they change and once more at
// shutdown. Names follow ipseccmd's "IKE Statistics" (windows-cli.md §1.10) where the engine
// has the same quantity; the rest are ours, in the same style. No key material.
#include <fmt/format.h>

#include "ikeview/daemon.h"

namespace ipseckit::ikeview {

void Daemon::publish_stats(bool force) {
  if (!m_engine) return;
  const auto& s = m_engine->stats();
  std::uint64_t active_acquire = 0;
  for (const auto& [key, r] : m_requests)
    if (r.acquire && !r.done) ++active_acquire;
  store::Json j = {
      {"Main Modes", s.phase1_up},
      {"Quick Modes", s.phase2_up},
      {"Active Acquire", active_acquire},
      {"Total Acquire", m_acquires},
      {"Negotiation Failures", s.phase1_failed + s.phase2_failed},
      {"Invalid Cookies Rcvd", s.unknown_sa},
      {"IsadbListSize", m_engine->ike_sas().size()},
      {"Active Quick Modes", m_engine->child_sas().size()},
      {"Pkts Received", s.received},
      {"Malformed Pkts", s.malformed},
      {"Out of State Pkts", s.out_of_order},
      {"Replayed Pkts", s.replays},
      {"Bad Hash Pkts", s.bad_hash},
      {"Retransmissions", s.retransmits},
      {"Half-open Refused", s.half_open_refused},
      {"Dead Peers", s.dpd_dead},
      {"ESP Pkts on NAT-T Port", m_esp_on_natt},
      {"NAT Keepalives Received", m_keepalives},
  };
  if (!force && j == m_last_stats) return;
  if (auto r = m_client.put("stats/ikeview", j); !r)
    log::msg(log::Subsys::store, log::Level::audit, "stats/ikeview: {}", r.error().message);
  m_last_stats = std::move(j);
}

}  // namespace ipseckit::ikeview
