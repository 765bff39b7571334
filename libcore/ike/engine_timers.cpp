// Engine: time. Retransmission with exponential back-off and a give-up limit, the half-open
// timeout, and lifetimes in seconds (soft expiry: the side that initiated rekeys; hard
// expiry: delete with a notification).
#include <algorithm>

#include <fmt/format.h>

#include "ike/engine.h"
#include "ike/quick_mode.h"

namespace ipseckit::ike {

void Engine::retransmit(IkeSa& sa, TimePoint now) {
  std::vector<std::uint32_t> give_up;
  for (auto& [mid, p] : sa.pending) {
    if (now < p.next) continue;
    if (p.tries >= m_cfg.retransmit.tries) {
      give_up.push_back(mid);
      continue;
    }
    ++p.tries;
    ++m_stats.retransmits;
    send_datagram(sa, p.datagram);
    const auto next = std::chrono::duration_cast<Millis>(p.wait * m_cfg.retransmit.factor);
    p.wait = std::min(next, m_cfg.retransmit.max_wait);
    p.next = now + p.wait;
    m_log.emit(log::Level::diag, sa.label(), fmt::format("retransmitted {} (try {})", p.what, p.tries));
  }
  for (const auto mid : give_up) {
    auto it = sa.pending.find(mid);
    if (it == sa.pending.end()) continue;
    std::string why = fmt::format("no answer to {} from {} after {} retransmissions", it->second.what, sa.remote().str(),
                                  m_cfg.retransmit.tries);
    if (!sa.unauthenticated_notify.empty())
      why += fmt::format("; the peer sent an unauthenticated {}", sa.unauthenticated_notify);
    if (!sa.last_drop.empty()) why += fmt::format("; last message dropped: {}", sa.last_drop);
    sa.pending.erase(it);
    if (mid == 0 && sa.phase1 && !sa.phase1->finished()) {
      sa.phase1->abort();
      ++m_stats.phase1_failed;
      fail_sa(sa, why);
      return;
    }
    if (auto q = sa.quick.find(mid); q != sa.quick.end() && !q->second->finished()) {
      task_failed(sa, *q->second, mid, Step::fail(std::nullopt, why));
      q->second->abort();
    }
  }
}

void Engine::expire_sa(IkeSa& sa, TimePoint now) {
  if (sa.state() == SaState::connecting) {
    // A responder that never saw message 5 (or an initiator stuck without retransmissions).
    if (!sa.initiator() && now - sa.created() >= m_cfg.half_open_timeout) {
      ++m_stats.phase1_failed;
      if (sa.phase1) sa.phase1->abort();
      fail_sa(sa, fmt::format("{} did not complete {} within {} s{}", sa.remote().str(),
                              sa.aggressive ? "Aggressive Mode" : "Main Mode",
                              std::chrono::duration_cast<std::chrono::seconds>(m_cfg.half_open_timeout).count(),
                              sa.last_drop.empty() ? "" : "; last message dropped: " + sa.last_drop));
    }
    return;
  }
  if (!sa.usable()) return;
  if (now >= sa.hard_expiry) {
    drop_ike_sa(sa, "its lifetime expired", true);
    return;
  }
  if (now >= sa.soft_expiry && sa.initiator() && !sa.rekey_started && sa.state() == SaState::established) {
    sa.rekey_started = true;
    m_log.emit(log::Level::control, sa.label(), "lifetime nearly over: rekeying (a new Main Mode)");
    auto id = initiate_phase1(sa.local(), sa.remote());
    if (id)
      if (auto it = m_sas.find(*id); it != m_sas.end()) it->second->replaces = sa.id();
  }
}

void Engine::rekey_child(std::uint64_t id) {
  auto it = m_children.find(id);
  if (it == m_children.end()) return;
  ChildSa& c = it->second;
  c.rekey_started = true;
  m_log.emit(log::Level::control, {}, fmt::format("QM SA #{} lifetime nearly over: rekeying", id));
  QmPolicy pol = c.policy;
  pol.local = c.info.local_ts;
  pol.remote = c.info.remote_ts;
  // Its own IKE SA first: behind a NAT another host's IKE SA may share the address.
  IkeSa* sa = nullptr;
  if (auto p = m_sas.find(c.info.phase1_id); p != m_sas.end() && p->second->usable()) sa = p->second.get();
  if (!sa) sa = usable_sa(c.info.remote.addr);
  if (!sa) {
    auto r = initiate(c.info.local, c.info.remote, std::move(pol));
    if (!r) c.rekey_started = false;
    return;
  }
  const std::uint32_t mid = new_message_id(*sa);
  sa->rekeys[mid] = id;
  auto task = make_quick_mode_initiator(*sa, m_ctx, std::move(pol), mid);
  QuickModeTask& ref = *task;
  sa->quick.emplace(mid, std::move(task));
  run_output(*sa, ref, mid);
}

void Engine::expire_children(TimePoint now) {
  std::vector<std::uint64_t> hard, soft;
  for (const auto& [id, c] : m_children) {
    if (now >= c.hard) hard.push_back(id);
    else if (now >= c.soft && c.info.initiator && !c.rekey_started && !c.replaced) soft.push_back(id);
  }
  for (const auto id : hard) drop_child(id, "its lifetime expired", true);
  for (const auto id : soft) rekey_child(id);
}

void Engine::run_timers() {
  const TimePoint now = m_env.clock.now();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, sa] : m_sas) ids.push_back(id);
  for (const auto id : ids) {
    auto it = m_sas.find(id);
    if (it == m_sas.end()) continue;
    IkeSa& sa = *it->second;
    if (sa.state() == SaState::failed || sa.state() == SaState::deleted) continue;
    retransmit(sa, now);
    if (sa.state() == SaState::failed || sa.state() == SaState::deleted) continue;
    expire_sa(sa, now);
    if (!sa.usable()) continue;
    send_keepalives(sa, now);
    dpd_check(sa, now);
  }
  expire_children(now);
  collect();
}

std::optional<TimePoint> Engine::next_timer() const {
  std::optional<TimePoint> t;
  auto take = [&](TimePoint x) {
    if (x != TimePoint::max() && (!t || x < *t)) t = x;
  };
  for (const auto& [id, sa] : m_sas) {
    for (const auto& [mid, p] : sa->pending) take(p.next);
    if (sa->state() == SaState::connecting && !sa->initiator()) take(sa->created() + m_cfg.half_open_timeout);
    if (sa->usable()) {
      take(sa->next_keepalive);
      take(sa->dpd_next);
      take(sa->hard_expiry);
      if (sa->initiator() && !sa->rekey_started && sa->state() == SaState::established) take(sa->soft_expiry);
    }
  }
  for (const auto& [id, c] : m_children) {
    take(c.hard);
    if (c.info.initiator && !c.rekey_started && !c.replaced) take(c.soft);
  }
  return t;
}

}  // namespace ipseckit::ike
