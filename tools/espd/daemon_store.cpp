// The espd daemon's store side (daemon_impl.h): SA records and the SPD from watches, the
// routes they imply, lifetime events, acquires and stats/espd.
#include <fmt/format.h>
#include <time.h>

#include <utility>

#include "base/log.h"
#include "daemon_impl.h"
#include "esp/sa_record.h"
#include "policy/spd_json.h"
#include "policydb/keys.h"

namespace ipseckit::espd::detail {

using log::Level;
using log::Subsys;
using store::Json;

Status Daemon::on_sa_event(const store::Event& ev) {
  const std::string spi_text = ev.key.substr(std::string(esp::kSaPrefix).size());
  auto spi = esp::parse_spi(spi_text);
  if (!spi || spi_text.size() != 8) {
    log::msg(Subsys::esp, Level::control, "ignoring store key {}: not esp/sa/<8 hex digits>", ev.key);
    return {};
  }
  if (ev.kind == store::Event::Kind::del) {
    const auto paused = pause();  // no worker holds the SA while it goes (daemon_impl.h)
    if (m_table.remove(*spi)) {
      ++m_keys.deletes;
      log::msg(Subsys::esp, Level::control, "SA {} removed", spi_text);
    }
    return {};
  }
  auto secret = m_client.get(esp::sa_secret_key(*spi));
  if (!secret) {
    ++m_keys.record_errors;
    log::msg(Subsys::esp, Level::audit, "SA {}: {}: {}", spi_text, esp::sa_secret_key(*spi), secret.error().message);
    return {};
  }
  auto rec = esp::decode_sa(ev.value, secret->value, ev.key);
  if (!rec) {
    ++m_keys.record_errors;
    log::msg(Subsys::esp, Level::audit, "SA {} refused: {}", spi_text, rec.error().message);
    return {};
  }
  const auto& c = rec->config;
  const std::string what =
      fmt::format("SA {} {} {} {} -> {}{}{}", spi_text, esp::direction_name(rec->meta.direction),
                  esp::mode_name(c.mode), rec->meta.direction == esp::SaDirection::out ? c.local.str() : c.remote.str(),
                  rec->meta.direction == esp::SaDirection::out ? c.remote.str() : c.local.str(),
                  c.udp_encap ? " udp-encap" : "", c.ah ? " ah" : "");
  Status installed;
  {
    const auto paused = pause();
    installed = m_table.install(std::move(rec.value()));
  }
  if (auto s = installed; !s) {
    ++m_keys.record_errors;
    log::msg(Subsys::esp, Level::audit, "{} refused: {}", what, s.error().message);
    return {};
  }
  ++m_keys.adds;
  log::msg(Subsys::esp, Level::control, "{} installed", what);
  return {};
}

Status Daemon::on_spd_event(const store::Event& ev) {
  if (ev.key != policydb::kSpdKey) return {};
  if (ev.kind == store::Event::Kind::del) {
    for (auto& w : m_workers) {
      std::lock_guard g(w->mu);
      w->dp->set_spd(std::nullopt);
    }
    log::msg(Subsys::policy, Level::control, "SPD removed: traffic of existing SAs only");
    return {};
  }
  auto spd = policy::compiled_spd_from_json(ev.value);
  if (!spd) {
    log::msg(Subsys::policy, Level::audit, "spd/current refused: {}", spd.error().message);
    return {};
  }
  log::msg(Subsys::policy, Level::control, "SPD generation {}: {} specific filters", spd->generation,
           spd->specific.size());
  for (std::size_t i = 0; i < m_workers.size(); ++i) {  // a matcher of its own per worker
    auto m = i + 1 == m_workers.size() ? policy::SpdMatcher(std::move(*spd)) : policy::SpdMatcher(*spd);
    std::lock_guard g(m_workers[i]->mu);
    m_workers[i]->dp->set_spd(std::move(m));
  }
  return {};
}

// Table T: the destinations of filters whose outbound action is negotiate or block (so that
// espd sees and enforces them), and those of the outbound SAs.
void Daemon::update_routes() {
  std::set<wire::IpPrefix> dsts;
  for (const auto& p : m_table.outbound_destinations()) dsts.insert(p);
  // Worker 0's SPD: every worker has the same, and only this thread changes them.
  const auto* m = m_workers[0]->dp->spd();
  if (m) {
    for (const auto& f : m->spd().specific) {
      if (f.direction == policy::SpdDirection::inbound || f.dst.me) continue;
      const auto a = f.action_for(true);
      if (a == policy::ActionType::negotiate || a == policy::ActionType::block) dsts.insert(f.dst.prefix);
    }
  }
  m_net.set_routes(dsts);
  if (auto s = m_nft.update(m ? &m->spd() : nullptr); !s)
    log::msg(Subsys::net, Level::audit, "inbound enforcement not updated: {}", s.error().message);
}

void Daemon::after_sa_change() {
  for (auto& w : m_workers) {
    std::vector<std::string> done;
    {
      std::lock_guard g(w->mu);
      done = w->dp->flush_held();
    }
    for (const auto& id : done) {
      (void)m_client.del(std::string(kAcquirePrefix) + id);
      m_acquire_keys.erase(id);
    }
  }
}

// RFC 4301 §4.4.2.1: soft -> rekey (ikeview watches the log and esp/expire/), hard -> delete.
void Daemon::handle_lifetime_events() {
  for (const auto& e : take_events()) {
    static constexpr const char* kCause[] = {"bytes", "packets", "seconds", "sequence numbers"};
    const auto spi = esp::spi_hex(e.spi);
    const auto kind = e.kind == esp::EventKind::soft ? "soft" : "hard";
    const auto msg = fmt::format("SA {} ({}) reached its {} lifetime in {}", spi, e.outbound ? "out" : "in", kind,
                                 kCause[static_cast<int>(e.cause)]);
    log::msg(Subsys::esp, Level::control, "{}", msg);
    (void)m_client.log("esp", "control", msg);
    (void)m_client.put(std::string("esp/expire/") + spi, Json{{"spi", spi},
                                                              {"direction", e.outbound ? "out" : "in"},
                                                              {"kind", kind},
                                                              {"cause", kCause[static_cast<int>(e.cause)]},
                                                              {"created", static_cast<std::int64_t>(::time(nullptr))}});
    if (e.kind == esp::EventKind::soft) {
      ++m_keys.rekeys;
      continue;
    }
    ++m_keys.hard_expiries;
    store::Txn t;
    t.ops.push_back(store::TxnOp::del(esp::sa_public_key(e.spi)));
    t.ops.push_back(store::TxnOp::del(esp::sa_secret_key(e.spi)));
    if (auto r = m_client.txn(t); !r)
      log::msg(Subsys::esp, Level::audit, "deleting expired SA {}: {}", spi, r.error().message);
  }
}

void Daemon::publish_acquires() {
  std::vector<Json> posts;
  std::vector<std::string> expired;
  for (auto& w : m_workers) {
    std::lock_guard g(w->mu);
    for (auto& j : w->dp->take_posts()) posts.push_back(std::move(j));
    for (auto& id : w->dp->expire(mono_ms())) expired.push_back(std::move(id));
  }
  for (auto& j : posts) {
    const std::string id = j["id"].get<std::string>();
    j.erase("id");
    if (auto r = m_client.put(std::string(kAcquirePrefix) + id, j); !r)
      log::msg(Subsys::store, Level::audit, "acquire/{}: {}", id, r.error().message);
    else
      m_acquire_keys.insert(id);
  }
  for (const auto& id : expired) {
    log::msg(Subsys::esp, Level::control, "acquire {} unanswered: its held packets are dropped", id);
    (void)m_client.del(std::string(kAcquirePrefix) + id);
    m_acquire_keys.erase(id);
  }
}

void Daemon::publish_stats(bool force) {
  Json j;
  {
    const auto paused = pause();  // counters summed over the workers, none moving
    std::vector<const Datapath*> dps;
    for (const auto& w : m_workers) dps.push_back(w->dp.get());
    j = stats_json(m_table, dps, m_keys);
    // Per worker (espd --workers N > 1): the packets it read from its TUN queue (TSO
    // segments counted one by one) and the frames it wrote there.
    for (std::size_t i = 0; m_workers.size() > 1 && i < m_workers.size(); ++i) {
      const auto t = m_workers[i]->dp->tun_io().counters();
      j[fmt::format("Worker {} Pkts from TUN", i)] = m_net.tun_vnet() ? t.segments_in : t.frames_in;
      j[fmt::format("Worker {} TUN Frames Written", i)] = t.frames_out;
    }
  }
  const auto drops = m_nft.drops();  // nftables' counters (nft.h)
  j["Pkts Dropped Clear"] = drops.clear;
  j["Inbound Pkts Blocked"] = drops.blocked;
  if (!force && j == m_last_stats) return;
  if (auto r = m_client.put("stats/espd", j); !r)
    log::msg(Subsys::store, Level::audit, "stats/espd: {}", r.error().message);
  m_last_stats = std::move(j);
}

Result<bool> Daemon::drain(store::Watch& w, bool sa) {
  bool any = false;
  for (;;) {
    auto ev = w.next(std::chrono::milliseconds(0));
    if (!ev) return ev.error();
    if (!*ev) return any;
    any = true;
    IPSECKIT_TRY(sa ? on_sa_event(**ev) : on_spd_event(**ev));
  }
}

void Daemon::shutdown() {
  stop_workers();
  for (const auto& id : m_acquire_keys) (void)m_client.del(std::string(kAcquirePrefix) + id);
  publish_stats(true);
  (void)m_client.del(kDaemonKey);
  m_nft.remove();
}

}  // namespace ipseckit::espd::detail
