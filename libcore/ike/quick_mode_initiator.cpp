// Quick Mode, initiator side (RFC 2409 5.5).
#include <fmt/format.h>

#include "crypto/random.h"
#include "ike/nat_t.h"
#include "ike/phase1_common.h"
#include "ike/proposal_select.h"
#include "ike/quick_mode.h"
#include "ike/quick_mode_common.h"
#include "wire/isakmp_error.h"

namespace ipseckit::ike {
namespace {

using isakmp::MessageKind;
using isakmp::NotifyType;
using isakmp::PayloadType;
using isakmp::ProtocolId;

class QuickModeInitiator final : public QuickModeTask {
 public:
  QuickModeInitiator(IkeSa& sa, Context& ctx, QmPolicy policy, std::uint32_t mid)
      : m_sa(sa), m_ctx(ctx), m_policy(std::move(policy)), m_mid(mid), m_iv(sa.crypto()->keys().phase2_iv(mid)) {}

  std::string_view name() const override { return "Quick Mode initiator"; }
  std::uint32_t message_id() const override { return m_mid; }
  std::optional<Phase2Info>& result() override { return m_result; }
  const QmPolicy& qm_policy() const override { return m_policy; }
  bool owns_spi(std::uint32_t spi) const override { return spi != 0 && (spi == m_spi_esp || spi == m_spi_ah); }
  std::vector<std::uint32_t> spis() const override {
    std::vector<std::uint32_t> v;
    for (const auto s : {m_spi_esp, m_spi_ah})
      if (s) v.push_back(s);
    return v;
  }
  std::uint32_t peer_spi() const override { return 0; }
  crypto::IvChain* iv_chain() override { return &m_iv; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override { return m_step == StepId::send1 || m_step == StepId::send3; }
  std::optional<MessageKind> expected() const override {
    if (m_step == StepId::wait2) return MessageKind::quick_mode_2;
    return std::nullopt;
  }

  Step build(OutMessage& out) override {
    out.exchange = isakmp::ExchangeType::quick_mode;
    out.message_id = m_mid;
    out.encrypt = true;
    if (m_step == StepId::send1) return build1(out);
    if (m_step == StepId::send3) return build3(out);
    return fail(std::nullopt, "internal: Quick Mode initiator asked to send out of turn");
  }

  Step process(const InMessage& in) override {
    if (m_step == StepId::wait2) return process2(in);
    return fail(std::nullopt, "internal: Quick Mode initiator got a message out of turn");
  }

 private:
  enum class StepId { send1, wait2, send3, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  QmContext qm_context() const {
    return QmContext{m_policy.tunnel, m_sa.nat_detected(), *m_sa.results().attrs->group,
                     m_sa.nat_t == NatTVariant::draft};
  }

  Step build1(OutMessage& out) {
    const QmContext qctx = qm_context();
    isakmp::SaPayload sa;
    std::optional<std::optional<isakmp::GroupDescription>> pfs;  // decided by the first usable offer
    std::uint8_t number = 0;
    for (const auto& offer : m_policy.offers) {
      const auto specs = qm_specs_for(offer, qctx);
      if (!specs) continue;
      const auto& first = specs->esp ? *specs->esp : *specs->ah;
      if (!pfs) pfs = first.pfs_group;
      // One KE payload serves every proposal: offers with another PFS choice cannot be sent.
      if (*pfs != first.pfs_group) {
        m_ctx.log.emit(log::Level::diag, m_sa.label(),
                       fmt::format("rule '{}': offer '{}' not sent (its PFS setting differs from the first offer's)",
                                   m_policy.rule, describe_offer(offer)));
        continue;
      }
      if (number == 255) break;
      ++number;
      if (specs->ah) {
        if (!m_spi_ah) m_spi_ah = m_ctx.new_spi();
        sa.proposals.push_back(isakmp::Proposal{number, ProtocolId::ah, spi_bytes(m_spi_ah), 0,
                                                {isakmp::make_ipsec_transform(1, *specs->ah)}});
      }
      if (specs->esp) {
        if (!m_spi_esp) m_spi_esp = m_ctx.new_spi();
        sa.proposals.push_back(isakmp::Proposal{number, ProtocolId::esp, spi_bytes(m_spi_esp), 0,
                                                {isakmp::make_ipsec_transform(1, *specs->esp)}});
      }
      m_offers.push_back(offer);
    }
    if (sa.proposals.empty())
      return fail(std::nullopt, fmt::format("rule '{}' has no quick-mode offer we can send", m_policy.rule));
    if (pfs && *pfs) {
      const auto g = dh_for(**pfs);
      if (!g) return fail(std::nullopt, fmt::format("PFS group {} is not available", **pfs));
      auto dh = m_ctx.dh.create(*g);
      if (!dh) return fail(std::nullopt, fmt::format("Diffie-Hellman: {}", dh.error().message));
      m_dh = std::move(*dh);
    }
    m_ni = m_ctx.rng.bytes(kNonceSize);
    out.payloads.push_back(hash_placeholder());
    out.payloads.push_back(isakmp::make_payload(std::move(sa)));
    out.payloads.push_back(isakmp::make_payload(isakmp::NoncePayload{m_ni}));
    if (m_dh) out.payloads.push_back(isakmp::make_payload(isakmp::KePayload{Bytes(m_dh->public_value().begin(), m_dh->public_value().end())}));
    out.payloads.push_back(isakmp::make_payload(m_policy.local.to_id()));
    out.payloads.push_back(isakmp::make_payload(m_policy.remote.to_id()));
    // RFC 3947 5.2: transport mode through a NAT names the original addresses (NAT-OAi, NAT-OAr).
    if (!m_policy.tunnel && m_sa.nat_detected()) {
      out.payloads.push_back(isakmp::make_payload(nat_oa_type(m_sa), isakmp::NatOaPayload{m_sa.local().addr}));
      out.payloads.push_back(isakmp::make_payload(nat_oa_type(m_sa), isakmp::NatOaPayload{m_sa.remote().addr}));
    }
    auto rest = after_hash(out.payloads);
    if (!rest) return fail(std::nullopt, rest.error().message);
    fill_hash(out.payloads, m_sa.crypto()->keys().qm_hash1(m_mid, *rest));
    out.what = "Quick Mode message 1";
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("initiating Quick Mode {:08x} (rule '{}'): {} === {}, {}{}", m_mid, m_policy.rule,
                               m_policy.local.str(), m_policy.remote.str(), m_policy.tunnel ? "tunnel" : "transport",
                               m_dh ? ", PFS" : ""));
    m_step = StepId::wait2;
    return Step::more();
  }

  Step process2(const InMessage& in) {
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    auto rest = after_hash(in.payloads);
    if (!hash || !rest) return fail(NotifyType::payload_malformed, "Quick Mode message 2 lacks HASH(2)");
    // RFC 2409 5.5: HASH(2) authenticates the message; verify before using anything in it.
    if (!crypto::equal_ct(m_sa.crypto()->keys().qm_hash2(m_mid, m_ni, *rest), hash->data))
      return fail(NotifyType::invalid_hash_information, "HASH(2) of Quick Mode message 2 does not verify");
    const auto* sa = find_body<isakmp::SaPayload>(in.payloads, PayloadType::sa);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    if (!sa || !nonce) return fail(NotifyType::payload_malformed, "Quick Mode message 2 lacks SA or NONCE");
    auto sel = select_quick_mode(*sa, m_offers, qm_context(), fmt::format("rule '{}' offered only", m_policy.rule));
    if (!sel)
      return fail(NotifyType::no_proposal_chosen,
                  fmt::format("the responder chose a proposal we did not offer: {}", sel.error().message));
    m_nr = nonce->data;
    SecureBytes g_xy;
    const auto& chosen = sel->esp ? sel->esp->attrs : sel->ah->attrs;
    if (chosen.group) {
      const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
      if (!m_dh || !ke) return fail(NotifyType::payload_malformed, "PFS was chosen but a KE payload is missing");
      auto s = m_dh->shared_secret(ke->data);
      if (!s) return fail(NotifyType::invalid_key_information, fmt::format("PFS: {}", s.error().message));
      g_xy = std::move(*s);
    }
    auto ids = client_ids(in.payloads);
    if (!ids) return fail(isakmp::notify_of(ids.error()), ids.error().message);
    TrafficSelector local = m_policy.local, remote = m_policy.remote;
    if (*ids) {
      // RFC 2409 5.5: the responder returns the IDs; accept them only if they name no more
      // than we asked for.
      if (!(*ids)->first.within(local) || !(*ids)->second.within(remote))
        return fail(NotifyType::invalid_id_information,
                    fmt::format("the responder answered with IDs {} === {}, not within {} === {}", (*ids)->first.str(),
                                (*ids)->second.str(), local.str(), remote.str()));
      local = (*ids)->first;
      remote = (*ids)->second;
    }
    Phase2Info info;
    info.initiator = true;
    info.rule = m_policy.rule;
    info.mode = chosen.mode.value_or(isakmp::EncapsulationMode::tunnel);
    info.tunnel = isakmp::is_tunnel(info.mode);
    info.udp_encap = isakmp::is_udp_encapsulated(info.mode);
    info.local_ts = local;
    info.remote_ts = remote;
    info.pfs_group = chosen.group;
    if (const auto oa = nat_oa_addresses(in.payloads); oa.size() == 2) info.nat_oa_peer = oa[1];  // NAT-OAr
    info.life_seconds = chosen.life_seconds.value_or(m_ctx.cfg.phase2_life_seconds);
    info.life_kilobytes = chosen.life_kilobytes.value_or(m_ctx.cfg.phase2_life_kilobytes);
    if (const auto changed = apply_responder_lifetime(in.payloads, info); !changed.empty())
      m_ctx.log.emit(log::Level::control, m_sa.label(),
                     fmt::format("Quick Mode {:08x}: the responder shortened the lifetime to {} (RESPONDER-LIFETIME)", m_mid,
                                 changed));
    const auto& ks = m_sa.crypto()->keys();
    const auto g = crypto::view(g_xy);
    for (const auto* c : {sel->ah ? &*sel->ah : nullptr, sel->esp ? &*sel->esp : nullptr}) {
      if (!c) continue;
      const auto& p = sa->proposals[c->proposal];
      const std::uint32_t spi_out = spi_value(p.spi);
      const std::uint32_t spi_in = p.protocol == ProtocolId::ah ? m_spi_ah : m_spi_esp;
      info.protos.push_back(make_child(ks, ChildSpec{p.protocol, p.transforms[c->transform].id, c->attrs, spi_in, spi_out},
                                       m_ni, m_nr, g));
    }
    m_result.emplace(std::move(info));
    m_step = StepId::send3;
    return Step::more();
  }

  Step build3(OutMessage& out) {
    out.payloads.push_back(isakmp::make_payload(isakmp::HashPayload{m_sa.crypto()->keys().qm_hash3(m_mid, m_ni, m_nr)}));
    out.expects_reply = false;
    out.what = "Quick Mode message 3";
    m_step = StepId::done;
    return Step::done();
  }

  IkeSa& m_sa;
  Context& m_ctx;
  QmPolicy m_policy;
  std::uint32_t m_mid;
  crypto::IvChain m_iv;
  StepId m_step = StepId::send1;
  std::vector<policy::QmOffer> m_offers;  // what was actually sent
  std::uint32_t m_spi_esp = 0, m_spi_ah = 0;
  std::unique_ptr<KeyExchange> m_dh;
  Bytes m_ni, m_nr;
  std::optional<Phase2Info> m_result;
};

}  // namespace

std::unique_ptr<QuickModeTask> make_quick_mode_initiator(IkeSa& sa, Context& ctx, QmPolicy policy,
                                                         std::uint32_t message_id) {
  return std::make_unique<QuickModeInitiator>(sa, ctx, std::move(policy), message_id);
}

}  // namespace ipseckit::ike
