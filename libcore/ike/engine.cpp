// Engine: construction, the SA registry and the initiator API.
#include "ike/engine.h"

#include <algorithm>

#include <fmt/format.h>

#include "ike/aggressive_mode.h"
#include "ike/main_mode.h"
#include "ike/phase1_common.h"
#include "ike/quick_mode.h"

namespace ipseckit::ike {

Engine::Engine(EngineConfig cfg, EngineEnv env, Callbacks callbacks)
    : m_cfg(std::move(cfg)),
      m_env(env),
      m_cb(std::move(callbacks)),
      m_log(m_cb, m_env.clock, m_cfg.log_rate_limit),
      m_ctx{m_cfg, m_env.rng, m_env.dh, m_env.secrets, m_env.policy, m_env.clock, m_log, [this] { return new_spi(); }, m_env.credentials},
      m_cookie_secret(m_env.rng.bytes(32)) {}

Engine::~Engine() = default;

IkeSa* Engine::find(const isakmp::Cookie& ci, const isakmp::Cookie& cr) {
  const auto it = m_by_cookies.find({ci, cr});
  if (it == m_by_cookies.end()) return nullptr;
  const auto sa = m_sas.find(it->second);
  return sa == m_sas.end() ? nullptr : sa->second.get();
}

const IkeSa* Engine::ike_sa(std::uint64_t id) const {
  const auto it = m_sas.find(id);
  return it == m_sas.end() ? nullptr : it->second.get();
}

std::vector<const IkeSa*> Engine::ike_sas() const {
  std::vector<const IkeSa*> v;
  for (const auto& [id, sa] : m_sas) v.push_back(sa.get());
  return v;
}

std::size_t Engine::half_open() const {
  std::size_t n = 0;
  for (const auto& [id, sa] : m_sas)
    if (!sa->initiator() && sa->state() == SaState::connecting) ++n;
  return n;
}

IkeSa* Engine::usable_sa(const wire::IpAddr& peer) {
  IkeSa* best = nullptr;
  for (auto& [id, sa] : m_sas)
    if (sa->remote().addr == peer && sa->state() == SaState::established) best = sa.get();  // newest wins
  if (best) return best;
  for (auto& [id, sa] : m_sas)
    if (sa->remote().addr == peer && sa->state() == SaState::replaced) best = sa.get();
  return best;
}

IkeSa* Engine::connecting_initiator(const wire::IpAddr& peer) {
  for (auto& [id, sa] : m_sas)
    if (sa->remote().addr == peer && sa->initiator() && sa->state() == SaState::connecting) return sa.get();
  return nullptr;
}

bool Engine::holds_other_sa(const wire::IpAddr& peer, std::uint64_t except) const {
  for (const auto& [id, sa] : m_sas)
    if (id != except && sa->remote().addr == peer && sa->usable()) return true;
  return false;
}

isakmp::Cookie Engine::new_cookie() {
  isakmp::Cookie c{};
  do m_env.rng.fill(c);
  while (c == isakmp::Cookie{});
  return c;
}

std::uint32_t Engine::new_spi() {
  for (;;) {
    std::array<std::uint8_t, 4> b{};
    m_env.rng.fill(b);
    const std::uint32_t spi = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    // RFC 2406 2.1: 1..255 are reserved, 0 means "no SA".
    if (spi >= 256 && m_spis.insert(spi).second) return spi;
  }
}

std::uint32_t Engine::new_message_id(const IkeSa& sa) {
  for (;;) {
    std::array<std::uint8_t, 4> b{};
    m_env.rng.fill(b);
    const std::uint32_t mid = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    if (mid != 0 && !sa.message_id_used(mid) && !sa.quick.count(mid)) return mid;
  }
}

IkeSa& Engine::create_sa(bool initiator, const Endpoint& local, const Endpoint& remote, const isakmp::Cookie& cky_i,
                         MmPolicy policy) {
  const std::uint64_t id = m_next_id++;
  auto sa = std::make_unique<IkeSa>(id, initiator, local, remote, cky_i, std::move(policy), m_env.clock.now());
  IkeSa& ref = *sa;
  m_sas.emplace(id, std::move(sa));
  m_by_cookies[{cky_i, isakmp::Cookie{}}] = id;
  return ref;
}

void Engine::reindex(IkeSa& sa, const isakmp::Cookie& cky_r) {
  m_by_cookies.erase({sa.cky_i(), sa.cky_r()});
  sa.set_cky_r(cky_r);
  m_by_cookies[{sa.cky_i(), cky_r}] = sa.id();
}

Result<std::uint64_t> Engine::initiate_phase1(const Endpoint& local, const Endpoint& remote) {
  auto pol = m_env.policy.main_mode(local.addr, remote.addr);
  if (!pol) {
    std::string why = fmt::format("no rule of the SPD negotiates with {}", remote.addr.str());
    m_log.emit(log::Level::audit, {}, "cannot initiate: " + why);
    return Error::make("policy", why);
  }
  IkeSa& sa = create_sa(true, local, remote, new_cookie(), std::move(*pol));
  sa.send_initial_contact = m_cfg.send_initial_contact && !holds_other_sa(remote.addr, sa.id());
  // RFC 2409 5: Aggressive Mode only when the rule asks for it.
  sa.aggressive = sa.policy().aggressive_initiator;
  sa.phase1 = sa.aggressive ? make_aggressive_initiator(sa, m_ctx) : make_main_mode_initiator(sa, m_ctx);
  run_output(sa, *sa.phase1, 0);
  const std::uint64_t id = sa.id();
  collect();
  return id;
}

Result<std::uint64_t> Engine::initiate(const Endpoint& local, const Endpoint& remote, QmPolicy qm) {
  if (IkeSa* sa = usable_sa(remote.addr)) {
    start_quick_mode(*sa, std::move(qm));
    const std::uint64_t id = sa->id();
    collect();
    return id;
  }
  if (IkeSa* sa = connecting_initiator(remote.addr)) {
    sa->queued.push_back(std::move(qm));
    return sa->id();
  }
  auto id = initiate_phase1(local, remote);
  if (!id) return id;
  if (auto it = m_sas.find(*id); it != m_sas.end() && it->second->state() == SaState::connecting)
    it->second->queued.push_back(std::move(qm));
  return id;
}

Status Engine::initiate_on(std::uint64_t ike_sa, QmPolicy qm) {
  auto it = m_sas.find(ike_sa);
  if (it == m_sas.end()) return Error::make("not_found", fmt::format("no IKE SA #{}", ike_sa));
  IkeSa& sa = *it->second;
  if (sa.state() == SaState::established) {
    start_quick_mode(sa, std::move(qm));
    collect();
    return {};
  }
  if (sa.initiator() && sa.state() == SaState::connecting) {
    sa.queued.push_back(std::move(qm));
    return {};
  }
  return Error::make("failed", fmt::format("IKE SA #{} cannot start a Quick Mode now", ike_sa));
}

void Engine::start_quick_mode(IkeSa& sa, QmPolicy qm) {
  const std::uint32_t mid = new_message_id(sa);
  auto task = make_quick_mode_initiator(sa, m_ctx, std::move(qm), mid);
  QuickModeTask& ref = *task;
  sa.quick.emplace(mid, std::move(task));
  run_output(sa, ref, mid);
}

Phase1Info Engine::phase1_info(const IkeSa& sa) const {
  Phase1Info i;
  i.id = sa.id();
  i.cky_i = sa.cky_i();
  i.cky_r = sa.cky_r();
  i.local = sa.local();
  i.remote = sa.remote();
  i.initiator = sa.initiator();
  i.rule = sa.policy().rule;
  const auto& r = sa.results();
  if (r.attrs) {
    if (r.attrs->encryption) i.encryption = *r.attrs->encryption;
    i.key_length = r.attrs->key_length;
    if (r.attrs->hash) i.hash = *r.attrs->hash;
    if (r.attrs->group) i.group = *r.attrs->group;
    if (r.attrs->auth) i.auth = *r.attrs->auth;
  }
  if (r.local_id) i.local_id = r.local_id->str();
  if (r.peer_id) i.peer_id = r.peer_id->str();
  i.life_seconds = r.life_seconds;
  i.life_kilobytes = r.life_kilobytes;
  i.nat_local = sa.nat_local;
  i.nat_remote = sa.nat_remote;
  i.aggressive = sa.aggressive;
  if (r.crypto) i.encryption_key = r.crypto->keys().encryption_key().clone();
  return i;
}

}  // namespace ipseckit::ike
