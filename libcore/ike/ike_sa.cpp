#include "ike/ike_sa.h"

#include <algorithm>

#include <fmt/format.h>

#include "ike/quick_mode.h"

namespace ipseckit::ike {

std::string_view name(SaState s) {
  switch (s) {
    case SaState::connecting: return "CONNECTING";
    case SaState::established: return "ESTABLISHED";
    case SaState::replaced: return "REPLACED";
    case SaState::deleted: return "DELETED";
    case SaState::failed: return "FAILED";
  }
  return "?";
}

namespace {

bool allowed(SaState from, SaState to) {
  switch (from) {
    case SaState::connecting:
      return to == SaState::established || to == SaState::failed || to == SaState::deleted;
    case SaState::established:
      return to == SaState::replaced || to == SaState::deleted || to == SaState::failed;
    case SaState::replaced:
      return to == SaState::deleted || to == SaState::failed;
    case SaState::deleted:
    case SaState::failed:
      return false;  // terminal
  }
  return false;
}

}  // namespace

IkeSa::IkeSa(std::uint64_t id, bool initiator, const Endpoint& local, const Endpoint& remote,
             const isakmp::Cookie& cky_i, MmPolicy policy, TimePoint created)
    : m_id(id),
      m_label(fmt::format("IKE SA #{}", id)),
      m_initiator(initiator),
      m_local(local),
      m_remote(remote),
      m_cky_i(cky_i),
      m_policy(std::move(policy)),
      m_created(created) {}

IkeSa::~IkeSa() = default;

bool IkeSa::set_state(SaState to, std::string reason, EventLog& log) {
  if (!allowed(m_state, to)) {
    log.emit(log::Level::diag, m_label,
             fmt::format("refused state change {} -> {} ({})", name(m_state), name(to), reason));
    return false;
  }
  const auto level = to == SaState::failed ? log::Level::audit : log::Level::control;
  log.emit(level, m_label,
           fmt::format("{} -> {}{}{}", name(m_state), name(to), reason.empty() ? "" : ": ", reason));
  if (to == SaState::failed || to == SaState::deleted) m_failure = std::move(reason);
  m_state = to;
  return true;
}

IkeSa::Answered* IkeSa::answered_for(std::uint32_t mid) {
  for (auto& [m, a] : answered)
    if (m == mid) return &a;
  return nullptr;
}

void IkeSa::record_answer(std::uint32_t mid, Bytes digest, Bytes response, std::size_t limit) {
  if (Answered* a = answered_for(mid)) {
    *a = Answered{std::move(digest), std::move(response), 0};
    return;
  }
  answered.emplace_back(mid, Answered{std::move(digest), std::move(response), 0});
  while (answered.size() > limit) answered.pop_front();
}

bool IkeSa::message_id_used(std::uint32_t mid) const {
  return std::find(used_message_ids.begin(), used_message_ids.end(), mid) != used_message_ids.end();
}

void IkeSa::remember_message_id(std::uint32_t mid, std::size_t limit) {
  if (message_id_used(mid)) return;
  used_message_ids.push_back(mid);
  while (used_message_ids.size() > limit) used_message_ids.pop_front();
}

bool same_peer(const IkeSa& a, const IkeSa& b) {
  if (a.remote().addr != b.remote().addr) return false;
  if (!a.nat_remote && !b.nat_remote) return true;
  return a.remote().port == b.remote().port && a.results().peer_id == b.results().peer_id;
}

}  // namespace ipseckit::ike
