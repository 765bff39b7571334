// Aggressive Mode, initiator side (RFC 2409 5, 5.4).
#include <algorithm>

#include <fmt/format.h>

#include "ike/aggressive_mode.h"
#include "ike/nat_t.h"
#include "ike/phase1_common.h"
#include "ike/proposal_select.h"

namespace ipseckit::ike {

MmPolicy aggressive_policy(const MmPolicy& p) {
  MmPolicy q = p;
  std::erase_if(q.auth, [](const policy::AuthMethod& m) { return m.kind != policy::AuthKind::psk; });
  if (!q.offers.empty()) {
    const auto g = q.offers.front().group;
    std::erase_if(q.offers, [g](const policy::MmOffer& o) { return o.group != g; });
  }
  return q;
}

namespace {

using isakmp::MessageKind;
using isakmp::NotifyType;
using isakmp::PayloadType;

class AggressiveInitiator final : public Task {
 public:
  AggressiveInitiator(IkeSa& sa, Context& ctx) : m_sa(sa), m_ctx(ctx), m_pol(aggressive_policy(sa.policy())) {}

  std::string_view name() const override { return "Aggressive Mode initiator"; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override { return m_step == StepId::send1 || m_step == StepId::send3; }
  std::optional<MessageKind> expected() const override {
    if (m_step == StepId::wait2) return MessageKind::aggressive_2;
    return std::nullopt;
  }

  Step build(OutMessage& out) override {
    out.exchange = isakmp::ExchangeType::aggressive;
    out.message_id = 0;
    switch (m_step) {
      case StepId::send1: return build1(out);
      case StepId::send3: return build3(out);
      default: return fail(std::nullopt, "internal: Aggressive Mode initiator asked to send out of turn");
    }
  }

  Step process(const InMessage& in) override {
    if (m_step != StepId::wait2) return fail(std::nullopt, "internal: Aggressive Mode initiator got a message out of turn");
    return process2(in);
  }

 private:
  enum class StepId { send1, wait2, send3, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  Step build1(OutMessage& out) {
    if (m_pol.auth.empty())
      return fail(std::nullopt, fmt::format("rule '{}' asks for Aggressive Mode, which needs a pre-shared key method",
                                            m_pol.rule));
    auto sa = make_phase1_offer(m_pol);
    if (!sa) return fail(std::nullopt, sa.error().message);
    // RFC 2409 5: KE travels with the offer, so every transform names the same group.
    const auto group = dh_for(static_cast<isakmp::GroupDescription>(static_cast<std::uint16_t>(m_pol.offers[0].group)));
    if (!group) return fail(std::nullopt, fmt::format("rule '{}': its first offer's group cannot run here", m_pol.rule));
    auto dh = m_ctx.dh.create(*group);
    if (!dh) return fail(std::nullopt, fmt::format("Diffie-Hellman: {}", dh.error().message));
    m_dh = std::move(*dh);
    auto p = isakmp::make_payload(*sa);
    auto body = isakmp::encode_body(p);
    if (!body) return fail(std::nullopt, body.error().message);
    m_sa.results().sai_b = std::move(*body);
    m_mat.g_xi.assign(m_dh->public_value().begin(), m_dh->public_value().end());
    m_mat.ni_b = m_ctx.rng.bytes(kNonceSize);
    auto& r = m_sa.results();
    r.local_id = local_identity(m_sa);
    auto idb = isakmp::encode_body(isakmp::make_payload(*r.local_id));
    if (!idb) return fail(std::nullopt, idb.error().message);
    m_idii_b = std::move(*idb);
    out.payloads.push_back(std::move(p));
    out.payloads.push_back(isakmp::make_payload(isakmp::KePayload{m_mat.g_xi}));
    out.payloads.push_back(isakmp::make_payload(isakmp::NoncePayload{m_mat.ni_b}));
    out.payloads.push_back(isakmp::make_payload(*r.local_id));
    for (auto& v : vendor_ids_mm1(m_ctx.cfg)) out.payloads.push_back(std::move(v));
    out.what = "Aggressive Mode message 1";
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("initiating Aggressive Mode to {} (rule '{}'), offering {} transform{} in one group",
                               m_sa.remote().str(), m_pol.rule, sa->proposals[0].transforms.size(),
                               sa->proposals[0].transforms.size() == 1 ? "" : "s"));
    m_step = StepId::wait2;
    return Step::more();
  }

  Step process2(const InMessage& in) {
    MmSelection sel;
    if (auto s = check_phase1_answer(in.payloads, m_pol, ike_auth_methods(m_pol), sel); s.failed())
      return fail(s.notify, s.reason);
    const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    const isakmp::Payload* idp = nullptr;
    for (const auto& p : in.payloads)
      if (p.type == PayloadType::id && !idp) idp = &p;
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!ke || !nonce || !idp || !hash)
      return fail(NotifyType::payload_malformed, "Aggressive Mode message 2 lacks KE, NONCE, ID or HASH");
    record_choice(m_sa, sel.attrs, m_pol.offers[sel.offer], m_ctx.cfg);
    record_vendors(m_sa, m_ctx.cfg, read_vendors(in.payloads), m_ctx.log);
    if (auto s = complete_key_exchange(m_sa, m_ctx, m_dh, *ke, *nonce, m_mat); s.failed())
      return fail(s.notify, s.reason);
    // RFC 2409 5.4: HASH_R authenticates the responder; nothing in message 2 counts before it.
    if (auto s = accept_psk_peer(m_sa, *idp, hash->data, "Aggressive Mode message 2"); s.failed())
      return fail(s.notify, s.reason);
    detect_nat(m_sa, in.payloads, m_ctx.log);
    // RFC 3947 3.2: our NAT-D hashes name the ports of messages 1/2, so they are made before
    // the float; RFC 3947 4: in Aggressive Mode the initiator floats with message 3.
    m_natd = natd_payloads(m_sa);
    float_to_natt_port(m_sa, m_ctx.log);
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("Aggressive Mode message 2: responder chose {}", describe_phase1(sel.attrs)));
    m_step = StepId::send3;
    return Step::more();
  }

  Step build3(OutMessage& out) {
    auto& r = m_sa.results();
    out.payloads.push_back(isakmp::make_payload(isakmp::HashPayload{r.crypto->keys().hash_i(r.sai_b, m_idii_b)}));
    for (auto& d : m_natd) out.payloads.push_back(std::move(d));
    if (m_sa.send_initial_contact) out.payloads.push_back(initial_contact(m_sa));
    out.encrypt = m_ctx.cfg.aggressive_encrypt_message3;  // EngineConfig: encrypted as strongSwan sends it
    out.expects_reply = false;  // the last message: a retransmitted message 2 is answered from the cache
    out.what = "Aggressive Mode message 3";
    m_step = StepId::done;
    return Step::done();
  }

  IkeSa& m_sa;
  Context& m_ctx;
  MmPolicy m_pol;
  StepId m_step = StepId::send1;
  std::unique_ptr<KeyExchange> m_dh;
  Phase1Material m_mat;
  Bytes m_idii_b;
  std::vector<isakmp::Payload> m_natd;
};

}  // namespace

std::unique_ptr<Task> make_aggressive_initiator(IkeSa& sa, Context& ctx) {
  return std::make_unique<AggressiveInitiator>(sa, ctx);
}

}  // namespace ipseckit::ike
