// Quick Mode, responder side (RFC 2409 5.5).
#include <algorithm>

#include <fmt/format.h>

#include "crypto/random.h"
#include "ike/phase1_common.h"
#include "ike/proposal_select.h"
#include "ike/nat_t.h"
#include "ike/quick_mode.h"
#include "ike/quick_mode_common.h"
#include "wire/isakmp_error.h"

namespace ipseckit::ike {
namespace {

using isakmp::MessageKind;
using isakmp::NotifyType;
using isakmp::PayloadType;
using isakmp::ProtocolId;

class QuickModeResponder final : public QuickModeTask {
 public:
  QuickModeResponder(IkeSa& sa, Context& ctx, std::uint32_t mid)
      : m_sa(sa), m_ctx(ctx), m_mid(mid), m_iv(sa.crypto()->keys().phase2_iv(mid)) {}

  std::string_view name() const override { return "Quick Mode responder"; }
  std::uint32_t message_id() const override { return m_mid; }
  std::optional<Phase2Info>& result() override { return m_step == StepId::done ? m_result : m_none; }
  const QmPolicy& qm_policy() const override { return m_policy; }
  bool owns_spi(std::uint32_t spi) const override {
    return spi != 0 && std::find(m_spis.begin(), m_spis.end(), spi) != m_spis.end();
  }
  std::vector<std::uint32_t> spis() const override { return m_spis; }
  std::uint32_t peer_spi() const override { return m_peer_spis.empty() ? 0 : m_peer_spis.front(); }
  crypto::IvChain* iv_chain() override { return &m_iv; }
  void abort() override { m_step = StepId::failed; }
  bool finished() const override { return m_step == StepId::done || m_step == StepId::failed; }
  bool has_output() const override { return m_step == StepId::send2; }
  std::optional<MessageKind> expected() const override {
    if (m_step == StepId::wait1) return MessageKind::quick_mode_1;
    if (m_step == StepId::wait3) return MessageKind::quick_mode_3;
    return std::nullopt;
  }

  Step process(const InMessage& in) override {
    if (m_step == StepId::wait1) return process1(in);
    if (m_step == StepId::wait3) return process3(in);
    return fail(std::nullopt, "internal: Quick Mode responder got a message out of turn");
  }

  Step build(OutMessage& out) override {
    if (m_step != StepId::send2) return fail(std::nullopt, "internal: Quick Mode responder asked to send out of turn");
    out.exchange = isakmp::ExchangeType::quick_mode;
    out.message_id = m_mid;
    out.encrypt = true;
    out.expects_reply = true;  // retransmitted until HASH(3) arrives
    out.payloads = std::move(m_reply);
    out.what = "Quick Mode message 2";
    m_step = StepId::wait3;
    return Step::more();
  }

 private:
  enum class StepId { wait1, send2, wait3, done, failed };

  Step fail(std::optional<NotifyType> n, std::string why) {
    m_step = StepId::failed;
    return Step::fail(n, std::move(why));
  }

  Step process1(const InMessage& in) {
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    auto rest = after_hash(in.payloads);
    if (!hash || !rest) return fail(NotifyType::payload_malformed, "Quick Mode message 1 lacks HASH(1)");
    const auto& ks = m_sa.crypto()->keys();
    // RFC 2409 5.5: verify HASH(1) before acting on anything in the message.
    if (!crypto::equal_ct(ks.qm_hash1(m_mid, *rest), hash->data))
      return fail(NotifyType::invalid_hash_information, "HASH(1) of Quick Mode message 1 does not verify");
    const auto* sa = find_body<isakmp::SaPayload>(in.payloads, PayloadType::sa);
    const auto* nonce = find_body<isakmp::NoncePayload>(in.payloads, PayloadType::nonce);
    if (!sa || !nonce) return fail(NotifyType::payload_malformed, "Quick Mode message 1 lacks SA or NONCE");
    for (const auto& p : sa->proposals)
      if (p.protocol == ProtocolId::ah || p.protocol == ProtocolId::esp) m_peer_spis.push_back(spi_value(p.spi));
    auto ids = client_ids(in.payloads);
    if (!ids) return fail(isakmp::notify_of(ids.error()), ids.error().message);
    // RFC 2409 5.5: without IDs the selectors are the phase-1 addresses.
    TrafficSelector theirs = *ids ? (*ids)->first : TrafficSelector::host(m_sa.remote().addr);
    const TrafficSelector ours = *ids ? (*ids)->second : TrafficSelector::host(m_sa.local().addr);
    auto pol = m_ctx.policy.quick_mode(m_sa.local().addr, m_sa.remote().addr, ours, theirs);
    if (!pol && m_sa.nat_detected() && theirs.prefix.is_host() && theirs.prefix != wire::IpPrefix::host(m_sa.remote().addr)) {
      // RFC 3947 5.2, RFC 3948 3.1.2: behind a NAT a transport-mode initiator names its private
      // address (its NAT-OAi), but its packets reach us from the NAT's address. Match and protect
      // the traffic as the NAT's address (the IDs are still returned as received).
      TrafficSelector seen = theirs;
      seen.prefix = wire::IpPrefix::host(m_sa.remote().addr);
      auto p = m_ctx.policy.quick_mode(m_sa.local().addr, m_sa.remote().addr, ours, seen);
      if (p && !p->tunnel) {
        m_ctx.log.emit(log::Level::diag, m_sa.label(),
                       fmt::format("transport mode through a NAT: {} taken as {}", theirs.str(), seen.str()));
        pol = std::move(p);
        theirs = seen;
      }
    }
    if (!pol)
      return fail(NotifyType::invalid_id_information,
                  fmt::format("no rule negotiates traffic {} === {} with peer {}", ours.str(), theirs.str(),
                              m_sa.remote().addr.str()));
    m_policy = std::move(*pol);
    const QmContext qctx{m_policy.tunnel, m_sa.nat_detected(), *m_sa.results().attrs->group,
                         m_sa.nat_t == NatTVariant::draft};
    auto sel = select_quick_mode(*sa, m_policy.offers, qctx, fmt::format("rule '{}' allows only", m_policy.rule));
    if (!sel) return fail(NotifyType::no_proposal_chosen, sel.error().message);
    const auto& chosen = sel->esp ? sel->esp->attrs : sel->ah->attrs;
    m_ni = nonce->data;
    m_nr = m_ctx.rng.bytes(kNonceSize);
    SecureBytes g_xy;
    std::unique_ptr<KeyExchange> dh;
    if (chosen.group) {
      const auto* ke = find_body<isakmp::KePayload>(in.payloads, PayloadType::ke);
      const auto g = dh_for(*chosen.group);
      if (!ke || !g) return fail(NotifyType::payload_malformed, "PFS was proposed without a usable KE payload");
      auto k = m_ctx.dh.create(*g);
      if (!k) return fail(std::nullopt, fmt::format("Diffie-Hellman: {}", k.error().message));
      dh = std::move(*k);
      auto s = dh->shared_secret(ke->data);
      if (!s) return fail(NotifyType::invalid_key_information, fmt::format("PFS: {}", s.error().message));
      g_xy = std::move(*s);
    }
    // The answer: the chosen proposal(s), each with the chosen transform and our SPI.
    const policy::QmOffer& offer = m_policy.offers[sel->offer];
    isakmp::SaPayload answer;
    answer.doi = sa->doi;
    answer.situation = sa->situation;
    Phase2Info info;
    info.rule = m_policy.rule;
    info.mode = chosen.mode.value_or(isakmp::EncapsulationMode::tunnel);
    info.tunnel = isakmp::is_tunnel(info.mode);
    info.udp_encap = isakmp::is_udp_encapsulated(info.mode);
    info.local_ts = ours;
    info.remote_ts = theirs;
    info.pfs_group = chosen.group;
    if (const auto oa = nat_oa_addresses(in.payloads); !oa.empty()) info.nat_oa_peer = oa[0];  // NAT-OAi
    // Lifetimes: the initiator's, bounded by ours (RFC 2407 4.5 defaults when absent).
    info.life_seconds = chosen.life_seconds.value_or(m_ctx.cfg.phase2_life_seconds);
    if (offer.lifetime_seconds) info.life_seconds = std::min<std::uint64_t>(info.life_seconds, offer.lifetime_seconds);
    info.life_kilobytes = chosen.life_kilobytes.value_or(m_ctx.cfg.phase2_life_kilobytes);
    if (offer.lifetime_kbytes)
      info.life_kilobytes = info.life_kilobytes ? std::min<std::uint64_t>(info.life_kilobytes, offer.lifetime_kbytes)
                                                : offer.lifetime_kbytes;
    for (const auto* c : {sel->ah ? &*sel->ah : nullptr, sel->esp ? &*sel->esp : nullptr}) {
      if (!c) continue;
      isakmp::Proposal p = sa->proposals[c->proposal];
      const std::uint32_t spi_out = spi_value(p.spi);
      const std::uint32_t spi_in = m_ctx.new_spi();
      m_spis.push_back(spi_in);
      const isakmp::Transform t = p.transforms[c->transform];
      p.spi = spi_bytes(spi_in);
      p.transforms = {t};
      answer.proposals.push_back(std::move(p));
      info.protos.push_back(make_child(ks, ChildSpec{answer.proposals.back().protocol, t.id, c->attrs, spi_in, spi_out},
                                       m_ni, m_nr, crypto::view(g_xy)));
    }
    // RFC 2407 4.6.3.1: tell the initiator when our lifetime is shorter than the one it offered.
    const bool shorter_s = info.life_seconds < chosen.life_seconds.value_or(0) ||
                           (!chosen.life_seconds && offer.lifetime_seconds);
    const bool shorter_kb = info.life_kilobytes &&
                            (info.life_kilobytes < chosen.life_kilobytes.value_or(0) || !chosen.life_kilobytes);
    std::optional<isakmp::Payload> lifetime_notify;
    if ((shorter_s || shorter_kb) && !info.protos.empty())
      lifetime_notify = responder_lifetime(info.protos.back().protocol, info.protos.back().spi_in,
                                           shorter_s ? std::optional<std::uint64_t>(info.life_seconds) : std::nullopt,
                                           shorter_kb ? std::optional<std::uint64_t>(info.life_kilobytes) : std::nullopt);
    m_reply.push_back(hash_placeholder());
    m_reply.push_back(isakmp::make_payload(std::move(answer)));
    m_reply.push_back(isakmp::make_payload(isakmp::NoncePayload{m_nr}));
    if (dh) m_reply.push_back(isakmp::make_payload(isakmp::KePayload{Bytes(dh->public_value().begin(), dh->public_value().end())}));
    for (const auto& p : in.payloads)
      if (p.type == PayloadType::id) m_reply.push_back(p);  // RFC 2409 5.5: IDs returned as received
    if (lifetime_notify) m_reply.push_back(std::move(*lifetime_notify));
    if (!info.tunnel && m_sa.nat_detected()) {
      // RFC 3947 5.2: NAT-OAi (the initiator as we see it), NAT-OAr (our address).
      m_reply.push_back(isakmp::make_payload(nat_oa_type(m_sa), isakmp::NatOaPayload{m_sa.remote().addr}));
      m_reply.push_back(isakmp::make_payload(nat_oa_type(m_sa), isakmp::NatOaPayload{m_sa.local().addr}));
    }
    auto reply_rest = after_hash(m_reply);
    if (!reply_rest) return fail(std::nullopt, reply_rest.error().message);
    fill_hash(m_reply, ks.qm_hash2(m_mid, m_ni, *reply_rest));
    m_result.emplace(std::move(info));
    m_ctx.log.emit(log::Level::control, m_sa.label(),
                   fmt::format("Quick Mode {:08x} (rule '{}'): {} === {}, chose {}", m_mid, m_policy.rule, ours.str(),
                               theirs.str(), describe_offer(offer)));
    m_step = StepId::send2;
    return Step::more();
  }

  Step process3(const InMessage& in) {
    const auto* hash = find_body<isakmp::HashPayload>(in.payloads, PayloadType::hash);
    if (!hash || !crypto::equal_ct(m_sa.crypto()->keys().qm_hash3(m_mid, m_ni, m_nr), hash->data))
      return fail(NotifyType::invalid_hash_information, "HASH(3) of Quick Mode message 3 does not verify");
    m_step = StepId::done;
    return Step::done();
  }

  IkeSa& m_sa;
  Context& m_ctx;
  std::uint32_t m_mid;
  crypto::IvChain m_iv;
  StepId m_step = StepId::wait1;
  QmPolicy m_policy;
  std::vector<std::uint32_t> m_spis, m_peer_spis;
  Bytes m_ni, m_nr;
  std::vector<isakmp::Payload> m_reply;
  std::optional<Phase2Info> m_result, m_none;
};

}  // namespace

std::unique_ptr<QuickModeTask> make_quick_mode_responder(IkeSa& sa, Context& ctx, std::uint32_t message_id) {
  return std::make_unique<QuickModeResponder>(sa, ctx, message_id);
}

}  // namespace ipseckit::ike
