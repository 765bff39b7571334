#include "ike/phase1_common.h"

#include <algorithm>

#include <fmt/format.h>

#include "crypto/random.h"
#include "ike/proposal_select.h"

namespace ipseckit::ike {

using isakmp::IkeAuthMethod;

std::vector<IkeAuthMethod> ike_auth_methods(const MmPolicy& p) {
  std::vector<IkeAuthMethod> out;
  auto add = [&](IkeAuthMethod m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const auto& m : p.auth) {
    switch (m.kind) {
      case policy::AuthKind::psk: add(IkeAuthMethod::psk); break;
      case policy::AuthKind::cert: add(IkeAuthMethod::rsa_sig); break;  // RFC 2409 5.1
      case policy::AuthKind::kerberos: break;  // GSS-API: not implemented
    }
  }
  return out;
}

MmPolicy usable_methods(const MmPolicy& p, const Context& ctx) {
  if (ctx.credentials) return p;
  MmPolicy q = p;
  std::erase_if(q.auth, [](const policy::AuthMethod& m) { return m.kind == policy::AuthKind::cert; });
  return q;
}

Result<isakmp::SaPayload> make_phase1_offer(const MmPolicy& p) {
  isakmp::Proposal prop;
  prop.number = 1;
  prop.protocol = isakmp::ProtocolId::isakmp;
  const auto methods = ike_auth_methods(p);
  for (const auto& offer : p.offers) {
    for (const auto m : methods) {
      const auto spec = ike_spec_for(offer, m);
      if (!spec) continue;
      if (prop.transforms.size() >= 255) break;
      prop.transforms.push_back(
          isakmp::make_ike_transform(static_cast<std::uint8_t>(prop.transforms.size() + 1), *spec));
    }
  }
  if (prop.transforms.empty())
    return Error::make("policy", fmt::format("rule '{}' has no main-mode offer we can send ({} offers, {} usable "
                                             "authentication methods)",
                                             p.rule, p.offers.size(), methods.size()));
  isakmp::SaPayload sa;
  sa.proposals.push_back(std::move(prop));
  return sa;
}

isakmp::SaPayload make_phase1_answer(const isakmp::SaPayload& offered, std::size_t proposal, std::size_t transform) {
  isakmp::SaPayload sa;
  sa.doi = offered.doi;
  sa.situation = offered.situation;
  isakmp::Proposal p = offered.proposals[proposal];
  isakmp::Transform t = p.transforms[transform];
  p.transforms.clear();
  p.transforms.push_back(std::move(t));
  sa.proposals.push_back(std::move(p));
  return sa;
}

isakmp::IdPayload local_identity(const IkeSa& sa) {
  if (sa.policy().local_id) return *sa.policy().local_id;  // the rule's "local_id"
  return isakmp::IdPayload::address(sa.local().addr);
}

Status check_peer_id(const IkeSa& sa, const isakmp::IdPayload& id) {
  const auto& want = sa.policy().peer_id;
  if (!want || policy::ike_id_matches(*want, id)) return {};
  return Error::make("auth", fmt::format("the peer authenticated as {}, but rule '{}' names its peer {}", id.str(),
                                         sa.policy().rule, want->str()));
}

Result<SecureBytes> find_psk(const IkeSa& sa, Context& ctx) {
  bool any_psk = false;
  const wire::IpAddr peer = sa.results().psk_lookup.value_or(sa.remote().addr);
  for (const auto& m : sa.policy().auth) {
    if (m.kind != policy::AuthKind::psk) continue;
    any_psk = true;
    if (auto k = ctx.secrets.psk(m, peer); k && !k->empty()) return std::move(*k);
  }
  return Error::make("policy", any_psk ? fmt::format("no pre-shared key is available for peer {} (rule '{}')",
                                                     peer.str(), sa.policy().rule)
                                       : fmt::format("rule '{}' does not allow pre-shared key authentication",
                                                     sa.policy().rule));
}

isakmp::Payload initial_contact(const IkeSa& sa) {
  isakmp::NotifyPayload n;
  n.protocol = isakmp::ProtocolId::isakmp;
  n.type = isakmp::NotifyType::initial_contact;
  n.spi.assign(sa.cky_i().begin(), sa.cky_i().end());
  n.spi.insert(n.spi.end(), sa.cky_r().begin(), sa.cky_r().end());
  return isakmp::make_payload(std::move(n));
}

bool has_notify(const std::vector<isakmp::Payload>& ps, isakmp::NotifyType t) {
  for (const auto& p : ps)
    if (const auto* n = p.as<isakmp::NotifyPayload>(); n && n->type == t) return true;
  return false;
}

void record_choice(IkeSa& sa, const isakmp::IkeTransformAttrs& a, const policy::MmOffer& offer,
                   const EngineConfig& cfg) {
  auto& r = sa.results();
  r.attrs = a;
  std::uint64_t life = a.life_seconds.value_or(cfg.phase1_life_seconds);
  if (offer.lifetime_seconds) life = std::min<std::uint64_t>(life, offer.lifetime_seconds);
  r.life_seconds = std::max(life, cfg.min_life_seconds);
  r.life_kilobytes = a.life_kilobytes.value_or(0);
}

std::string describe_phase1(const isakmp::IkeTransformAttrs& a) {
  return fmt::format("{}, {}", isakmp::describe(a),
                     a.auth ? isakmp::to_string(*a.auth) : std::string("no authentication method"));
}

}  // namespace ipseckit::ike

namespace ipseckit::ike {

Status derive_phase1_keys(IkeSa& sa, Context& ctx, const SecureBytes& g_xy, const Phase1Material& m) {
  auto& r = sa.results();
  if (!r.attrs) return Error::make("internal", "no phase-1 transform chosen");
  const auto suite = suite_for(*r.attrs);
  if (!suite) return Error::make("policy", fmt::format("cannot run {}", isakmp::describe(*r.attrs)));
  crypto::Phase1Inputs in;
  SecureBytes psk;
  if (r.attrs->auth == IkeAuthMethod::psk) {
    auto k = find_psk(sa, ctx);
    if (!k) return std::move(k).error();
    psk = std::move(*k);
    in.auth = crypto::Ikev1Auth::psk;
    in.psk = crypto::view(psk);
  } else {
    in.auth = crypto::Ikev1Auth::signature;
  }
  in.ni_b = m.ni_b;
  in.nr_b = m.nr_b;
  in.g_xi = m.g_xi;
  in.g_xr = m.g_xr;
  in.g_xy = crypto::view(g_xy);
  in.cky_i = sa.cky_i();
  in.cky_r = sa.cky_r();
  auto c = Phase1Crypto::create(*suite, in);
  if (!c) return std::move(c).error();
  r.crypto.emplace(std::move(*c));
  return {};
}

Step check_phase1_answer(const std::vector<isakmp::Payload>& ps, const MmPolicy& pol,
                         const std::vector<isakmp::IkeAuthMethod>& methods, MmSelection& sel) {
  using isakmp::NotifyType;
  const auto* sa = find_body<isakmp::SaPayload>(ps, isakmp::PayloadType::sa);
  if (!sa || sa->proposals.size() != 1 || sa->proposals[0].transforms.size() != 1)
    return Step::fail(NotifyType::bad_proposal_syntax,
                      "the responder's SA must hold exactly one proposal with one transform");
  auto s = select_main_mode(*sa, pol.offers, methods, fmt::format("rule '{}' offered only", pol.rule));
  if (!s)
    return Step::fail(NotifyType::no_proposal_chosen,
                      fmt::format("the responder chose a transform we did not offer: {}", s.error().message));
  if (!dh_for(*s->attrs.group) || !suite_for(s->attrs))
    return Step::fail(NotifyType::no_proposal_chosen, fmt::format("cannot run {}", isakmp::describe(s->attrs)));
  sel = std::move(*s);
  return Step::more();
}

Step complete_key_exchange(IkeSa& sa, Context& ctx, std::unique_ptr<KeyExchange>& dh, const isakmp::KePayload& ke,
                           const isakmp::NoncePayload& nonce, Phase1Material& m) {
  if (sa.initiator()) {
    if (!dh) return Step::fail(std::nullopt, "internal: no Diffie-Hellman value of ours to complete the exchange");
    m.g_xr = ke.data;
    m.nr_b = nonce.data;
  } else {
    auto ours = ctx.dh.create(*dh_for(*sa.results().attrs->group));
    if (!ours) return Step::fail(std::nullopt, fmt::format("Diffie-Hellman: {}", ours.error().message));
    dh = std::move(*ours);
    m.g_xi = ke.data;
    m.ni_b = nonce.data;
    m.g_xr.assign(dh->public_value().begin(), dh->public_value().end());
    m.nr_b = ctx.rng.bytes(kNonceSize);
  }
  auto g_xy = dh->shared_secret(sa.initiator() ? m.g_xr : m.g_xi);
  if (!g_xy)
    return Step::fail(isakmp::NotifyType::invalid_key_information,
                      fmt::format("the {}'s public value is unusable: {}", sa.initiator() ? "responder" : "initiator",
                                  g_xy.error().message));
  if (auto st = derive_phase1_keys(sa, ctx, *g_xy, m); !st)
    return Step::fail(isakmp::NotifyType::authentication_failed, st.error().message);
  dh.reset();
  return Step::more();
}

Step accept_psk_peer(IkeSa& sa, ByteView id_b, const isakmp::IdPayload& id, ByteView hash, std::string_view what,
                     bool name_id) {
  auto& r = sa.results();
  // Nothing in the message counts before its HASH verifies.
  if (sa.initiator()) {
    if (!crypto::equal_ct(r.crypto->keys().hash_r(r.sai_b, id_b), hash))
      return Step::fail(isakmp::NotifyType::authentication_failed,
                        "HASH_R from the responder does not verify: the pre-shared keys (or the responder's keys) "
                        "differ");
  } else if (!crypto::equal_ct(r.crypto->keys().hash_i(r.sai_b, id_b), hash)) {
    return Step::fail(isakmp::NotifyType::authentication_failed,
                      fmt::format("HASH_I from the initiator{} does not verify: the pre-shared keys differ",
                                  name_id ? fmt::format(" ({})", id.str()) : std::string()));
  }
  if (auto st = check_peer_id(sa, id); !st)
    return Step::fail(isakmp::NotifyType::invalid_id_information, fmt::format("{}: {}", what, st.error().message));
  r.peer_id = id;
  return Step::more();
}

Step accept_psk_peer(IkeSa& sa, const isakmp::Payload& idp, ByteView hash, std::string_view what) {
  auto idb = isakmp::encode_body(idp);
  if (!idb) return Step::fail(isakmp::NotifyType::payload_malformed, idb.error().message);
  return accept_psk_peer(sa, *idb, *idp.as<isakmp::IdPayload>(), hash, what);
}

}  // namespace ipseckit::ike
