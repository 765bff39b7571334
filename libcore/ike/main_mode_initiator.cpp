// Main Mode, initiator side (RFC 2409 5, 5.4).
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

class MainModeInitiator final : public Task {
 public:
  MainModeInitiator(IkeSa& sa, Context& ctx) : m_sa(sa), m_ctx(ctx) {}

  std::string_view name() const override { return "Main Mode initiator"; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override {
    return m_step == StepId::send1 || m_step == StepId::send3 || m_step == StepId::send5;
  }
  std::optional<MessageKind> expected() const override {
    switch (m_step) {
      case StepId::wait2: return MessageKind::main_mode_2;
      case StepId::wait4: return MessageKind::main_mode_4;
      case StepId::wait6: return MessageKind::main_mode_6;
      default: return std::nullopt;
    }
  }

  Step build(OutMessage& out) override {
    out.exchange = isakmp::ExchangeType::main_mode;
    out.message_id = 0;
    switch (m_step) {
      case StepId::send1: return build1(out);
      case StepId::send3: return build3(out);
      case StepId::send5: return build5(out);
      default: return fail(std::nullopt, "internal: Main Mode initiator asked to send out of turn");
    }
  }

  Step process(const InMessage& in) override {
    switch (m_step) {
      case StepId::wait2: return process2(in);
      case StepId::wait4: return process4(in);
      case StepId::wait6: return process6(in);
      default: return fail(std::nullopt, "internal: Main Mode initiator got a message out of turn");
    }
  }

 private:
  enum class StepId { send1, wait2, send3, wait4, send5, wait6, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  Step build1(OutMessage& out) {
    auto sa = make_phase1_offer(usable_methods(m_sa.policy(), m_ctx));
    if (!sa) return fail(std::nullopt, sa.error().message);
    m_offer = std::move(*sa);
    auto p = isakmp::make_payload(m_offer);
    auto body = isakmp::encode_body(p);
    if (!body) return fail(std::nullopt, body.error().message);
    m_sa.results().sai_b = std::move(*body);
    out.payloads.push_back(std::move(p));
    for (auto& v : vendor_ids_mm1(m_ctx.cfg)) out.payloads.push_back(std::move(v));
    out.what = "Main Mode message 1";
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("initiating Main Mode to {} (rule '{}'), offering {} transform{}", m_sa.remote().str(),
                               m_sa.policy().rule, m_offer.proposals[0].transforms.size(),
                               m_offer.proposals[0].transforms.size() == 1 ? "" : "s"));
    m_step = StepId::wait2;
    return Step::more();
  }

  Step process2(const InMessage& in) {
    // RFC 2409 5: the responder answers with exactly one proposal and one transform.
    MmSelection sel;
    const auto methods = ike_auth_methods(usable_methods(m_sa.policy(), m_ctx));
    if (auto s = check_phase1_answer(in.payloads, m_sa.policy(), methods, sel); s.failed())
      return fail(s.notify, s.reason);
    record_choice(m_sa, sel.attrs, m_sa.policy().offers[sel.offer], m_ctx.cfg);
    record_vendors(m_sa, m_ctx.cfg, read_vendors(in.payloads), m_ctx.log);
    auto dh = m_ctx.dh.create(*dh_for(*sel.attrs.group));
    if (!dh) return fail(std::nullopt, fmt::format("Diffie-Hellman: {}", dh.error().message));
    m_dh = std::move(*dh);
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("Main Mode message 2: responder chose {}", describe_phase1(sel.attrs)));
    m_step = StepId::send3;
    return Step::more();
  }

  Step build3(OutMessage& out) {
    m_mat.g_xi.assign(m_dh->public_value().begin(), m_dh->public_value().end());
    m_mat.ni_b = m_ctx.rng.bytes(kNonceSize);
    out.payloads.push_back(isakmp::make_payload(isakmp::KePayload{m_mat.g_xi}));
    out.payloads.push_back(isakmp::make_payload(isakmp::NoncePayload{m_mat.ni_b}));
    for (auto& d : natd_payloads(m_sa)) out.payloads.push_back(std::move(d));
    for (auto& c : cert_requests(m_sa, m_ctx)) out.payloads.push_back(std::move(c));
    out.what = "Main Mode message 3";
    m_step = StepId::wait4;
    return Step::more();
  }

  Step process4(const InMessage& in) {
    const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    if (!ke || !nonce) return fail(NotifyType::payload_malformed, "Main Mode message 4 lacks KE or NONCE");
    if (auto s = complete_key_exchange(m_sa, m_ctx, m_dh, *ke, *nonce, m_mat); s.failed())
      return fail(s.notify, s.reason);
    detect_nat(m_sa, in.payloads, m_ctx.log);
    float_to_natt_port(m_sa, m_ctx.log);
    m_step = StepId::send5;
    return Step::more();
  }

  Step build5(OutMessage& out) {
    auto ps = identity_payloads(m_sa, m_ctx);
    if (!ps) return fail(std::nullopt, ps.error().message);
    out.payloads = std::move(*ps);
    out.encrypt = true;
    out.what = "Main Mode message 5";
    m_step = StepId::wait6;
    return Step::more();
  }


  Step process6(const InMessage& in) {
    auto& r = m_sa.results();
    if (uses_signatures(m_sa)) {
      if (auto st = verify_signed_identity(m_sa, m_ctx, in.payloads); !st)
        return fail(st.error().code == "cert" ? NotifyType::invalid_certificate : NotifyType::authentication_failed,
                    "Main Mode message 6: " + st.error().message);
      r.initial_contact_received = has_notify(in.payloads, NotifyType::initial_contact);
      m_step = StepId::done;
      return Step::done();
    }
    const isakmp::Payload* idp = nullptr;
    for (const auto& p : in.payloads)
      if (p.type == PayloadType::id) idp = &p;
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!idp || !hash)
      return fail(NotifyType::authentication_failed, "Main Mode message 6 lacks ID or HASH (pre-shared key authentication)");
    // RFC 2409 5: HASH_R authenticates the responder; nothing in message 6 counts before it.
    if (auto s = accept_psk_peer(m_sa, *idp, hash->data, "Main Mode message 6"); s.failed())
      return fail(s.notify, s.reason);
    r.initial_contact_received = has_notify(in.payloads, NotifyType::initial_contact);
    m_step = StepId::done;
    return Step::done();
  }

  IkeSa& m_sa;
  Context& m_ctx;
  StepId m_step = StepId::send1;
  isakmp::SaPayload m_offer;
  std::unique_ptr<KeyExchange> m_dh;
  Phase1Material m_mat;
};

}  // namespace

std::unique_ptr<Task> make_main_mode_initiator(IkeSa& sa, Context& ctx) {
  return std::make_unique<MainModeInitiator>(sa, ctx);
}

}  // namespace ipseckit::ike
