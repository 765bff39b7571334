#include "ike/spd_policy_view.h"

#include "policy/spd_classifier.h"

namespace ipseckit::ike {

using policy::kSpdNone;

namespace {

bool covers(const policy::SpdAddr& a, const wire::IpAddr& x) {
  return a.prefix.addr.is_v6() == x.is_v6() && a.prefix.contains(x);
}

bool covers(const policy::SpdAddr& a, const wire::IpPrefix& p) {
  return a.prefix.addr.is_v6() == p.addr.is_v6() && a.prefix.contains(p);
}

}  // namespace

std::optional<MmPolicy> SpdPolicyView::main_mode(const wire::IpAddr& local, const wire::IpAddr& peer) const {
  return mm_for(local, peer, nullptr);
}

std::optional<MmPolicy> SpdPolicyView::main_mode_for_id(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                        const wire::isakmp::IdPayload& id) const {
  return mm_for(local, peer, &id);
}

std::optional<MmPolicy> SpdPolicyView::mm_for(const wire::IpAddr& local, const wire::IpAddr& peer,
                                              const wire::isakmp::IdPayload* id) const {
  auto make = [&](std::uint32_t mm, std::uint32_t auth, std::string rule) -> std::optional<MmPolicy> {
    if (mm >= m_spd.mm_policies.size() || auth >= m_spd.auth.size()) return std::nullopt;
    MmPolicy p;
    p.rule = std::move(rule);
    p.offers = m_spd.mm_policies[mm].isakmp.offers;
    p.auth = m_spd.auth[auth].methods;
    return p;
  };
  for (const auto& f : m_spd.mm_specific) {
    const bool fwd = covers(f.src, local) && covers(f.dst, peer);
    const bool rev = covers(f.src, peer) && covers(f.dst, local);
    if (!fwd && !rev) continue;
    if (f.rule >= m_spd.rules.size()) continue;
    const auto& r = m_spd.rules[f.rule];
    std::optional<wire::isakmp::IdPayload> peer_id, local_id;
    if (!r.peer_id.empty()) {
      auto pid = policy::parse_ike_id(r.peer_id);
      if (!pid) continue;  // validated when the policy was written; unusable = covers no one
      peer_id = std::move(*pid);
    }
    if (!r.local_id.empty()) {
      auto lid = policy::parse_ike_id(r.local_id);
      if (!lid) continue;
      local_id = std::move(*lid);
    }
    // A rule naming a peer ID covers only a peer claiming it (RFC 2407 4.6.2.1), when the ID
    // is known (Aggressive Mode message 1); Main Mode learns it after the keys (checked then).
    if (id && peer_id && !policy::ike_id_matches(*peer_id, *id)) continue;
    auto p = make(f.mm_policy, f.auth, r.rule);
    if (!p) continue;
    // The rule's "aggressive_mode" both starts and answers Aggressive Mode (RFC 2409 5).
    p->aggressive_initiator = p->aggressive_responder = r.aggressive_mode;
    p->local_id = std::move(local_id);
    p->peer_id = std::move(peer_id);
    return p;
  }
  if (m_spd.default_response)
    return make(m_spd.default_response->mm_policy, m_spd.default_response->auth, "(default response)");
  return std::nullopt;
}

std::optional<QmPolicy> SpdPolicyView::qm_from(const policy::SpdFilter& f) const {
  if (f.qm_policy >= m_spd.qm_policies.size() || f.rule >= m_spd.rules.size()) return std::nullopt;
  QmPolicy q;
  q.rule = m_spd.rules[f.rule].rule;
  q.offers = m_spd.qm_policies[f.qm_policy].offers;
  q.tunnel = f.tunnel.has_value();
  q.local = TrafficSelector{f.src.prefix, f.protocol, f.src_port};
  q.remote = TrafficSelector{f.dst.prefix, f.protocol, f.dst_port};
  return q;
}

std::optional<QmPolicy> SpdPolicyView::quick_mode(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                  const TrafficSelector& ours, const TrafficSelector& theirs) const {
  if (ours.protocol != theirs.protocol) return std::nullopt;
  for (const auto& f : m_spd.specific) {
    if (f.action != policy::ActionType::negotiate) continue;
    if (!covers(f.src, ours.prefix) || !covers(f.dst, theirs.prefix)) continue;
    if (f.protocol != 0 && f.protocol != ours.protocol) continue;
    if (f.src_port != 0 && f.src_port != ours.port) continue;
    if (f.dst_port != 0 && f.dst_port != theirs.port) continue;
    if (f.tunnel) {
      if (!covers(*f.tunnel, peer) || f.tunnel->is_any()) continue;
    } else if (ours.prefix != wire::IpPrefix::host(local) || theirs.prefix != wire::IpPrefix::host(peer)) {
      continue;  // transport mode protects the two hosts' own traffic only
    }
    auto q = qm_from(f);
    if (!q) continue;
    q->local = ours;
    q->remote = theirs;
    return q;
  }
  if (m_spd.default_response && ours.prefix == wire::IpPrefix::host(local) &&
      theirs.prefix == wire::IpPrefix::host(peer)) {
    QmPolicy q;
    q.rule = "(default response)";
    q.offers = m_spd.default_response->offers;
    q.local = ours;
    q.remote = theirs;
    return q;
  }
  return std::nullopt;
}

std::optional<SpdPolicyView::Initiation> SpdPolicyView::for_packet(const wire::FiveTuple& packet) const {
  const std::uint32_t i = policy::lookup_linear(m_spd.specific, packet);
  if (i == kSpdNone) return std::nullopt;
  const auto& f = m_spd.specific[i];
  if (f.action_for(true) != policy::ActionType::negotiate) return std::nullopt;
  auto q = qm_from(f);
  if (!q) return std::nullopt;
  wire::IpAddr peer = packet.dst;
  if (f.tunnel) {
    if (!f.tunnel->prefix.is_host()) return std::nullopt;
    peer = f.tunnel->prefix.addr;
  } else {
    // Transport mode: the two hosts themselves.
    q->local = TrafficSelector{wire::IpPrefix::host(packet.src), f.protocol, f.src_port};
    q->remote = TrafficSelector{wire::IpPrefix::host(packet.dst), f.protocol, f.dst_port};
  }
  return Initiation{peer, std::move(*q)};
}

std::optional<SpdPolicyView::Initiation> SpdPolicyView::for_rule(std::string_view rule, const wire::IpAddr& peer) const {
  for (const auto& f : m_spd.specific) {
    if (f.rule >= m_spd.rules.size() || m_spd.rules[f.rule].rule != rule) continue;
    if (f.action != policy::ActionType::negotiate || f.direction != policy::SpdDirection::outbound) continue;
    auto q = qm_from(f);
    if (!q) continue;
    if (f.tunnel) {
      if (!covers(*f.tunnel, peer)) continue;
      return Initiation{peer, std::move(*q)};
    }
    // An outbound filter's source is this host: "me" expanded, or a host address of its own
    // (ipsecpol -f 198.51.100.11+198.51.100.2 on a host that also has .1).
    if (!covers(f.dst, peer) || !(f.src.me || f.src.prefix.is_host())) continue;
    q->local.prefix = f.src.prefix;
    q->remote.prefix = wire::IpPrefix::host(peer);
    return Initiation{peer, std::move(*q)};
  }
  return std::nullopt;
}

}  // namespace ipseckit::ike
