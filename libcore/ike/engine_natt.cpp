// Engine: NAT traversal after phase 1 (RFC 3947 4, RFC 3948 2.3/4): following the peer's
// NAT mapping, and the keepalives that keep our own NAT mapping open.
#include <fmt/format.h>

#include "ike/engine.h"

namespace ipseckit::ike {

void Engine::follow_peer(IkeSa& sa) {
  if (sa.nat_t == NatTVariant::none || m_rx_local.port != kNatTPort) return;
  if (sa.local() == m_rx_local && sa.remote() == m_rx_remote) return;
  m_log.emit(log::Level::control, sa.label(),
             fmt::format("NAT-T: peer now at {} (was {}), we answer from {}", m_rx_remote.str(), sa.remote().str(),
                         m_rx_local.str()));
  sa.set_local(m_rx_local);
  sa.set_remote(m_rx_remote);
  for (auto& [id, c] : m_children)
    if (c.info.phase1_id == sa.id()) {
      c.info.local = m_rx_local;
      c.info.remote = m_rx_remote;
      if (m_cb.phase2_moved) m_cb.phase2_moved(c.info);
    }
}

void Engine::send_keepalives(IkeSa& sa, TimePoint now) {
  if (!sa.nat_local || sa.local().port != kNatTPort || m_cfg.nat_keepalive.count() <= 0) {
    sa.next_keepalive = TimePoint::max();
    return;
  }
  if (sa.next_keepalive == TimePoint::max()) {
    sa.next_keepalive = now + m_cfg.nat_keepalive;
    return;
  }
  if (now < sa.next_keepalive) return;
  // RFC 3948 2.3: one 0xFF byte, no non-ESP marker.
  static constexpr std::uint8_t kKeepalive[1] = {0xFF};
  m_env.transport.send(sa.local(), sa.remote(), ByteView(kKeepalive, 1));
  sa.next_keepalive = now + m_cfg.nat_keepalive;
}

}  // namespace ipseckit::ike
