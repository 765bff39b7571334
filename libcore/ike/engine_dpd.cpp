// Engine: Dead Peer Detection (RFC 3706). Both sides announce the DPD vendor ID in Main Mode
// message 1/2. When a peer with DPD has sent nothing authenticated for dpd_delay, we send an
// R-U-THERE in a protected Informational; each retry carries the next sequence number
// (5.5); after dpd_tries unanswered the peer is declared dead and every SA with it deleted.
//
//   R-U-THERE / R-U-THERE-ACK notify (5.1): protocol ISAKMP, SPI = CKY-I | CKY-R (16 bytes),
//   notification data = 32-bit sequence number
#include <fmt/format.h>

#include "ike/engine.h"

namespace ipseckit::ike {

using isakmp::NotifyType;

namespace {

isakmp::NotifyPayload dpd_notify(const IkeSa& sa, NotifyType type, std::uint32_t seq) {
  isakmp::NotifyPayload n;
  n.protocol = isakmp::ProtocolId::isakmp;
  n.type = type;
  n.spi.assign(sa.cky_i().begin(), sa.cky_i().end());
  n.spi.insert(n.spi.end(), sa.cky_r().begin(), sa.cky_r().end());
  n.data = {static_cast<std::uint8_t>(seq >> 24), static_cast<std::uint8_t>(seq >> 16), static_cast<std::uint8_t>(seq >> 8),
            static_cast<std::uint8_t>(seq)};
  return n;
}

}  // namespace

void Engine::dpd_check(IkeSa& sa, TimePoint now) {
  if (!sa.peer_dpd || sa.state() != SaState::established || m_cfg.dpd_delay.count() <= 0) {
    sa.dpd_next = TimePoint::max();
    return;
  }
  if (sa.dpd_next == TimePoint::max()) sa.dpd_next = sa.last_received + m_cfg.dpd_delay;
  if (now < sa.dpd_next) return;
  if (!sa.dpd_outstanding && now - sa.last_received < m_cfg.dpd_delay) {
    sa.dpd_next = sa.last_received + m_cfg.dpd_delay;  // heard from the peer meanwhile
    return;
  }
  if (sa.dpd_outstanding && sa.dpd_tries >= m_cfg.dpd_tries) {
    const auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - sa.last_received).count();
    const std::string why = fmt::format("the peer {} is dead (DPD): no answer to {} R-U-THERE in {} s", sa.remote().str(),
                                        sa.dpd_tries, silent);
    m_log.emit(log::Level::audit, sa.label(), why + "; deleting every SA with it");
    ++m_stats.dpd_dead;
    std::vector<std::uint64_t> ids;  // same_peer(): not the other hosts behind the peer's NAT
    for (const auto& [id, other] : m_sas)
      if (same_peer(*other, sa) && other->usable()) ids.push_back(id);
    for (const auto id : ids)
      if (auto it = m_sas.find(id); it != m_sas.end()) drop_ike_sa(*it->second, why, false);
    return;
  }
  if (sa.dpd_seq == 0) {
    // 5.6: the first sequence number is random (kept below 2^31 so that it never wraps).
    std::array<std::uint8_t, 4> b{};
    m_env.rng.fill(b);
    sa.dpd_seq = ((std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3]) & 0x7FFFFFFF;
  }
  ++sa.dpd_seq;
  if (!sa.dpd_outstanding) sa.dpd_tries = 0;
  sa.dpd_outstanding = true;
  ++sa.dpd_tries;
  send_informational(sa, {isakmp::make_payload(dpd_notify(sa, NotifyType::dpd_r_u_there, sa.dpd_seq))},
                     fmt::format("R-U-THERE #{}", sa.dpd_seq));
  sa.dpd_next = now + m_cfg.dpd_retry;
}

void Engine::dpd_notified(IkeSa& sa, const isakmp::NotifyPayload& n) {
  // 5.1: the SPI must name this SA's cookies, the data must be the sequence number.
  Bytes cookies(sa.cky_i().begin(), sa.cky_i().end());
  cookies.insert(cookies.end(), sa.cky_r().begin(), sa.cky_r().end());
  if (n.spi != cookies || n.data.size() != 4) {
    m_log.emit(log::Level::diag, sa.label(), fmt::format("{} with a wrong SPI or sequence number ignored", n.type));
    return;
  }
  const std::uint32_t seq = (std::uint32_t{n.data[0]} << 24) | (std::uint32_t{n.data[1]} << 16) |
                            (std::uint32_t{n.data[2]} << 8) | n.data[3];
  if (n.type == NotifyType::dpd_r_u_there) {
    // 5.6: a sequence number that does not move forward is a replay.
    if (sa.dpd_peer_seq && seq <= sa.dpd_peer_seq && sa.dpd_peer_seq - seq < 0x80000000u) {
      m_log.emit(log::Level::diag, sa.label(), fmt::format("R-U-THERE #{} is not newer than #{}; ignored", seq, sa.dpd_peer_seq));
      return;
    }
    sa.dpd_peer_seq = seq;
    send_informational(sa, {isakmp::make_payload(dpd_notify(sa, NotifyType::dpd_r_u_there_ack, seq))},
                       fmt::format("R-U-THERE-ACK #{}", seq));
    return;
  }
  // An ACK for one of the R-U-THEREs still outstanding (the retries used the next numbers).
  if (!sa.dpd_outstanding || seq > sa.dpd_seq || sa.dpd_seq - seq >= sa.dpd_tries) {
    m_log.emit(log::Level::diag, sa.label(), fmt::format("unexpected R-U-THERE-ACK #{} ignored", seq));
    return;
  }
  sa.dpd_outstanding = false;
  sa.dpd_tries = 0;
  sa.dpd_next = m_env.clock.now() + m_cfg.dpd_delay;
}

}  // namespace ipseckit::ike
