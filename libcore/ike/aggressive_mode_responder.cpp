// Aggressive Mode, responder side (RFC 2409 5, 5.4). Unlike Main Mode the responder computes
// g^xy on message 1: the engine admits message 1 only within the half-open limits, and
// only when the peer's rule allows Aggressive Mode (engine_receive.cpp).
#include <fmt/format.h>

#include "ike/aggressive_mode.h"
#include "ike/nat_t.h"
#include "ike/phase1_common.h"
#include "ike/proposal_select.h"

namespace ipseckit::ike {
namespace {

using isakmp::MessageKind;
using isakmp::NotifyType;
using isakmp::PayloadType;

class AggressiveResponder final : public Task {
 public:
  AggressiveResponder(IkeSa& sa, Context& ctx) : m_sa(sa), m_ctx(ctx), m_pol(aggressive_policy(sa.policy())) {}

  std::string_view name() const override { return "Aggressive Mode responder"; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override { return m_step == StepId::send2; }
  std::optional<MessageKind> expected() const override {
    switch (m_step) {
      case StepId::wait1: return MessageKind::aggressive_1;
      case StepId::wait3: return MessageKind::aggressive_3;
      default: return std::nullopt;
    }
  }

  Step process(const InMessage& in) override {
    switch (m_step) {
      case StepId::wait1: return process1(in);
      case StepId::wait3: return process3(in);
      default: return fail(std::nullopt, "internal: Aggressive Mode responder got a message out of turn");
    }
  }

  Step build(OutMessage& out) override {
    out.exchange = isakmp::ExchangeType::aggressive;
    out.message_id = 0;
    if (m_step != StepId::send2) return fail(std::nullopt, "internal: Aggressive Mode responder asked to send out of turn");
    return build2(out);
  }

 private:
  enum class StepId { wait1, send2, wait3, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  static const isakmp::Payload* first(const std::vector<isakmp::Payload>& ps, PayloadType t) {
    for (const auto& p : ps)
      if (p.type == t) return &p;
    return nullptr;
  }

  Step process1(const InMessage& in) {
    const auto* sa = find_body<isakmp::SaPayload>(in.payloads, PayloadType::sa);
    const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    const isakmp::Payload* idp = first(in.payloads, PayloadType::id);
    if (!sa || !ke || !nonce || !idp)
      return fail(NotifyType::payload_malformed, "Aggressive Mode message 1 lacks SA, KE, NONCE or ID");
    auto sel = select_main_mode(*sa, m_pol.offers, ike_auth_methods(m_pol),
                                fmt::format("rule '{}' allows only (pre-shared key, in Aggressive Mode)", m_pol.rule));
    if (!sel) return fail(NotifyType::no_proposal_chosen, sel.error().message);
    if (!dh_for(*sel->attrs.group) || !suite_for(sel->attrs))
      return fail(NotifyType::no_proposal_chosen,
                  fmt::format("rule '{}' names {}, which this build cannot run", m_pol.rule, isakmp::describe(sel->attrs)));
    auto sai = isakmp::encode_body(*first(in.payloads, PayloadType::sa));
    auto idb = isakmp::encode_body(*idp);
    if (!sai || !idb) return fail(NotifyType::payload_malformed, "Aggressive Mode message 1: cannot re-encode SA or ID");
    auto& r = m_sa.results();
    r.sai_b = std::move(*sai);
    m_idii_b = std::move(*idb);
    m_idii = *idp->as<isakmp::IdPayload>();
    // The PSK is chosen by the identity the initiator claims (AM's purpose: peers behind NATs
    // or with changing addresses); an address ID names the key's peer, otherwise its source.
    r.psk_lookup = m_idii.as_address();
    record_choice(m_sa, sel->attrs, m_pol.offers[sel->offer], m_ctx.cfg);
    m_vendors = read_vendors(in.payloads);
    record_vendors(m_sa, m_ctx.cfg, m_vendors, m_ctx.log);
    m_answer = make_phase1_answer(*sa, sel->proposal, sel->transform);
    std::unique_ptr<KeyExchange> dh;
    if (auto s = complete_key_exchange(m_sa, m_ctx, dh, *ke, *nonce, m_mat); s.failed())
      return fail(s.notify, s.reason);
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("{} is initiating Aggressive Mode as {} (rule '{}' allows it); chose {}",
                               m_sa.remote().str(), m_idii.str(), m_pol.rule, describe_phase1(sel->attrs)));
    m_step = StepId::send2;
    return Step::more();
  }

  Step build2(OutMessage& out) {
    auto& r = m_sa.results();
    r.local_id = local_identity(m_sa);
    auto idb = isakmp::encode_body(isakmp::make_payload(*r.local_id));
    if (!idb) return fail(std::nullopt, idb.error().message);
    out.payloads.push_back(isakmp::make_payload(m_answer));
    out.payloads.push_back(isakmp::make_payload(isakmp::KePayload{m_mat.g_xr}));
    out.payloads.push_back(isakmp::make_payload(isakmp::NoncePayload{m_mat.nr_b}));
    out.payloads.push_back(isakmp::make_payload(*r.local_id));
    out.payloads.push_back(isakmp::make_payload(isakmp::HashPayload{r.crypto->keys().hash_r(r.sai_b, *idb)}));
    for (auto& d : natd_payloads(m_sa)) out.payloads.push_back(std::move(d));
    for (auto& v : vendor_ids_mm2(m_ctx.cfg, m_vendors)) out.payloads.push_back(std::move(v));
    // The initiator sends nothing after message 3: we retransmit message 2 until it arrives.
    out.expects_reply = true;
    out.what = "Aggressive Mode message 2";
    m_step = StepId::wait3;
    return Step::more();
  }

  Step process3(const InMessage& in) {
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!hash) return fail(NotifyType::authentication_failed, "Aggressive Mode message 3 lacks HASH (pre-shared key)");
    auto& r = m_sa.results();
    // RFC 2409 5.4: HASH_I over IDii_b of message 1; nothing in message 3 counts before it.
    if (auto s = accept_psk_peer(m_sa, m_idii_b, m_idii, hash->data, "Aggressive Mode message 3", true); s.failed())
      return fail(s.notify, s.reason);
    detect_nat(m_sa, in.payloads, m_ctx.log);
    r.initial_contact_received = has_notify(in.payloads, NotifyType::initial_contact);
    m_step = StepId::done;
    return Step::done();
  }

  IkeSa& m_sa;
  Context& m_ctx;
  MmPolicy m_pol;
  StepId m_step = StepId::wait1;
  isakmp::SaPayload m_answer;
  PeerVendors m_vendors;
  Phase1Material m_mat;
  Bytes m_idii_b;
  isakmp::IdPayload m_idii;
};

}  // namespace

std::unique_ptr<Task> make_aggressive_responder(IkeSa& sa, Context& ctx) {
  return std::make_unique<AggressiveResponder>(sa, ctx);
}

}  // namespace ipseckit::ike
