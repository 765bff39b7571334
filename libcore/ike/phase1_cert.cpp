#include "ike/phase1_cert.h"

#include <fmt/format.h>

#include "ike/phase1_common.h"
#include "crypto/x509.h"
#include "ike/cert_id.h"

namespace ipseckit::ike {

using isakmp::PayloadType;
namespace x509 = crypto::x509;

bool uses_signatures(const IkeSa& sa) {
  const auto& a = sa.results().attrs;
  return a && a->auth == isakmp::IkeAuthMethod::rsa_sig;
}

namespace {

std::vector<const policy::AuthMethod*> cert_methods(const IkeSa& sa) {
  std::vector<const policy::AuthMethod*> out;
  for (const auto& m : sa.policy().auth)
    if (m.kind == policy::AuthKind::cert) out.push_back(&m);
  return out;
}

std::string subject_of(ByteView c) {
  auto s = x509::subject(c);
  return s ? *s : std::string("?");
}
std::string issuer_of(ByteView c) {
  auto s = x509::issuer(c);
  return s ? *s : std::string("?");
}

std::string trusted_cas(const IkeSa& sa) {
  std::string s;
  for (const auto* m : cert_methods(sa)) s += (s.empty() ? "" : ", ") + (m->ca.empty() ? std::string("any CA") : "'" + m->ca + "'");
  return s.empty() ? std::string("no CA") : s;
}

}  // namespace

std::vector<isakmp::Payload> cert_requests(const IkeSa& sa, Context& ctx) {
  std::vector<isakmp::Payload> out;
  if (!uses_signatures(sa)) return out;
  bool any = false;
  for (const auto* m : cert_methods(sa)) {
    if (!ctx.credentials) break;
    for (const auto& a : ctx.credentials->trust_anchors(*m)) {
      if (auto dn = x509::subject_der(a)) {
        out.push_back(isakmp::make_payload(isakmp::CrPayload{isakmp::CertEncoding::x509_signature, std::move(*dn)}));
        any = true;
      }
    }
  }
  if (!any) out.push_back(isakmp::make_payload(isakmp::CrPayload{isakmp::CertEncoding::x509_signature, {}}));
  return out;
}

Result<std::vector<isakmp::Payload>> signed_identity(IkeSa& sa, Context& ctx) {
  std::optional<LocalCredential> cred;
  for (const auto* m : cert_methods(sa))
    if (ctx.credentials && (cred = ctx.credentials->local(*m))) break;
  if (!cred || cred->chain.empty())
    return Error::make("policy", fmt::format("rule '{}' authenticates with certificates but no certificate and private "
                                             "key are configured for it",
                                             sa.policy().rule));
  auto dn = x509::subject_der(cred->chain.front());
  if (!dn) return Error::make("policy", "our certificate does not decode: " + dn.error().message);
  auto& r = sa.results();
  r.local_id = isakmp::IdPayload::der_dn(*dn);
  auto idb = isakmp::encode_body(isakmp::make_payload(*r.local_id));
  if (!idb) return std::move(idb).error();
  const Bytes hash = sa.initiator() ? r.crypto->keys().hash_i(r.sai_b, *idb) : r.crypto->keys().hash_r(r.sai_b, *idb);
  auto sig = x509::sign_hash(cred->key, hash);
  if (!sig) return std::move(sig).error();
  std::vector<isakmp::Payload> out;
  out.push_back(isakmp::make_payload(*r.local_id));
  for (const auto& c : cred->chain)
    out.push_back(isakmp::make_payload(isakmp::CertPayload{isakmp::CertEncoding::x509_signature, c}));
  out.push_back(isakmp::make_payload(isakmp::SigPayload{std::move(*sig)}));
  return out;
}

Result<std::vector<isakmp::Payload>> identity_payloads(IkeSa& sa, Context& ctx) {
  std::vector<isakmp::Payload> out;
  if (uses_signatures(sa)) {
    auto ps = signed_identity(sa, ctx);
    if (!ps) return std::move(ps).error();
    out = std::move(*ps);
  } else {
    // RFC 2409 5: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), HASH_R alike.
    auto& r = sa.results();
    r.local_id = local_identity(sa);
    auto idb = isakmp::encode_body(isakmp::make_payload(*r.local_id));
    if (!idb) return std::move(idb).error();
    const Bytes hash = sa.initiator() ? r.crypto->keys().hash_i(r.sai_b, *idb) : r.crypto->keys().hash_r(r.sai_b, *idb);
    out.push_back(isakmp::make_payload(*r.local_id));
    out.push_back(isakmp::make_payload(isakmp::HashPayload{hash}));
  }
  if (sa.send_initial_contact) out.push_back(initial_contact(sa));
  return out;
}

Status verify_signed_identity(IkeSa& sa, Context& ctx, const std::vector<isakmp::Payload>& ps) {
  const isakmp::Payload* idp = nullptr;
  std::vector<Bytes> certs;
  const isakmp::SigPayload* sig = nullptr;
  for (const auto& p : ps) {
    if (p.type == PayloadType::id) idp = &p;
    if (const auto* c = p.as<isakmp::CertPayload>(); c && c->encoding == isakmp::CertEncoding::x509_signature)
      certs.push_back(c->data);
    if (const auto* s = p.as<isakmp::SigPayload>()) sig = s;
  }
  if (!idp || !sig) return Error::make("auth", "the peer's message carries no ID or no SIG payload");
  if (certs.empty())
    return Error::make("auth", "the peer sent no certificate (none is cached here); it must send its certificate "
                               "(strongSwan: send_cert = always)");
  // The peer's certificate is the one that names its ID; the others are intermediates.
  const auto& id = *idp->as<isakmp::IdPayload>();
  std::size_t leaf = certs.size();
  for (std::size_t i = 0; i < certs.size(); ++i)
    if (cert_matches_id(certs[i], id)) {
      leaf = i;
      break;
    }
  const std::string who = subject_of(certs.front());
  if (leaf == certs.size())
    return Error::make("auth", fmt::format("the peer's ID {} is not named by its certificate '{}'", id.str(), who));
  std::vector<Bytes> inter;
  for (std::size_t i = 0; i < certs.size(); ++i)
    if (i != leaf) inter.push_back(certs[i]);
  std::vector<Bytes> anchors;
  for (const auto* m : cert_methods(sa))
    if (ctx.credentials)
      for (auto& a : ctx.credentials->trust_anchors(*m)) anchors.push_back(std::move(a));
  if (ctx.credentials)
    for (auto& c : ctx.credentials->intermediates()) inter.push_back(std::move(c));
  if (auto st = x509::verify_chain(certs[leaf], inter, anchors); !st)
    return Error::make("cert", fmt::format("peer certificate '{}' issued by '{}': not trusted by rule '{}' (trusts {}{}): {}{}",
                                           subject_of(certs[leaf]), issuer_of(certs[leaf]), sa.policy().rule,
                                           trusted_cas(sa), anchors.empty() ? ", but no such CA certificate is loaded" : "",
                                           st.error().message,
                                           certs.size() == 1 ? " (the peer sent no intermediate certificate: its issuer "
                                                               "must be a trusted or locally loaded CA)"
                                                             : ""));
  auto idb = isakmp::encode_body(*idp);
  if (!idb) return std::move(idb).error();
  auto& r = sa.results();
  // The peer signed HASH_I when it is the initiator, HASH_R otherwise.
  const Bytes hash = sa.initiator() ? r.crypto->keys().hash_r(r.sai_b, *idb) : r.crypto->keys().hash_i(r.sai_b, *idb);
  if (auto st = x509::verify_hash(certs[leaf], hash, sig->data); !st)
    return Error::make("auth", fmt::format("{} of '{}' does not verify: {}", sa.initiator() ? "SIG_R" : "SIG_I",
                                           subject_of(certs[leaf]), st.error().message));
  IPSECKIT_TRY(check_peer_id(sa, id));
  r.peer_id = id;
  ctx.log.emit(log::Level::control, sa.label(),
               fmt::format("peer certificate '{}' (issued by '{}') verified", subject_of(certs[leaf]),
                           issuer_of(certs[leaf])));
  return {};
}

}  // namespace ipseckit::ike
