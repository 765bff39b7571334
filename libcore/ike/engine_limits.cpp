// Engine: bounded state for unauthenticated senders. A responder keeps a half-open Main Mode
// from message 1 until message 5; an attacker spoofing source addresses could otherwise
// grow that table without bound. Three mechanisms:
//  - stateless responder cookies (RFC 2408 2.5.3): CKY-R = prf(secret, IP | CKY-I), so a
//    message 3 proves that its sender received our message 2 (return routability). The port
//    is left out: after the NAT-T float (RFC 3947 4) message 5 comes from port 4500, or
//    whatever port the peer's NAT maps it to, and must still be recognised as ours;
//  - a per-source limit on half-open SAs;
//  - an overall limit: when full, a new message 1 evicts a random half-open SA whose peer
//    has not yet returned our cookie (spoofed entries displace only each other; a random
//    victim costs an attacker the whole table's worth of packets to hit one given peer).
#include <algorithm>

#include <fmt/format.h>

#include "crypto/ikev1_keys.h"
#include "crypto/prf.h"
#include "ike/engine.h"

namespace ipseckit::ike {

isakmp::Cookie Engine::responder_cookie(const Endpoint& remote, const isakmp::Cookie& cky_i) const {
  crypto::Prf prf(crypto::PrfAlg::hmac_sha256, crypto::view(m_cookie_secret));
  prf.update(ByteView(remote.addr.bytes().data(), remote.addr.bytes().size()));
  prf.update(ByteView(cky_i.data(), cky_i.size()));
  const SecureBytes out = prf.final();
  isakmp::Cookie c{};
  std::copy_n(out.data(), c.size(), c.begin());
  if (c == isakmp::Cookie{}) c[0] = 1;  // never the "no cookie" value
  return c;
}

bool Engine::admit_half_open(const Endpoint& remote, std::string_view exchange) {
  // Prune: entries that completed, failed or went away.
  std::vector<std::uint64_t> unverified;
  std::size_t from_peer = 0;
  for (auto it = m_half_open.begin(); it != m_half_open.end();) {
    auto sa = m_sas.find(*it);
    if (sa == m_sas.end() || sa->second->state() != SaState::connecting) {
      it = m_half_open.erase(it);
      continue;
    }
    const IkeSa& s = *sa->second;
    if (s.remote().addr == remote.addr) ++from_peer;
    // Still waiting for message 3: the peer has not shown that it receives our packets.
    if (s.phase1 && (s.phase1->expected() == isakmp::MessageKind::main_mode_3 ||
                     s.phase1->expected() == isakmp::MessageKind::aggressive_3))
      unverified.push_back(s.id());
    ++it;
  }
  if (from_peer >= m_cfg.max_half_open_per_peer) {
    ++m_stats.half_open_refused;
    drop(nullptr, "half-open-peer",
         fmt::format("{} from {} refused: {} half-open negotiations from this address already (limit {}); "
                     "the peer retransmits or is flooding",
                     exchange, remote.str(), from_peer, m_cfg.max_half_open_per_peer));
    return false;
  }
  if (m_half_open.size() < m_cfg.max_half_open) return true;
  if (unverified.empty()) {
    ++m_stats.half_open_refused;
    drop(nullptr, "half-open-full",
         fmt::format("{} from {} refused: {} half-open negotiations, all past message 3 (limit {}); raise "
                     "max_half_open if this load is legitimate",
                     exchange, remote.str(), m_half_open.size(), m_cfg.max_half_open));
    return false;
  }
  std::array<std::uint8_t, 4> r{};
  m_env.rng.fill(r);
  const std::uint32_t pick = (std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) | (std::uint32_t{r[2]} << 8) | r[3];
  const std::uint64_t victim = unverified[pick % unverified.size()];
  IkeSa& v = *m_sas.at(victim);
  ++m_stats.half_open_evicted;
  if (v.phase1) v.phase1->abort();
  m_half_open.erase(victim);
  v.set_state(SaState::failed, "evicted: the half-open table is full", m_log);
  m_log.limited("half-open-evict",
                fmt::format("half-open table full ({} entries): evicted an unverified negotiation from {} for one from {} "
                            "(a flood of message 1 is likely; {} evicted so far)",
                            m_cfg.max_half_open, v.remote().str(), remote.str(), m_stats.half_open_evicted));
  // Erase now: the table must not exceed its limit even within one call.
  remove_sa(victim);
  return true;
}

bool Engine::explain_stale_cookie(const Endpoint& remote, const isakmp::Header& h) {
  if ((h.exchange != isakmp::ExchangeType::main_mode && h.exchange != isakmp::ExchangeType::aggressive) ||
      h.responder_cookie == isakmp::Cookie{} ||
      responder_cookie(remote, h.initiator_cookie) != h.responder_cookie)
    return false;
  ++m_stats.stale_cookies;
  drop(nullptr, "stale-cookie",
       fmt::format("Main Mode message from {} carries our cookie but its half-open SA is gone (evicted under load, or "
                   "timed out after {} s); the peer must start again",
                   remote.str(), std::chrono::duration_cast<std::chrono::seconds>(m_cfg.half_open_timeout).count()));
  return true;
}

}  // namespace ipseckit::ike
