// Pieces both Main Mode tasks (and later Aggressive Mode) share: the SA payload we offer, the
// authentication methods a policy allows, our identity, the pre-shared key lookup and the
// AUTH payload checks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/secure_bytes.h"
#include "ike/context.h"
#include "ike/ike_sa.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

inline constexpr std::size_t kNonceSize = 32;  // RFC 2409 5: 8..256 bytes; strongSwan sends 32

// The IKE authentication methods a policy's methods map to, in the policy's order (PSK ->
// pre-shared key). Kerberos has no implementation here and is left out.
std::vector<isakmp::IkeAuthMethod> ike_auth_methods(const MmPolicy& p);

// The policy without the methods this engine cannot serve: certificate methods when no
// Credentials were injected (EngineEnv::credentials).
MmPolicy usable_methods(const MmPolicy& p, const Context& ctx);

// One ISAKMP proposal with a transform per (offer x method), numbered from 1, in order
// (RFC 2409 5: several transforms of one proposal are alternatives).
Result<isakmp::SaPayload> make_phase1_offer(const MmPolicy& p);

// The answer to a chosen transform: the peer's proposal reduced to that transform
// (RFC 2409 5: the responder returns the initiator's transform unchanged).
isakmp::SaPayload make_phase1_answer(const isakmp::SaPayload& offered, std::size_t proposal, std::size_t transform);

// Our phase-1 identity: the rule's "local_id" (MmPolicy::local_id), else ID_IPV4_ADDR /
// ID_IPV6_ADDR of the local address, protocol and port 0 (RFC 2407 4.6.2 allows 0 or UDP/500;
// strongSwan and Windows accept both).
isakmp::IdPayload local_identity(const IkeSa& sa);

// The peer's authenticated phase-1 ID against the rule's "peer_id" (MmPolicy::peer_id, RFC 2407
// 4.6.2.1); always fine when the rule names none. The error names both identities and the rule.
Status check_peer_id(const IkeSa& sa, const isakmp::IdPayload& id);

// The pre-shared key for the SA's peer (Aggressive Mode responder: the address its IDii names,
// Phase1Results::psk_lookup): the first PSK method of the policy whose key the secret provider knows. Error text names the rule and peer.
Result<SecureBytes> find_psk(const IkeSa& sa, Context& ctx);

// The first payload of type t carrying body T, or nullptr.
template <class T>
const T* find_body(const std::vector<isakmp::Payload>& ps, isakmp::PayloadType t) {
  for (const auto& p : ps)
    if (p.type == t)
      if (const T* b = p.as<T>()) return b;
  return nullptr;
}

// N(INITIAL-CONTACT) for this SA (RFC 2407 4.6.3.3: protocol ISAKMP, SPI = CKY-I | CKY-R).
isakmp::Payload initial_contact(const IkeSa& sa);

// Whether a payload list carries a notify of this type.
bool has_notify(const std::vector<isakmp::Payload>& ps, isakmp::NotifyType t);

// Records what phase 1 chose (attributes, lifetimes bounded by the offer and the config).
void record_choice(IkeSa& sa, const isakmp::IkeTransformAttrs& a, const policy::MmOffer& offer,
                   const EngineConfig& cfg);

// "AES-128/SHA-1/group 14, pre-shared key".
std::string describe_phase1(const isakmp::IkeTransformAttrs& a);

}  // namespace ipseckit::ike

namespace ipseckit::ike {

// The public values and nonces of one phase-1 exchange, as sent (payload bodies).
struct Phase1Material {
  Bytes g_xi, g_xr;
  Bytes ni_b, nr_b;
};

// RFC 2409 5 and 5.4: SKEYID from the pre-shared key (the only method so far), then
// SKEYID_d/a/e, Ka and the phase-1 IV; stores the result in sa.results().crypto.
Status derive_phase1_keys(IkeSa& sa, Context& ctx, const SecureBytes& g_xy, const Phase1Material& m);

}  // namespace ipseckit::ike
