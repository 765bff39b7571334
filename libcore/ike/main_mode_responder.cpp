// Main Mode, responder side (RFC 2409 5, 5.4). The responder does no Diffie-Hellman work
// before message 3 arrives on the SA its message 2 created.
#include <fmt/format.h>

#include "ike/main_mode.h"
#include "ike/nat_t.h"
#include "ike/phase1_cert.h"
#include "ike/phase1_common.h"
#include "ike/proposal_select.h"

namespace ipseckit::ike {
namespace {

using isakmp::MessageKind;
using isakmp::NotifyType;
using isakmp::PayloadType;

class MainModeResponder final : public Task {
 public:
  MainModeResponder(IkeSa& sa, Context& ctx) : m_sa(sa), m_ctx(ctx) {}

  std::string_view name() const override { return "Main Mode responder"; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override {
    return m_step == StepId::send2 || m_step == StepId::send4 || m_step == StepId::send6;
  }
  std::optional<MessageKind> expected() const override {
    switch (m_step) {
      case StepId::wait1: return MessageKind::main_mode_1;
      case StepId::wait3: return MessageKind::main_mode_3;
      case StepId::wait5: return MessageKind::main_mode_5;
      default: return std::nullopt;
    }
  }

  Step process(const InMessage& in) override {
    switch (m_step) {
      case StepId::wait1: return process1(in);
      case StepId::wait3: return process3(in);
      case StepId::wait5: return process5(in);
      default: return fail(std::nullopt, "internal: Main Mode responder got a message out of turn");
    }
  }

  Step build(OutMessage& out) override {
    out.exchange = isakmp::ExchangeType::main_mode;
    out.message_id = 0;
    // A responder's message is an answer: the initiator retransmits, we answer duplicates.
    out.expects_reply = false;
    switch (m_step) {
      case StepId::send2: return build2(out);
      case StepId::send4: return build4(out);
      case StepId::send6: return build6(out);
      default: return fail(std::nullopt, "internal: Main Mode responder asked to send out of turn");
    }
  }

 private:
  enum class StepId { wait1, send2, wait3, send4, wait5, send6, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  Step process1(const InMessage& in) {
    const auto* sa = find_body<isakmp::SaPayload>(in.payloads, PayloadType::sa);
    if (!sa) return fail(NotifyType::payload_malformed, "Main Mode message 1 lacks an SA payload");
    const auto& pol = m_sa.policy();
    const auto methods = ike_auth_methods(usable_methods(pol, m_ctx));
    auto sel = select_main_mode(*sa, pol.offers, methods, fmt::format("rule '{}' allows only", pol.rule));
    if (!sel) return fail(NotifyType::no_proposal_chosen, sel.error().message);
    if (!dh_for(*sel->attrs.group) || !suite_for(sel->attrs))
      return fail(NotifyType::no_proposal_chosen,
                  fmt::format("rule '{}' names {}, which this build cannot run", pol.rule, isakmp::describe(sel->attrs)));
    auto sai = isakmp::encode_body(*find_payload(in.payloads, PayloadType::sa));
    if (!sai) return fail(NotifyType::payload_malformed, sai.error().message);
    m_sa.results().sai_b = std::move(*sai);
    record_choice(m_sa, sel->attrs, pol.offers[sel->offer], m_ctx.cfg);
    m_vendors = read_vendors(in.payloads);
    record_vendors(m_sa, m_ctx.cfg, m_vendors, m_ctx.log);
    m_answer = make_phase1_answer(*sa, sel->proposal, sel->transform);
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("{} is initiating Main Mode (rule '{}'); chose {}", m_sa.remote().str(), pol.rule,
                               describe_phase1(sel->attrs)));
    m_step = StepId::send2;
    return Step::more();
  }

  Step build2(OutMessage& out) {
    out.payloads.push_back(isakmp::make_payload(m_answer));
    for (auto& v : vendor_ids_mm2(m_ctx.cfg, m_vendors)) out.payloads.push_back(std::move(v));
    out.what = "Main Mode message 2";
    m_step = StepId::wait3;
    return Step::more();
  }

  Step process3(const InMessage& in) {
    const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    if (!ke || !nonce) return fail(NotifyType::payload_malformed, "Main Mode message 3 lacks KE or NONCE");
    std::unique_ptr<KeyExchange> dh;
    if (auto s = complete_key_exchange(m_sa, m_ctx, dh, *ke, *nonce, m_mat); s.failed())
      return fail(s.notify, s.reason);
    detect_nat(m_sa, in.payloads, m_ctx.log);
    m_step = StepId::send4;
    return Step::more();
  }

  Step build4(OutMessage& out) {
    out.payloads.push_back(isakmp::make_payload(isakmp::KePayload{m_mat.g_xr}));
    out.payloads.push_back(isakmp::make_payload(isakmp::NoncePayload{m_mat.nr_b}));
    for (auto& d : natd_payloads(m_sa)) out.payloads.push_back(std::move(d));
    for (auto& c : cert_requests(m_sa, m_ctx)) out.payloads.push_back(std::move(c));
    out.what = "Main Mode message 4";
    m_step = StepId::wait5;
    return Step::more();
  }

  Step process5(const InMessage& in) {
    auto& r = m_sa.results();
    if (uses_signatures(m_sa)) {
      if (auto st = verify_signed_identity(m_sa, m_ctx, in.payloads); !st)
        return fail(st.error().code == "cert" ? NotifyType::invalid_certificate : NotifyType::authentication_failed,
                    "Main Mode message 5: " + st.error().message);
      r.initial_contact_received = has_notify(in.payloads, NotifyType::initial_contact);
      m_step = StepId::send6;
      return Step::more();
    }
    const isakmp::Payload* idp = find_payload(in.payloads, PayloadType::id);
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!idp || !hash)
      return fail(NotifyType::authentication_failed, "Main Mode message 5 lacks ID or HASH (pre-shared key authentication)");
    // RFC 2409 5: HASH_I authenticates the initiator; nothing in message 5 counts before it.
    if (auto s = accept_psk_peer(m_sa, *idp, hash->data, "Main Mode message 5"); s.failed())
      return fail(s.notify, s.reason);
    r.initial_contact_received = has_notify(in.payloads, NotifyType::initial_contact);
    m_step = StepId::send6;
    return Step::more();
  }

  Step build6(OutMessage& out) {
    auto ps = identity_payloads(m_sa, m_ctx);
    if (!ps) return fail(std::nullopt, ps.error().message);
    out.payloads = std::move(*ps);
    out.encrypt = true;
    out.what = "Main Mode message 6";
    m_step = StepId::done;
    return Step::done();
  }


  static const isakmp::Payload* find_payload(const std::vector<isakmp::Payload>& ps, PayloadType t) {
    for (const auto& p : ps)
      if (p.type == t) return &p;
    return nullptr;
  }

  IkeSa& m_sa;
  Context& m_ctx;
  StepId m_step = StepId::wait1;
  isakmp::SaPayload m_answer;
  PeerVendors m_vendors;
  Phase1Material m_mat;
};

}  // namespace

std::unique_ptr<Task> make_main_mode_responder(IkeSa& sa, Context& ctx) {
  return std::make_unique<MainModeResponder>(sa, ctx);
}

}  // namespace ipseckit::ike
