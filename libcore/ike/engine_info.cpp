// Engine: Informational exchanges (RFC 2409 5.7, RFC 2408 4.8) and deletes. A protected
// Informational is acted upon only after its HASH(1) verified; plaintext ones are logged and
// dropped (CVE-2019-10155).
#include <algorithm>

#include <fmt/format.h>

#include "crypto/random.h"
#include "ike/engine.h"
#include "ike/phase1_common.h"
#include "ike/quick_mode.h"
#include "ike/quick_mode_common.h"

namespace ipseckit::ike {

using isakmp::NotifyType;
using isakmp::PayloadType;
using isakmp::ProtocolId;

void Engine::handle_informational(IkeSa& sa, const isakmp::Message& m) {
  const auto& h = m.header;
  if (!h.encrypted()) {
    ++m_stats.unauthenticated;
    std::string what;
    for (const auto& p : m.payloads) {
      if (const auto* n = p.as<isakmp::NotifyPayload>()) what += (what.empty() ? "" : ", ") + isakmp::to_string(n->type);
      if (p.type == PayloadType::del) what += what.empty() ? "DELETE" : ", DELETE";
    }
    if (!what.empty()) sa.unauthenticated_notify = what;
    drop(&sa, "unauthenticated",
         fmt::format("unauthenticated Informational from {} ({}) logged and ignored", sa.remote().str(),
                     what.empty() ? "no notify" : what));
    return;
  }
  Phase1Crypto* c = sa.crypto();
  if (!c || h.message_id == 0) {
    drop(&sa, "unauthenticated", "encrypted Informational before the keys exist dropped");
    return;
  }
  if (sa.message_id_used(h.message_id)) {
    ++m_stats.replays;
    drop(&sa, "replay", fmt::format("Informational with used message id {:08x} dropped (replay)", h.message_id));
    return;
  }
  const crypto::IvChain chain = c->keys().phase2_iv(h.message_id);
  auto ps = c->decrypt(h.next_payload, m.ciphertext, chain.iv());
  if (!ps) {
    ++m_stats.bad_hash;
    drop(&sa, "undecryptable", fmt::format("Informational does not decrypt ({}); dropped", ps.error().message));
    return;
  }
  if (auto st = isakmp::validate(isakmp::rules_for(isakmp::MessageKind::informational), h, *ps); !st) {
    ++m_stats.malformed;
    drop(&sa, "rules", fmt::format("Informational refused: {}", st.error().message));
    return;
  }
  auto rest = after_hash(*ps);
  const auto* hash = ps->front().as<isakmp::HashPayload>();
  // RFC 2409 5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D); nothing is acted upon before it verifies.
  if (!rest || !hash || !crypto::equal_ct(c->keys().informational_hash(h.message_id, *rest), hash->data)) {
    ++m_stats.bad_hash;
    drop(&sa, "bad-hash", "Informational with a HASH(1) that does not verify dropped");
    return;
  }
  sa.remember_message_id(h.message_id, m_cfg.remembered_message_ids);
  sa.last_received = m_env.clock.now();
  follow_peer(sa);
  for (const auto& p : *ps) {
    if (const auto* d = p.as<isakmp::DeletePayload>()) peer_deleted(sa, *d);
    if (const auto* n = p.as<isakmp::NotifyPayload>()) peer_notified(sa, *n);
    if (sa.state() == SaState::deleted) break;
  }
}

void Engine::peer_deleted(IkeSa& sa, const isakmp::DeletePayload& d) {
  if (d.protocol == ProtocolId::isakmp) {
    for (const auto& spi : d.spis) {
      if (spi.size() != 16) continue;
      isakmp::Cookie ci{}, cr{};
      std::copy_n(spi.begin(), 8, ci.begin());
      std::copy_n(spi.begin() + 8, 8, cr.begin());
      IkeSa* target = find(ci, cr);
      // Only an SA with the same peer may be deleted through this one.
      if (!target || target->remote().addr != sa.remote().addr) {
        m_log.emit(log::Level::diag, sa.label(), "peer deleted an IKE SA we do not know");
        continue;
      }
      drop_ike_sa(*target, "deleted by the peer", false);
    }
    return;
  }
  if (d.protocol != ProtocolId::esp && d.protocol != ProtocolId::ah) return;
  for (const auto& spi_b : d.spis) {
    const std::uint32_t spi = spi_value(spi_b);
    std::uint64_t hit = 0;
    for (const auto& [id, c] : m_children) {
      if (c.info.remote.addr != sa.remote().addr) continue;
      for (const auto& p : c.info.protos)
        if (p.protocol == d.protocol && (p.spi_out == spi || p.spi_in == spi)) hit = id;
    }
    if (hit) drop_child(hit, "deleted by the peer", false);
    else m_log.emit(log::Level::diag, sa.label(), fmt::format("peer deleted unknown {} SPI {:08x}", d.protocol, spi));
  }
}

void Engine::peer_notified(IkeSa& sa, const isakmp::NotifyPayload& n) {
  if (n.type == NotifyType::dpd_r_u_there || n.type == NotifyType::dpd_r_u_there_ack) {
    dpd_notified(sa, n);
    return;
  }
  if (n.type == NotifyType::initial_contact) {
    initial_contact(sa);
    return;
  }
  if (isakmp::is_error(n.type) && n.protocol == ProtocolId::isakmp && n.spi.size() == 16 &&
      std::equal(sa.cky_i().begin(), sa.cky_i().end(), n.spi.begin()) &&
      std::equal(sa.cky_r().begin(), sa.cky_r().end(), n.spi.begin() + 8)) {
    // An authenticated error about this IKE SA itself: the peer refused our message 5/6
    // (our certificate, our ID). The SA is of no use to either side.
    const std::string why = fmt::format("the peer refused phase 1 with {}", n.type);
    m_log.emit(log::Level::audit, sa.label(), why);
    if (sa.state() == SaState::connecting) {
      if (sa.phase1) sa.phase1->abort();
      sa.pending.erase(0);
      ++m_stats.phase1_failed;
      fail_sa(sa, why);
    } else {
      drop_ike_sa(sa, why, false);
    }
    return;
  }
  if (isakmp::is_error(n.type)) {
    // An error about one of our Quick Modes names its SPI (or the peer's view of it).
    const std::uint32_t spi = spi_value(n.spi);
    for (auto& [mid, t] : sa.quick) {
      if (t->finished() || !(t->owns_spi(spi) || (spi == 0 && sa.quick.size() == 1))) continue;
      task_failed(sa, *t, mid, Step::fail(std::nullopt, fmt::format("the peer refused it with {}", n.type)));
      t->abort();
      return;
    }
    m_log.emit(log::Level::audit, sa.label(), fmt::format("peer reports {}", n.type));
    return;
  }
  m_log.emit(log::Level::diag, sa.label(), fmt::format("peer sent notify {}", n.type));
}

void Engine::initial_contact(IkeSa& sa) {
  // RFC 2407 4.6.3.3: the peer has no other SA with us (it restarted): ours are stale. Only
  // SAs established before this one began are old: Main Modes with the same address that
  // began or finished meanwhile are negotiations running in parallel (strongSwan starting
  // several connections at once sends INITIAL-CONTACT in each); a half-open one left from
  // before a restart times out by itself. "The peer" is same_peer() (ike_sa.h): behind a NAT
  // not every host behind the NAT's address, but the one with this mapping and identity, so
  // a second L2TP/IPsec client behind the same NAT does not delete the first one's SAs.
  std::vector<std::uint64_t> old;
  for (const auto& [id, other] : m_sas)
    if (id != sa.id() && same_peer(*other, sa) && other->usable() && other->established_at < sa.created())
      old.push_back(id);
  std::vector<std::uint64_t> children;
  for (const auto& [id, c] : m_children) {
    if (c.info.phase1_id == sa.id()) continue;
    if (auto p = m_sas.find(c.info.phase1_id); p != m_sas.end()) {
      if (std::find(old.begin(), old.end(), c.info.phase1_id) != old.end()) children.push_back(id);
    } else if (c.info.remote.addr == sa.remote().addr && (!sa.nat_remote || c.info.remote.port == sa.remote().port)) {
      children.push_back(id);  // its IKE SA is gone: the endpoint names the peer
    }
  }
  if (old.empty() && children.empty()) {
    std::size_t kept = 0;
    for (const auto& [id, other] : m_sas) kept += id != sa.id() && other->usable() && other->remote().addr == sa.remote().addr;
    if (kept)
      m_log.emit(log::Level::control, sa.label(),
                 fmt::format("INITIAL-CONTACT from {}: its {} other IKE SA(s) with {} are other hosts behind its NAT: kept",
                             sa.remote().str(), kept, sa.remote().addr.str()));
    return;
  }
  m_log.emit(log::Level::control, sa.label(),
             fmt::format("INITIAL-CONTACT from {}: removing {} old IKE SA(s) and {} phase-2 SA(s)", sa.remote().addr.str(),
                         old.size(), children.size()));
  for (const auto id : children) drop_child(id, "the peer sent INITIAL-CONTACT (it restarted)", false);
  for (const auto id : old)
    if (auto it = m_sas.find(id); it != m_sas.end()) drop_ike_sa(*it->second, "the peer sent INITIAL-CONTACT (it restarted)", false);
}

void Engine::drop_child(std::uint64_t id, std::string_view reason, bool notify_peer) {
  auto it = m_children.find(id);
  if (it == m_children.end()) return;
  ChildSa c = std::move(it->second);
  m_children.erase(it);
  if (notify_peer) {
    IkeSa* via = nullptr;
    if (auto s = m_sas.find(c.info.phase1_id); s != m_sas.end() && s->second->usable()) via = s->second.get();
    if (!via) via = usable_sa(c.info.remote.addr);
    if (via) {
      for (const auto& p : c.info.protos) {
        // RFC 2408 3.15: the SPIs we receive on, so that the peer drops its outbound SA.
        isakmp::DeletePayload d;
        d.protocol = p.protocol;
        d.spi_size = 4;
        d.spis.push_back(spi_bytes(p.spi_in));
        send_informational(*via, {isakmp::make_payload(std::move(d))}, fmt::format("DELETE QM SA #{}", id));
      }
    }
  }
  for (const auto& p : c.info.protos) m_spis.erase(p.spi_in);
  m_log.emit(log::Level::control, {}, fmt::format("QM SA #{} deleted: {}", id, reason));
  if (m_cb.phase2_down) m_cb.phase2_down(c.info, reason);
}

void Engine::drop_ike_sa(IkeSa& sa, std::string_view reason, bool notify_peer) {
  if (sa.state() == SaState::deleted || sa.state() == SaState::failed) return;
  const bool was_usable = sa.usable();
  // Phase-2 SAs move to a newer IKE SA with the same peer, or go with this one.
  IkeSa* heir = nullptr;
  for (auto& [id, other] : m_sas)
    if (id != sa.id() && same_peer(*other, sa) && other->state() == SaState::established) heir = other.get();
  std::vector<std::uint64_t> orphans;
  for (auto& [id, c] : m_children) {
    if (c.info.phase1_id != sa.id()) continue;
    if (heir) c.info.phase1_id = heir->id();
    else orphans.push_back(id);
  }
  for (const auto id : orphans) drop_child(id, fmt::format("its IKE SA was {}", reason), notify_peer);
  if (notify_peer && was_usable) {
    isakmp::DeletePayload d;
    d.protocol = ProtocolId::isakmp;
    d.spi_size = 16;
    Bytes spi(sa.cky_i().begin(), sa.cky_i().end());
    spi.insert(spi.end(), sa.cky_r().begin(), sa.cky_r().end());
    d.spis.push_back(std::move(spi));
    send_informational(sa, {isakmp::make_payload(std::move(d))}, "DELETE IKE SA");
  }
  sa.set_state(SaState::deleted, std::string(reason), m_log);
  if (was_usable && m_cb.phase1_down) m_cb.phase1_down(phase1_info(sa), reason);
  m_doomed.push_back(sa.id());
}

Status Engine::delete_phase2(std::uint64_t id, std::string_view reason) {
  if (!m_children.count(id)) return Error::make("not_found", fmt::format("no QM SA #{}", id));
  drop_child(id, reason, true);
  collect();
  return {};
}

Status Engine::delete_phase1(std::uint64_t id, std::string_view reason) {
  auto it = m_sas.find(id);
  if (it == m_sas.end()) return Error::make("not_found", fmt::format("no IKE SA #{}", id));
  if (it->second->state() == SaState::connecting) fail_sa(*it->second, std::string(reason));
  else drop_ike_sa(*it->second, reason, true);
  collect();
  return {};
}

void Engine::note_traffic(std::uint64_t child_id, std::uint64_t total_bytes) {
  auto it = m_children.find(child_id);
  if (it == m_children.end()) return;
  it->second.bytes = total_bytes;
  const std::uint64_t kb = it->second.info.life_kilobytes;
  if (!kb) return;
  const TimePoint now = m_env.clock.now();
  if (total_bytes / 1024 >= kb) it->second.hard = now;
  else if (static_cast<double>(total_bytes) / 1024.0 >= static_cast<double>(kb) * m_cfg.rekey_fraction)
    it->second.soft = std::min(it->second.soft, now);
  run_timers();
}

void Engine::data_plane_expired(std::uint64_t child_id, bool hard) {
  auto it = m_children.find(child_id);
  if (it == m_children.end()) return;
  const TimePoint now = m_env.clock.now();
  if (hard) it->second.hard = now;
  else it->second.soft = std::min(it->second.soft, now);
  run_timers();
}

}  // namespace ipseckit::ike
