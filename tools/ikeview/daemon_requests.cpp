// Negotiations someone asked for. Two sources, one life cycle:
//   acquire/<id>       {"src","dst","protocol","src_port","dst_port","rule","created"} from espd:
//                      Quick Mode (Main Mode first if needed) for that traffic; the key is
//                      deleted once the SA is up or the negotiation failed.
//   ike/initiate/<id>  {"peer","rule"?,"state":"requested"} from `ikeview initiate`: answered
//                      in place with "state": "started" (+ "ike_sa"), then "established"
//                      (+ "spi_in","spi_out","describe") or "failed" (+ "reason"); the asker
//                      deletes the key.
#include <fmt/format.h>

#include "ikeview/daemon.h"

namespace ipseckit::ikeview {

using log::Level;

namespace {

std::string str_field(const store::Json& v, const char* k) {
  auto it = v.find(k);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t num_field(const store::Json& v, const char* k) {
  auto it = v.find(k);
  return it != v.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

}  // namespace

std::optional<ike::SpdPolicyView::Initiation> Daemon::plan(const Request& r, const store::Json& v,
                                                            std::string& why) const {
  const auto* view = m_policy.view();
  if (!view) {
    why = "no effective SPD yet (is a policy assigned?)";
    return std::nullopt;
  }
  if (r.acquire) {
    auto src = wire::IpAddr::parse(str_field(v, "src"));
    auto dst = wire::IpAddr::parse(str_field(v, "dst"));
    if (!src || !dst) {
      why = "the acquire has no valid \"src\"/\"dst\"";
      return std::nullopt;
    }
    wire::FiveTuple t{*src, *dst, static_cast<std::uint8_t>(num_field(v, "protocol")),
                      static_cast<std::uint16_t>(num_field(v, "src_port")),
                      static_cast<std::uint16_t>(num_field(v, "dst_port"))};
    auto p = view->for_packet(t);
    if (!p) why = fmt::format("no negotiate filter matches {} -> {} protocol {}", src->str(), dst->str(), t.protocol);
    return p;
  }
  // First the packet this host would send from the route's source address (so a "me" filter
  // expanded for several addresses picks the one towards the peer), then the rule's first
  // outbound filter: one naming another address of this host (a secondary one) is found there.
  if (auto local = local_address_towards(r.peer, m_opt.mark)) {
    auto p = view->for_packet(wire::FiveTuple{*local, r.peer, 0, 0, 0});
    if (p && p->peer == r.peer && (r.rule.empty() || p->qm.rule == r.rule)) return p;
  }
  if (!r.rule.empty()) {
    if (auto p = view->for_rule(r.rule, r.peer)) return p;
  } else {
    for (const auto& rule : view->spd().rules)
      if (auto p = view->for_rule(rule.rule, r.peer)) return p;
  }
  why = r.rule.empty() ? fmt::format("no negotiate rule of the effective SPD reaches {}", r.peer.str())
                       : fmt::format("rule '{}' has no negotiate filter towards {}", r.rule, r.peer.str());
  return std::nullopt;
}

void Daemon::on_request(const std::string& key, const store::Json& v, bool acquire) {
  if (!v.is_object()) return;
  if (!acquire && str_field(v, "state") != "requested") return;  // our own answers coming back
  if (m_requests.count(key)) return;
  if (acquire) ++m_acquires;
  Request r;
  r.key = key;
  r.acquire = acquire;
  r.rule = str_field(v, "rule");
  r.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(m_opt.request_timeout_s);
  if (!acquire) {
    auto peer = wire::IpAddr::parse(str_field(v, "peer"));
    if (!peer) {
      finish(r, false, fmt::format("\"peer\" is not an address: '{}'", str_field(v, "peer")));
      return;
    }
    r.peer = *peer;
  }
  std::string why;
  auto p = plan(r, v, why);
  if (!p) {
    finish(r, false, why);
    return;
  }
  r.peer = p->peer;
  if (r.rule.empty()) r.rule = p->qm.rule;
  // Transport mode: IKE runs between the two hosts the selectors name, so the rule's (or the
  // acquire's) source address is ours; tunnel mode: the route's source towards the endpoint.
  const auto& sel = p->qm.local.prefix;
  auto local = !p->qm.tunnel && sel.is_host() && !sel.addr.is_unspecified() ? Result<wire::IpAddr>(sel.addr)
                                                                            : local_address_towards(r.peer, m_opt.mark);
  if (!local) {
    finish(r, false, local.error().message);
    return;
  }
  note(Level::control, fmt::format("{}: negotiating with {} for rule '{}' ({} -> {})",
                                   acquire ? "acquire" : "initiate request", r.peer.str(), p->qm.rule,
                                   p->qm.local.str(), p->qm.remote.str()));
  r.phase2_failed_before = m_engine->stats().phase2_failed;
  const std::string rule = p->qm.rule;
  auto id = m_engine->initiate(ike::Endpoint{*local, m_opt.port}, ike::Endpoint{r.peer, ike::kIkePort}, std::move(p->qm));
  if (!id) {
    finish(r, false, id.error().message);
    return;
  }
  r.ike_sa = *id;
  if (!acquire)
    (void)m_client.put(key, store::Json{{"peer", r.peer.str()}, {"rule", rule}, {"state", "started"}, {"ike_sa", *id}});
  m_requests[key] = std::move(r);
}

void Daemon::finish(Request& r, bool ok, const std::string& reason, const store::Json& extra) {
  if (r.done) return;
  r.done = true;
  note(ok ? Level::control : Level::audit,
       fmt::format("{} {}: {}{}", r.acquire ? "acquire" : "initiate request", r.key, ok ? "established " : "failed: ",
                   reason));
  if (r.acquire) {
    (void)m_client.del(r.key);
    return;
  }
  store::Json v{{"peer", r.peer.str()}, {"rule", r.rule}, {"state", ok ? "established" : "failed"}};
  v[ok ? "describe" : "reason"] = reason;
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it) v[it.key()] = it.value();
  (void)m_client.put(r.key, v);
}

// Outcomes the callbacks do not report: the IKE SA failed or vanished, Quick Mode failed on
// an established IKE SA, or nothing happened in time.
void Daemon::check_requests() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [key, r] : m_requests) {
    if (r.done) continue;
    const auto* sa = m_engine->ike_sa(r.ike_sa);
    const std::string label = fmt::format("IKE SA #{}", r.ike_sa);
    auto last = m_last_failure.count(label) ? m_last_failure[label] : m_last_audit;
    if (!sa) finish(r, false, last.empty() ? label + " was removed" : last);
    else if (sa->state() == ike::SaState::failed) finish(r, false, sa->failure().empty() ? last : sa->failure());
    else if (sa->state() == ike::SaState::deleted) finish(r, false, label + " was deleted");
    else if (m_engine->stats().phase2_failed > r.phase2_failed_before) finish(r, false, "Quick Mode failed: " + last);
    else if (now > r.deadline) finish(r, false, "no outcome in time" + (last.empty() ? "" : ": " + last));
  }
  std::erase_if(m_requests, [](const auto& kv) { return kv.second.done; });
}

}  // namespace ipseckit::ikeview
