// Engine: building, framing, encrypting and sending messages; retransmission bookkeeping.
#include <fmt/format.h>

#include "ike/engine.h"
#include "ike/quick_mode.h"
#include "ike/quick_mode_common.h"

namespace ipseckit::ike {

Result<Bytes> Engine::frame(IkeSa& sa, Task* task, const OutMessage& out) {
  isakmp::Header h;
  h.initiator_cookie = sa.cky_i();
  h.responder_cookie = sa.cky_r();
  h.exchange = out.exchange;
  h.message_id = out.message_id;
  if (!out.encrypt) return isakmp::encode_message(h, out.payloads);
  Phase1Crypto* c = sa.crypto();
  if (!c) return Error::make("internal", fmt::format("{} must be encrypted but no keys exist", out.what));
  crypto::IvChain* chain = task ? task->iv_chain() : nullptr;
  if (!chain) chain = &c->keys().phase1_iv();
  auto ct = c->encrypt(out.payloads, *chain);
  if (!ct) return std::move(ct).error();
  const isakmp::PayloadType first = out.payloads.empty() ? isakmp::PayloadType::none : out.payloads.front().type;
  return isakmp::encode_encrypted(h, first, *ct);
}

void Engine::send_raw(const Endpoint& local, const Endpoint& remote, ByteView datagram) {
  if (local.port == kNatTPort) {
    // RFC 3948 2.2: IKE on port 4500 carries the 4-byte non-ESP marker.
    Bytes b(4, 0);
    b.insert(b.end(), datagram.begin(), datagram.end());
    m_env.transport.send(local, remote, b);
    return;
  }
  m_env.transport.send(local, remote, datagram);
}

void Engine::send_datagram(IkeSa& sa, ByteView datagram) {
  const std::size_t overhead = std::size_t{sa.remote().addr.is_v4() ? 28u : 48u} + (sa.local().port == kNatTPort ? 4u : 0u);
  if (sa.peer_fragmentation && m_cfg.fragment_size > overhead && datagram.size() + overhead > m_cfg.fragment_size) {
    // strongSwan/Windows style: the whole message cut into FRAGMENT payloads, each in an
    // ISAKMP message of its own; a retransmission sends every fragment again.
    auto frags = isakmp::fragment_message(datagram, ++sa.fragment_id, m_cfg.fragment_size - overhead);
    if (frags) {
      for (const auto& f : *frags) send_raw(sa.local(), sa.remote(), f);
      m_stats.fragments_sent += frags->size();
      return;
    }
    m_log.emit(log::Level::audit, sa.label(), fmt::format("cannot fragment a {}-byte message ({}); sent whole",
                                                          datagram.size(), frags.error().message));
  }
  send_raw(sa.local(), sa.remote(), datagram);
}

Bytes Engine::run_output(IkeSa& sa, Task& task, std::uint32_t mid) {
  Bytes last;
  while (task.has_output()) {
    OutMessage out;
    const Step s = task.build(out);
    if (s.failed()) {
      task_failed(sa, task, mid, s);
      return {};
    }
    auto bytes = frame(sa, &task, out);
    if (!bytes) {
      task_failed(sa, task, mid, Step::fail(std::nullopt, fmt::format("cannot encode {}: {}", out.what, bytes.error().message)));
      return {};
    }
    send_datagram(sa, *bytes);
    m_log.emit(log::Level::diag, sa.label(), fmt::format("sent {} ({} bytes) to {}", out.what, bytes->size(), sa.remote().str()));
    if (out.expects_reply) {
      const auto wait = m_cfg.retransmit.initial;
      sa.pending[mid] = IkeSa::Pending{*bytes, out.what, m_env.clock.now() + wait, wait, 0};
    } else {
      sa.pending.erase(mid);
    }
    last = std::move(*bytes);
    if (s.kind == Step::Kind::done) {
      task_done(sa, task, mid);
      break;
    }
  }
  return last;
}

void Engine::send_informational(IkeSa& sa, std::vector<isakmp::Payload> body, std::string_view what) {
  Phase1Crypto* c = sa.crypto();
  // Phase-1 errors (a refused message 5/6) travel protected as soon as keys exist.
  if (!c || !(sa.usable() || sa.state() == SaState::connecting)) return;
  const std::uint32_t mid = new_message_id(sa);
  sa.remember_message_id(mid, m_cfg.remembered_message_ids);
  std::vector<isakmp::Payload> ps;
  ps.push_back(hash_placeholder());
  for (auto& p : body) ps.push_back(std::move(p));
  auto rest = after_hash(ps);
  if (!rest) return;
  // RFC 2409 5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D).
  fill_hash(ps, c->keys().informational_hash(mid, *rest));
  crypto::IvChain chain = c->keys().phase2_iv(mid);
  auto ct = c->encrypt(ps, chain);
  if (!ct) return;
  isakmp::Header h;
  h.initiator_cookie = sa.cky_i();
  h.responder_cookie = sa.cky_r();
  h.exchange = isakmp::ExchangeType::informational;
  h.message_id = mid;
  auto bytes = isakmp::encode_encrypted(h, isakmp::PayloadType::hash, *ct);
  if (!bytes) return;
  send_datagram(sa, *bytes);
  m_log.emit(log::Level::diag, sa.label(), fmt::format("sent Informational ({})", what));
}

void Engine::send_plain_notify(const Endpoint& local, const Endpoint& remote, const isakmp::Cookie& ci,
                               const isakmp::Cookie& cr, isakmp::NotifyType type) {
  // RFC 2408 4.8 / 5: before keys exist, errors travel in an unprotected Informational. The
  // peer cannot trust it (nor do we trust theirs), but it helps the admin on the other side.
  isakmp::NotifyPayload n;
  n.protocol = isakmp::ProtocolId::isakmp;
  n.type = type;
  n.spi.assign(ci.begin(), ci.end());
  n.spi.insert(n.spi.end(), cr.begin(), cr.end());
  isakmp::Header h;
  h.initiator_cookie = ci;
  h.responder_cookie = cr;
  h.exchange = isakmp::ExchangeType::informational;
  std::vector<isakmp::Payload> ps{isakmp::make_payload(std::move(n))};
  auto bytes = isakmp::encode_message(h, ps);
  if (bytes) send_raw(local, remote, *bytes);
}

}  // namespace ipseckit::ike
