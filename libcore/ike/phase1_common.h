// Pieces the Main Mode and Aggressive Mode tasks share: the SA payload we offer, the
// authentication methods a policy allows, our identity, the pre-shared key lookup, completing the
// key exchange and authenticating the peer (HASH_I/HASH_R, then its ID against the rule).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/secure_bytes.h"
#include "ike/context.h"
#include "ike/ike_sa.h"
#include "ike/proposal_select.h"
#include "ike/task.h"
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

// RFC 2409 5: the initiator's check of the responder's SA payload (Main Mode and Aggressive Mode
// message 2): exactly one proposal with one transform, which must be one of `pol`'s offers for
// one of `methods` and one this build can run. Fills `sel`; Step::more(), or the failure with the
// notify for the peer.
Step check_phase1_answer(const std::vector<isakmp::Payload>& ps, const MmPolicy& pol,
                         const std::vector<isakmp::IkeAuthMethod>& methods, MmSelection& sel);

// RFC 2409 5 (Main Mode messages 3/4) and 5.4 (Aggressive Mode messages 1/2): the peer's KE and
// NONCE complete the exchange. The responder makes its Diffie-Hellman value of the chosen group
// and its nonce here (into `dh` and `m`); the initiator passes the `dh` whose public value it sent.
// Then g^xy and derive_phase1_keys; `dh` is released once they succeed. Step::more(), or the
// failure with the notify for the peer.
Step complete_key_exchange(IkeSa& sa, Context& ctx, std::unique_ptr<KeyExchange>& dh, const isakmp::KePayload& ke,
                           const isakmp::NoncePayload& nonce, Phase1Material& m);

// RFC 2409 5 (message 5/6) and 5.4 (Aggressive Mode message 2/3), pre-shared key: the peer's
// HASH_I (we are the responder) or HASH_R over its ID payload body authenticates it; only then is
// its ID checked against the rule's "peer_id" (check_peer_id) and recorded in results().peer_id.
// `what` names the message in the peer-ID error ("Main Mode message 5"); `name_id` names the
// claimed ID in the HASH_I error (Aggressive Mode, whose IDii chose the key).
Step accept_psk_peer(IkeSa& sa, ByteView id_b, const isakmp::IdPayload& id, ByteView hash, std::string_view what,
                     bool name_id = false);
// The same for the ID payload as received; its body is encoded here.
Step accept_psk_peer(IkeSa& sa, const isakmp::Payload& idp, ByteView hash, std::string_view what);

}  // namespace ipseckit::ike
