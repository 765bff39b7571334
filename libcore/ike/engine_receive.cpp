// Engine: the receive path. Shape first (decode), then which SA and exchange, then the
// duplicate check, then the expected-next-message guard, decryption, the exchange's payload
// rule table, and only then the task (which verifies HASH before acting).
#include <fmt/format.h>

#include "crypto/hash.h"
#include "ike/engine.h"
#include "ike/aggressive_mode.h"
#include "ike/main_mode.h"
#include "ike/quick_mode.h"

namespace ipseckit::ike {

using isakmp::ExchangeType;

void Engine::drop(IkeSa* sa, std::string_view kind, std::string text) {
  if (sa) sa->last_drop = text;
  m_log.limited(kind, sa ? fmt::format("{}: {}", sa->label(), text) : std::move(text));
}

void Engine::receive(const Endpoint& local, const Endpoint& remote, ByteView datagram) {
  ++m_stats.received;
  m_rx_local = local;
  m_rx_remote = remote;
  ByteView d = datagram;
  if (local.port == kNatTPort) {
    if (d.size() == 1 && d[0] == 0xFF) return;  // RFC 3948 2.3 NAT-keepalive
    // RFC 3948 2.2: IKE carries a 4-byte zero non-ESP marker; anything else is ESP.
    if (d.size() < 4 || d[0] || d[1] || d[2] || d[3]) {
      ++m_stats.malformed;
      drop(nullptr, "non-ike", fmt::format("datagram from {} on port 4500 without the non-ESP marker dropped", remote.str()));
      return;
    }
    d = d.subspan(4);
  }
  auto m = isakmp::decode_message(d);
  if (!m) {
    ++m_stats.malformed;
    drop(nullptr, "malformed", fmt::format("malformed ISAKMP datagram from {} dropped: {}", remote.str(), m.error().message));
    return;
  }
  dispatch(local, remote, *m, d);
  collect();
}

void Engine::reassemble(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m) {
  const auto& h = m.header;
  // Fragments are accepted only for an IKE SA that exists with this peer and announced
  // FRAGMENTATION: an unauthenticated sender cannot make us buffer anything else.
  IkeSa* sa = find(h.initiator_cookie, h.responder_cookie);
  if (!sa || sa->remote().addr != remote.addr || !sa->peer_fragmentation) {
    ++m_stats.unknown_sa;
    drop(sa, "fragment", fmt::format("IKE fragment from {} for no SA that negotiated fragmentation dropped", remote.str()));
    return;
  }
  if (auto st = isakmp::validate(isakmp::rules_for(isakmp::MessageKind::fragment), h, m.payloads); !st) {
    ++m_stats.malformed;
    drop(sa, "fragment", fmt::format("IKE fragment refused: {}", st.error().message));
    return;
  }
  ++m_stats.fragments_received;
  auto whole = sa->reassembly.add(*m.payloads.front().as<isakmp::FragmentPayload>(), m_env.clock.now());
  if (!whole) {
    ++m_stats.malformed;
    drop(sa, "fragment", fmt::format("IKE fragment refused: {}", whole.error().message));
    return;
  }
  if (!*whole) return;
  const Bytes msg = std::move(**whole);
  auto inner = isakmp::decode_message(msg);
  if (!inner || inner->header.next_payload == isakmp::PayloadType::fragment) {
    ++m_stats.malformed;
    drop(sa, "fragment", "reassembled IKE fragments do not form a valid message; dropped");
    return;
  }
  m_log.emit(log::Level::diag, sa->label(), fmt::format("reassembled a {}-byte message from fragments", msg.size()));
  dispatch(local, remote, *inner, msg);
}

void Engine::dispatch(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m, ByteView raw) {
  const auto& h = m.header;
  if (h.next_payload == isakmp::PayloadType::fragment && !h.encrypted()) {
    reassemble(local, remote, m);
    return;
  }
  IkeSa* sa = find(h.initiator_cookie, h.responder_cookie);
  if (!sa && h.responder_cookie != isakmp::Cookie{}) {
    // Main (Aggressive) Mode message 2 names the responder cookie for the first time.
    IkeSa* mine = find(h.initiator_cookie, isakmp::Cookie{});
    const ExchangeType ours = mine && mine->aggressive ? ExchangeType::aggressive : ExchangeType::main_mode;
    const auto second = mine && mine->aggressive ? isakmp::MessageKind::aggressive_2 : isakmp::MessageKind::main_mode_2;
    if (mine && mine->initiator() && mine->state() == SaState::connecting && mine->remote().addr == remote.addr &&
        mine->phase1 && mine->phase1->expected() == second) {
      if (h.exchange == ours) {
        reindex(*mine, h.responder_cookie);
        sa = mine;
      } else if (h.exchange == ExchangeType::informational && !h.encrypted()) {
        handle_informational(*mine, m);  // a refusal of message 1: logged, never acted upon
        return;
      }
    }
  }
  if (!sa) {
    if (h.responder_cookie == isakmp::Cookie{} &&
        (h.exchange == ExchangeType::main_mode || h.exchange == ExchangeType::aggressive) && h.message_id == 0 &&
        !h.encrypted()) {
      respond_main_mode(local, remote, m, raw);
      return;
    }
    ++m_stats.unknown_sa;
    if (explain_stale_cookie(remote, h)) return;
    drop(nullptr, "unknown-sa",
         fmt::format("{} message from {} for unknown cookies {}/{} dropped", h.exchange, remote.str(),
                     to_hex(h.initiator_cookie), to_hex(h.responder_cookie)));
    return;
  }
  if (sa->remote().addr != remote.addr) {
    ++m_stats.unknown_sa;
    drop(sa, "wrong-peer", fmt::format("message from {} for an SA with {} dropped", remote.str(), sa->remote().str()));
    return;
  }
  handle(*sa, m, raw);
}

void Engine::respond_main_mode(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m, ByteView raw) {
  auto pol = m_env.policy.main_mode(local.addr, remote.addr);
  if (!pol) {
    drop(nullptr, "no-policy",
         fmt::format("{} from {} refused: no rule of the SPD (and no default response) covers this peer",
                     m.header.exchange == ExchangeType::aggressive ? "Aggressive Mode" : "Main Mode", remote.str()));
    return;
  }
  const bool aggressive = m.header.exchange == ExchangeType::aggressive;
  if (aggressive && !respond_aggressive_by_id(local, remote, m, pol)) return;
  if (aggressive && !pol->aggressive_responder) {
    // RFC 2409 5: Aggressive Mode exposes the identities and lets an eavesdropper test
    // guesses of the pre-shared key offline; answered only where a rule asks for it.
    ++m_stats.aggressive_refused;
    drop(nullptr, "aggressive-refused",
         fmt::format("peer {} started Aggressive Mode; rule '{}' does not allow it (set \"aggressive_mode\": true on "
                     "the rule to answer it); refused with INVALID-EXCHANGE-TYPE",
                     remote.str(), pol->rule));
    send_plain_notify(local, remote, m.header.initiator_cookie, isakmp::Cookie{},
                      isakmp::NotifyType::invalid_exchange_type);
    return;
  }
  if (!admit_half_open(remote, aggressive ? "Aggressive Mode" : "Main Mode")) return;
  IkeSa& sa = create_sa(false, local, remote, m.header.initiator_cookie, std::move(*pol));
  sa.aggressive = aggressive;
  m_half_open.insert(sa.id());
  reindex(sa, responder_cookie(remote, sa.cky_i()));
  // Retransmissions of message 1 still carry a zero responder cookie: find the SA by CKY-I.
  m_by_cookies[{sa.cky_i(), isakmp::Cookie{}}] = sa.id();
  sa.send_initial_contact = m_cfg.send_initial_contact && !holds_other_sa(remote.addr, sa.id());
  sa.phase1 = aggressive ? make_aggressive_responder(sa, m_ctx) : make_main_mode_responder(sa, m_ctx);
  handle(sa, m, raw);
}

// Aggressive Mode names the initiator in message 1 (IDii, RFC 2409 5.4): the rule, and with it
// the pre-shared key, is the one that names this identity as its peer ID (RFC 2407 4.6.2.1),
// else the peer's address rule when that names no peer ID. false: refused (logged, notified).
bool Engine::respond_aggressive_by_id(const Endpoint& local, const Endpoint& remote, const isakmp::Message& m,
                                      std::optional<MmPolicy>& pol) {
  const isakmp::IdPayload* id = nullptr;
  for (const auto& p : m.payloads)
    if (p.type == isakmp::PayloadType::id && !id) id = p.as<isakmp::IdPayload>();
  if (!id) return true;  // malformed: the responder task refuses it with PAYLOAD-MALFORMED
  auto by_id = m_env.policy.main_mode_for_id(local.addr, remote.addr, *id);
  if (by_id) {
    pol = std::move(by_id);
    return true;
  }
  ++m_stats.aggressive_refused;
  drop(nullptr, "aggressive-refused",
       fmt::format("peer {} started Aggressive Mode as {}; no rule covering it names that identity (rule '{}' "
                   "expects {}); refused with INVALID-ID-INFORMATION",
                   remote.str(), id->str(), pol->rule, pol->peer_id ? pol->peer_id->str() : std::string("another")));
  send_plain_notify(local, remote, m.header.initiator_cookie, isakmp::Cookie{},
                    isakmp::NotifyType::invalid_id_information);
  return false;
}

void Engine::handle(IkeSa& sa, const isakmp::Message& m, ByteView raw) {
  const auto& h = m.header;
  Bytes digest = crypto::digest(crypto::HashAlg::sha1, raw);
  // A retransmission of the peer's last message: answer from the cache, never reprocess.
  if (IkeSa::Answered* a = sa.answered_for(h.message_id); a && a->digest == digest) {
    ++m_stats.duplicates;
    if (!a->response.empty() && a->answers < m_cfg.max_duplicate_answers) {
      ++a->answers;
      send_datagram(sa, a->response);
      m_log.emit(log::Level::diag, sa.label(), "retransmitted message from the peer answered from the cache");
    }
    return;
  }
  if (sa.state() == SaState::failed || sa.state() == SaState::deleted) {
    drop(&sa, "dead-sa", fmt::format("{} message for a {} SA dropped", h.exchange, name(sa.state())));
    return;
  }
  switch (h.exchange) {
    case ExchangeType::main_mode:
    case ExchangeType::aggressive:
      if (h.message_id != 0 || (h.exchange == ExchangeType::aggressive) != sa.aggressive) {
        drop(&sa, "bad-mid", fmt::format("{} message with a non-zero message id, or for a {} SA, dropped", h.exchange,
                                         sa.aggressive ? "Aggressive Mode" : "Main Mode"));
        return;
      }
      handle_task(sa, *sa.phase1, m, digest);
      return;
    case ExchangeType::quick_mode: {
      if (!sa.usable()) {
        ++m_stats.out_of_order;
        drop(&sa, "out-of-order", "Quick Mode before phase 1 completed dropped");
        return;
      }
      auto it = sa.quick.find(h.message_id);
      if (it == sa.quick.end()) {
        if (h.message_id == 0 || sa.message_id_used(h.message_id)) {
          ++m_stats.replays;
          drop(&sa, "replay", fmt::format("Quick Mode with used message id {:08x} dropped (replay)", h.message_id));
          return;
        }
        it = sa.quick.emplace(h.message_id, make_quick_mode_responder(sa, m_ctx, h.message_id)).first;
      }
      handle_task(sa, *it->second, m, digest);
      return;
    }
    case ExchangeType::informational:
      handle_informational(sa, m);
      return;
    default:
      drop(&sa, "exchange", fmt::format("{} exchange not supported; dropped", h.exchange));
      return;
  }
}

void Engine::handle_task(IkeSa& sa, Task& task, const isakmp::Message& m, const Bytes& digest) {
  const auto& h = m.header;
  const std::uint32_t mid = h.message_id;
  const auto kind = task.expected();
  if (!kind) {
    ++m_stats.out_of_order;
    drop(&sa, "out-of-order", fmt::format("{} message arrived while {} expects nothing; dropped", h.exchange, task.name()));
    return;
  }
  const auto& rules = isakmp::rules_for(*kind);
  std::vector<isakmp::Payload> decrypted;
  const std::vector<isakmp::Payload>* payloads = &m.payloads;
  crypto::IvChain* chain = nullptr;
  if (h.encrypted()) {
    Phase1Crypto* c = sa.crypto();
    if (!c) {
      ++m_stats.out_of_order;
      drop(&sa, "out-of-order", fmt::format("encrypted message while {} expects {}; dropped", task.name(), rules.name));
      return;
    }
    chain = task.iv_chain() ? task.iv_chain() : &c->keys().phase1_iv();
    auto ps = c->decrypt(h.next_payload, m.ciphertext, chain->iv());
    if (!ps) {
      if (*kind == isakmp::MessageKind::main_mode_5 || *kind == isakmp::MessageKind::main_mode_6 ||
          *kind == isakmp::MessageKind::aggressive_3) {
        // The first encrypted message of phase 1: keys that disagree are the usual cause.
        task_failed(sa, task, mid,
                    Step::fail(isakmp::NotifyType::authentication_failed,
                               fmt::format("{} from {} does not decrypt to valid payloads ({}): the pre-shared keys "
                                           "of the two sides probably differ",
                                           rules.name, sa.remote().str(), ps.error().message)),
                    false);
        return;
      }
      ++m_stats.bad_hash;
      drop(&sa, "undecryptable", fmt::format("{} does not decrypt ({}); dropped", rules.name, ps.error().message));
      return;
    }
    decrypted = std::move(*ps);
    payloads = &decrypted;
  }
  if (auto st = isakmp::validate(rules, h, *payloads); !st) {
    // The expected message, but not shaped as the rule table requires. Unauthenticated
    // senders could forge this, so the exchange goes on (the peer may retransmit).
    ++m_stats.malformed;
    drop(&sa, "rules", fmt::format("{} refused: {}", rules.name, st.error().message));
    return;
  }
  const Step s = task.process(InMessage{h, *payloads});
  if (s.failed()) {
    // It decrypted: the peer's IV chain includes it, so our error notify must follow it too.
    if (chain) chain->advance(m.ciphertext);
    if (s.notify == isakmp::NotifyType::invalid_hash_information) ++m_stats.bad_hash;
    // A failing phase 1 ends here: its error notify goes where MM5/MM6/AM3 came from, 4500
    // after the float (RFC 3947 4). An established SA moves only on authenticated messages.
    if (h.encrypted() && &task == sa.phase1.get()) follow_peer(sa);
    task_failed(sa, task, mid, s);
    return;
  }
  if (chain) chain->advance(m.ciphertext);  // authenticated: commit the IV (RFC 2409 appendix B)
  if (h.encrypted()) follow_peer(sa);
  sa.pending.erase(mid);
  sa.last_received = m_env.clock.now();
  m_log.emit(log::Level::diag, sa.label(), fmt::format("processed {} ({})", rules.name, h.encrypted() ? "encrypted" : "clear"));
  const bool done_now = s.kind == Step::Kind::done;
  Bytes response = run_output(sa, task, mid);
  sa.record_answer(mid, digest, std::move(response), m_cfg.remembered_message_ids + 1);
  if (done_now) task_done(sa, task, mid);
}

}  // namespace ipseckit::ike
