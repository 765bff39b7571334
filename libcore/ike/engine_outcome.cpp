// Engine: what happens when an exchange ends: failures (with the notify the peer should get
// and the reason the admin reads), established IKE SAs, installed phase-2 SAs, removal.
#include <fmt/format.h>

#include "ike/engine.h"
#include "ike/phase1_common.h"
#include "ike/quick_mode.h"
#include "ike/quick_mode_common.h"

namespace ipseckit::ike {

void Engine::task_failed(IkeSa& sa, Task& task, std::uint32_t mid, const Step& s, bool peer_can_decrypt) {
  if (&task == sa.phase1.get()) {
    ++m_stats.phase1_failed;
    if (s.notify) {
      if (sa.crypto() && peer_can_decrypt) {
        isakmp::NotifyPayload n;
        n.protocol = isakmp::ProtocolId::isakmp;
        n.type = *s.notify;
        n.spi.assign(sa.cky_i().begin(), sa.cky_i().end());
        n.spi.insert(n.spi.end(), sa.cky_r().begin(), sa.cky_r().end());
        send_informational(sa, {isakmp::make_payload(std::move(n))}, isakmp::to_string(*s.notify));
      } else {
        send_plain_notify(sa.local(), sa.remote(), sa.cky_i(), sa.cky_r(), *s.notify);
      }
    }
    fail_sa(sa, fmt::format("{} failed: {}", task.name(), s.reason));
    return;
  }
  auto it = sa.quick.find(mid);
  if (it == sa.quick.end() || it->second.get() != &task) return;
  QuickModeTask& qm = *it->second;
  ++m_stats.phase2_failed;
  m_log.emit(log::Level::audit, sa.label(), fmt::format("Quick Mode {:08x} ({}) failed: {}", mid, task.name(), s.reason));
  if (s.notify && sa.crypto()) {
    isakmp::NotifyPayload n;
    n.protocol = isakmp::ProtocolId::esp;
    n.type = *s.notify;
    const std::uint32_t spi = qm.peer_spi() ? qm.peer_spi() : (qm.spis().empty() ? 0 : qm.spis().front());
    if (spi) n.spi = spi_bytes(spi);
    send_informational(sa, {isakmp::make_payload(std::move(n))}, isakmp::to_string(*s.notify));
  }
  for (const auto spi : qm.spis()) m_spis.erase(spi);
  sa.pending.erase(mid);
  sa.remember_message_id(mid, m_cfg.remembered_message_ids);
  if (auto r = sa.rekeys.find(mid); r != sa.rekeys.end()) {
    if (auto c = m_children.find(r->second); c != m_children.end()) c->second.rekey_started = false;
    sa.rekeys.erase(r);
  }
}

void Engine::task_done(IkeSa& sa, Task& task, std::uint32_t mid) {
  if (&task == sa.phase1.get()) {
    phase1_established(sa);
    return;
  }
  auto it = sa.quick.find(mid);
  if (it == sa.quick.end() || it->second.get() != &task) return;
  sa.remember_message_id(mid, m_cfg.remembered_message_ids);
  auto& result = it->second->result();
  if (!result) return;
  Phase2Info info = std::move(*result);
  result.reset();
  install_child(sa, std::move(info), it->second->qm_policy());
  if (auto r = sa.rekeys.find(mid); r != sa.rekeys.end()) {
    if (auto c = m_children.find(r->second); c != m_children.end()) {
      c->second.replaced = true;
      m_log.emit(log::Level::control, sa.label(), fmt::format("QM SA #{} rekeyed; it stays until it expires", r->second));
    }
    sa.rekeys.erase(r);
  }
}

void Engine::phase1_established(IkeSa& sa) {
  const auto& r = sa.results();
  const TimePoint now = m_env.clock.now();
  if (!sa.set_state(SaState::established,
                    fmt::format("{} with {} ({}), peer ID {}", sa.initiator() ? "initiated" : "responded",
                                sa.remote().str(), r.attrs ? describe_phase1(*r.attrs) : std::string("?"),
                                r.peer_id ? r.peer_id->str() : std::string("?")),
                    m_log))
    return;
  ++m_stats.phase1_up;
  sa.established_at = now;
  const auto life = std::chrono::seconds(static_cast<std::int64_t>(r.life_seconds));
  sa.hard_expiry = now + life;
  sa.soft_expiry = now + std::chrono::duration_cast<Millis>(life * m_cfg.rekey_fraction);
  sa.last_received = now;
  if (sa.nat_local && sa.local().port == kNatTPort && m_cfg.nat_keepalive.count() > 0)
    sa.next_keepalive = now + m_cfg.nat_keepalive;
  if (sa.peer_dpd && m_cfg.dpd_delay.count() > 0) sa.dpd_next = now + m_cfg.dpd_delay;
  if (m_cb.phase1_up) m_cb.phase1_up(phase1_info(sa));
  if (sa.replaces) {
    if (auto it = m_sas.find(sa.replaces); it != m_sas.end() && it->second->state() == SaState::established)
      it->second->set_state(SaState::replaced, fmt::format("rekeyed by {}", sa.label()), m_log);
  }
  if (r.initial_contact_received) initial_contact(sa);
  auto queued = std::move(sa.queued);
  sa.queued.clear();
  for (auto& q : queued) start_quick_mode(sa, std::move(q));
}

void Engine::install_child(IkeSa& sa, Phase2Info info, const QmPolicy& policy) {
  const TimePoint now = m_env.clock.now();
  info.id = m_next_id++;
  info.phase1_id = sa.id();
  info.local = sa.local();
  info.remote = sa.remote();
  ChildSa c;
  std::uint64_t secs = std::max(info.life_seconds, m_cfg.min_life_seconds);
  if (m_cfg.test_phase2_life_cap_seconds) info.life_seconds = secs = std::min(secs, m_cfg.test_phase2_life_cap_seconds);
  const auto life = std::chrono::seconds(static_cast<std::int64_t>(secs));
  c.hard = now + life;
  c.soft = now + std::chrono::duration_cast<Millis>(life * m_cfg.rekey_fraction);
  c.policy = policy;
  ++m_stats.phase2_up;
  m_log.emit(log::Level::control, sa.label(), fmt::format("QM SA #{} established: {}", info.id, info.describe()));
  auto& stored = m_children.emplace(info.id, std::move(c)).first->second;
  stored.info = std::move(info);
  if (m_cb.phase2_up) m_cb.phase2_up(stored.info);
}

void Engine::fail_sa(IkeSa& sa, std::string reason) {
  const bool was_usable = sa.usable();
  if (!sa.set_state(SaState::failed, reason, m_log)) return;
  if (!sa.queued.empty())
    m_log.emit(log::Level::audit, sa.label(),
               fmt::format("{} queued Quick Mode{} abandoned", sa.queued.size(), sa.queued.size() == 1 ? "" : "s"));
  sa.queued.clear();
  if (was_usable && m_cb.phase1_down) m_cb.phase1_down(phase1_info(sa), sa.failure());
  m_doomed.push_back(sa.id());
}

void Engine::remove_sa(std::uint64_t id) {
  auto it = m_sas.find(id);
  if (it == m_sas.end()) return;
  IkeSa& sa = *it->second;
  for (const auto& [mid, t] : sa.quick)
    if (!t->finished())
      for (const auto spi : t->spis()) m_spis.erase(spi);
  for (auto k = m_by_cookies.begin(); k != m_by_cookies.end();)
    k = k->second == id ? m_by_cookies.erase(k) : std::next(k);
  m_half_open.erase(id);
  m_sas.erase(it);
}

void Engine::collect() {
  for (auto& [id, sa] : m_sas)
    for (auto q = sa->quick.begin(); q != sa->quick.end();)
      q = q->second->finished() ? sa->quick.erase(q) : std::next(q);
  auto doomed = std::move(m_doomed);
  m_doomed.clear();
  for (const auto id : doomed) remove_sa(id);
}

}  // namespace ipseckit::ike
