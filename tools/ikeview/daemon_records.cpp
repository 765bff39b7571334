// The engine's callbacks: SAs into the store (records.h), engine events into the event log.
#include <algorithm>

#include <fmt/format.h>

#include "esp/sa_record.h"
#include "ikeview/daemon.h"
#include "ikeview/esp_records.h"

namespace ipseckit::ikeview {

using log::Level;

ike::Callbacks Daemon::callbacks() {
  ike::Callbacks cb;
  cb.phase1_up = [this](const ike::Phase1Info& i) { phase1_up(i); };
  cb.phase1_down = [this](const ike::Phase1Info& i, std::string_view r) { phase1_down(i, r); };
  cb.phase2_up = [this](const ike::Phase2Info& i) { phase2_up(i); };
  cb.phase2_down = [this](const ike::Phase2Info& i, std::string_view r) { phase2_down(i, r); };
  cb.event = [this](const ike::LogEvent& e) { engine_event(e); };
  return cb;
}

// Every engine line at audit/control/diag goes to the store's ring (the "Oakley log"); raw and
// private lines (packet dumps, keys) stay out of it. The engine already wrote it to stderr.
void Daemon::engine_event(const ike::LogEvent& e) {
  if (e.level > Level::diag) return;
  if (e.level == Level::audit) {
    m_last_audit = e.text;
    if (!e.sa.empty()) m_last_failure[e.sa] = e.text;
  }
  (void)m_client.log_nowait("ike", log::name(e.level), e.text);  // no round trip per line
}

// Records go out as transactions without waiting for the answer (one write per SA, no round
// trip per negotiation); each stays all-or-nothing at the agent, and settle_records() handles
// refusals once their answers arrive.
void Daemon::put_records(std::vector<store::TxnOp> ops, std::string_view what) {
  store::Txn t;
  t.ops = std::move(ops);
  if (auto r = m_client.txn_nowait(std::move(t)); !r) note(Level::audit, fmt::format("cannot store {}: {}", what, r.error().message));
}

void Daemon::delete_records(const std::vector<std::string>& keys, std::string_view what) {
  std::vector<store::TxnOp> ops;
  for (const auto& k : keys) ops.push_back(store::TxnOp::del(k));
  store::Txn t;
  t.ops = std::move(ops);
  if (auto r = m_client.txn_nowait(std::move(t)); !r) note(Level::audit, fmt::format("cannot delete the records of {}: {}", what, r.error().message));
}

void Daemon::settle_records() {
  for (auto& f : m_client.take_failed()) {
    const bool deletes = std::all_of(f.ops.begin(), f.ops.end(), [](const store::TxnOp& o) { return o.kind == store::TxnOp::Kind::del; });
    if (deletes) {
      // A txn fails as a whole when one key is already gone: fall back to one by one.
      for (const auto& o : f.ops) (void)m_client.del(o.key);
    } else {
      note(Level::audit, fmt::format("cannot store {}: {}", f.ops.empty() ? std::string("records") : f.ops.front().key,
                                     f.error.message));
    }
  }
}

void Daemon::phase1_up(const ike::Phase1Info& i) {
  const std::string key = mm_key(i);
  const std::string secret = kMmSecretPrefix + cookies_hex(i.cky_i, i.cky_r);
  put_records({store::TxnOp::put_text(key, mm_record(i, "established", unix_now())),
               store::TxnOp::put_text(secret, mm_secret(i))},
              "IKE SA " + key);
  m_p1_keys[i.id] = {key, secret};
}

void Daemon::phase1_down(const ike::Phase1Info& i, std::string_view reason) {
  auto it = m_p1_keys.find(i.id);
  if (it == m_p1_keys.end()) return;
  delete_records(it->second, reason);
  m_p1_keys.erase(it);
}

void Daemon::phase2_up(const ike::Phase2Info& i) {
  std::vector<store::TxnOp> ops;
  std::vector<std::string> keys;
  const std::string key = qm_key(i);
  const auto now = unix_now();
  ops.push_back(store::TxnOp::put_text(key, qm_record(i, "established", now)));
  keys.push_back(key);
  auto sas = esp_records(i, now);
  if (!sas) {
    note(Level::audit, fmt::format("phase-2 SA {} has no data-plane record: {}", key, sas.error().message));
  } else {
    for (auto& e : *sas) {
      ops.push_back(store::TxnOp::put_text(e.public_key, std::move(e.public_text)));
      ops.push_back(store::TxnOp::put_text(e.secret_key, std::move(e.secret_text)));
      keys.push_back(e.public_key);
      keys.push_back(e.secret_key);
    }
  }
  put_records(std::move(ops), "phase-2 SA " + key);
  m_p2_keys[i.id] = std::move(keys);
  for (auto& [k, r] : m_requests)
    if (i.remote.addr == r.peer && (r.rule.empty() || r.rule == i.rule)) {
      finish(r, true, i.describe(), store::Json{{"spi_in", spi_hex(i.protos.empty() ? 0 : i.protos[0].spi_in)},
                                                {"spi_out", spi_hex(i.protos.empty() ? 0 : i.protos[0].spi_out)}});
    }
}

void Daemon::phase2_down(const ike::Phase2Info& i, std::string_view reason) {
  auto it = m_p2_keys.find(i.id);
  if (it == m_p2_keys.end()) return;
  delete_records(it->second, reason);
  m_p2_keys.erase(it);
}

}  // namespace ipseckit::ikeview
