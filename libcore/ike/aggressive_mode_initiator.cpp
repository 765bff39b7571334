// Aggressive Mode, initiator side (RFC 2409 5, 5.4).
#include <algorithm>

#include <fmt/format.h>

#include "crypto/random.h"
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
    const auto* sa = find_body<isakmp::SaPayload>(in.payloads, PayloadType::sa);
    if (!sa || sa->proposals.size() != 1 || sa->proposals[0].transforms.size() != 1)
      return fail(NotifyType::bad_proposal_syntax, "the responder's SA must hold exactly one proposal with one transform");
    auto sel = select_main_mode(*sa, m_pol.offers, ike_auth_methods(m_pol),
                                fmt::format("rule '{}' offered only", m_pol.rule));
    if (!sel)
      return fail(NotifyType::no_proposal_chosen,
                  fmt::format("the responder chose a transform we did not offer: {}", sel.error().message));
    if (!suite_for(sel->attrs) || !dh_for(*sel->attrs.group))
      return fail(NotifyType::no_proposal_chosen, fmt::format("cannot run {}", isakmp::describe(sel->attrs)));
    const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    const isakmp::Payload* idp = nullptr;
    for (const auto& p : in.payloads)
      if (p.type == PayloadType::id && !idp) idp = &p;
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!ke || !nonce || !idp || !hash)
      return fail(NotifyType::payload_malformed, "Aggressive Mode message 2 lacks KE, NONCE, ID or HASH");
    record_choice(m_sa, sel->attrs, m_pol.offers[sel->offer], m_ctx.cfg);
    record_vendors(m_sa, m_ctx.cfg, read_vendors(in.payloads), m_ctx.log);
    m_mat.g_xr = ke->data;
    m_mat.nr_b = nonce->data;
    auto g_xy = m_dh->shared_secret(m_mat.g_xr);
    if (!g_xy)
      return fail(NotifyType::invalid_key_information,
                  fmt::format("the responder's public value is unusable: {}", g_xy.error().message));
    if (auto st = derive_phase1_keys(m_sa, m_ctx, *g_xy, m_mat); !st)
      return fail(NotifyType::authentication_failed, st.error().message);
    m_dh.reset();
    auto idb = isakmp::encode_body(*idp);
    if (!idb) return fail(NotifyType::payload_malformed, idb.error().message);
    auto& r = m_sa.results();
    // RFC 2409 5.4: HASH_R authenticates the responder; nothing in message 2 counts before it.
    if (!crypto::equal_ct(r.crypto->keys().hash_r(r.sai_b, *idb), hash->data))
      return fail(NotifyType::authentication_failed,
                  "HASH_R from the responder does not verify: the pre-shared keys (or the responder's keys) differ");
    if (auto st = check_peer_id(m_sa, *idp->as<isakmp::IdPayload>()); !st)
      return fail(NotifyType::invalid_id_information, "Aggressive Mode message 2: " + st.error().message);
    r.peer_id = *idp->as<isakmp::IdPayload>();
    detect_nat(m_sa, in.payloads, m_ctx.log);
    // RFC 3947 3.2: our NAT-D hashes name the ports of messages 1/2, so they are made before
    // the float; RFC 3947 4: in Aggressive Mode the initiator floats with message 3.
    m_natd = natd_payloads(m_sa);
    float_to_natt_port(m_sa, m_ctx.log);
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("Aggressive Mode message 2: responder chose {}", describe_phase1(sel->attrs)));
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
