// espd's SA table (sa_table.h).
#include "sa_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "policy/algorithms.h"
#include "port_map.h"

namespace ipseckit::espd {

namespace {

bool confidential(const esp::SaConfig& c) {
  return c.esp && c.esp->transform.cipher != policy::Cipher::none;
}
bool authenticated(const esp::SaConfig& c) {
  return c.ah ||
         (c.esp && (c.esp->transform.integrity != policy::Integrity::none || policy::is_aead(c.esp->transform.cipher)));
}

void add(SaTotals& t, const esp::SaConfig& c, const esp::RxCounters* rx, const esp::TxCounters* tx) {
  const bool tunnel = c.mode == esp::Mode::tunnel;
  if (tx) {
    if (confidential(c)) t.confidential_sent += tx->bytes;
    if (authenticated(c)) t.authenticated_sent += tx->bytes;
    (tunnel ? t.tunnel_sent : t.transport_sent) += tx->bytes;
    t.pkts_sent += tx->ok;
    t.tx_errors += tx->outcomes() - tx->ok;
  }
  if (rx) {
    if (confidential(c)) t.confidential_received += rx->bytes;
    if (authenticated(c)) t.authenticated_received += rx->bytes;
    (tunnel ? t.tunnel_received : t.transport_received) += rx->bytes;
    t.pkts_received += rx->ok;
    t.not_decrypted += rx->decrypt_failed;
    t.not_authenticated += rx->auth_failed;
    t.replayed += rx->replayed;
    t.rx_malformed += rx->malformed + rx->bad_spi;
    t.rx_expired += rx->expired;
  }
}

bool port_ok(std::uint16_t sel, std::uint16_t pkt) {
  return sel == 0 || sel == pkt;
}

}  // namespace

bool selectors_match(const std::optional<esp::SaSelectors>& sel, const wire::FiveTuple& t, bool outbound) {
  if (!sel) return true;
  const auto& local = outbound ? t.src : t.dst;
  const auto& remote = outbound ? t.dst : t.src;
  const auto lport = outbound ? t.src_port : t.dst_port;
  const auto rport = outbound ? t.dst_port : t.src_port;
  return sel->local.contains(local) && sel->remote.contains(remote) &&
         (sel->protocol == 0 || sel->protocol == t.protocol) && port_ok(sel->local_port, lport) &&
         port_ok(sel->remote_port, rport);
}

Status SaTable::install(esp::SaRecord rec) {
  const auto spi = esp::record_spi(rec.config);
  remove(spi);
  if (rec.meta.direction == esp::SaDirection::out) {
    auto sa = esp::OutboundSa::create(std::move(rec.config), m_env);
    if (!sa) return sa.error();
    m_out[spi] = std::make_unique<OutEntry>(std::move(*sa), std::move(rec.meta));
    return {};
  }
  if (rec.config.replay_window != 0 && rec.config.replay_window < m_min_window)  // 0: no replay check
    rec.config.replay_window = m_min_window;
  const bool has_ah = rec.config.ah.has_value();
  const auto ah_spi = has_ah ? rec.config.ah->spi : 0;
  auto sa = esp::InboundSa::create(std::move(rec.config), m_env);
  if (!sa) return sa.error();
  // A bundle's packets arrive with AH outside (RFC 4301 §4.5): found by the AH SPI.
  if (has_ah)
    m_in_ah[ah_spi] = spi;
  else
    m_in_esp[spi] = spi;
  m_in[spi] = std::make_unique<InEntry>(std::move(*sa), std::move(rec.meta));
  return {};
}

bool SaTable::remove(std::uint32_t spi) {
  bool found = false;
  if (auto it = m_out.find(spi); it != m_out.end()) {
    add(m_retired, it->second->sa.config(), nullptr, &it->second->sa.counters());
    m_out.erase(it);
    found = true;
  }
  if (auto it = m_in.find(spi); it != m_in.end()) {
    const auto& c = it->second->sa.config();
    add(m_retired, c, &it->second->sa.counters(), nullptr);
    if (c.ah)
      m_in_ah.erase(c.ah->spi);
    else
      m_in_esp.erase(spi);
    m_in.erase(it);
    found = true;
  }
  return found;
}

InEntry* SaTable::inbound(std::uint32_t wire_spi, bool ah) {
  auto& idx = ah ? m_in_ah : m_in_esp;
  auto it = idx.find(wire_spi);
  if (it == idx.end()) return nullptr;
  auto e = m_in.find(it->second);
  return e == m_in.end() ? nullptr : e->second.get();
}

OutEntry* SaTable::outbound(const wire::FiveTuple& t, const policy::SpdFilter* filter, const policy::CompiledSpd* spd,
                            std::optional<std::uint16_t> mapped) {
  OutEntry* best = nullptr;
  int best_rank = -1;
  for (auto& [spi, e] : m_out) {
    const auto& c = e->sa.config();
    if (e->expired()) continue;
    const int rank = encap_rank(c, mapped);  // hosts behind one NAT (port_map.h)
    if (rank < 0 || rank < best_rank) continue;
    if (e->meta.rule && filter && spd && filter->rule < spd->rules.size() &&
        spd->rules[filter->rule].rule != *e->meta.rule)
      continue;
    if (e->meta.selectors) {
      if (!selectors_match(e->meta.selectors, t, true)) continue;
    } else if (c.mode == esp::Mode::transport) {
      if (t.dst != c.remote || t.src != c.local) continue;
    } else {
      // Tunnel mode without selectors: the filter's tunnel endpoint names the peer.
      if (!filter || !filter->tunnel || !filter->tunnel->prefix.contains(c.remote)) continue;
    }
    if (!best || rank > best_rank || e->meta.created > best->meta.created) best = e.get();
    best_rank = std::max(best_rank, rank);
  }
  return best;
}

std::size_t SaTable::tunnels() const {
  std::size_t n = 0;
  for (const auto& [spi, e] : m_out) n += e->sa.config().mode == esp::Mode::tunnel;
  for (const auto& [spi, e] : m_in) n += e->sa.config().mode == esp::Mode::tunnel;
  return n;
}

SaTotals SaTable::totals() const {
  SaTotals t = m_retired;
  for (const auto& [spi, e] : m_out) {
    std::lock_guard g(e->mu);
    add(t, e->sa.config(), nullptr, &e->sa.counters());
  }
  for (const auto& [spi, e] : m_in) {
    std::lock_guard g(e->mu);
    add(t, e->sa.config(), &e->sa.counters(), nullptr);
  }
  return t;
}

std::vector<wire::IpPrefix> SaTable::outbound_destinations() const {
  std::vector<wire::IpPrefix> v;
  for (const auto& [spi, e] : m_out) {
    if (e->meta.selectors)
      v.push_back(e->meta.selectors->remote);
    else if (e->sa.config().mode == esp::Mode::transport)
      v.push_back(wire::IpPrefix::host(e->sa.config().remote));
  }
  return v;
}

void SaTable::poll() {
  for (auto& [spi, e] : m_out) {
    std::lock_guard g(e->mu);
    (void)e->sa.poll();
  }
  for (auto& [spi, e] : m_in) {
    std::lock_guard g(e->mu);
    (void)e->sa.poll();
  }
}

}  // namespace ipseckit::espd
