// Aggressive Mode (RFC 2409 5, exchange type 4 of RFC 2408 4.8) with pre-shared keys (5.4):
//
//   Initiator                          Responder
//   HDR, SA, KE, Ni, IDii        -->
//                                <--   HDR, SA, KE, Nr, IDir, HASH_R [, NAT-D, NAT-D]
//   HDR*, HASH_I [, NAT-D, ...]  -->
//
// Three messages instead of six, at the price of identity protection and of DH-group
// negotiation: message 1 already carries KE, so the initiator offers one group only. The
// responder does Diffie-Hellman on message 1 (the half-open limits of engine_limits.cpp apply)
// and answers Aggressive Mode only when the peer's rule asks for it
// (MmPolicy::aggressive_responder); we initiate it only when the rule says so
// (MmPolicy::aggressive_initiator). Message 3 is sent encrypted, as strongSwan does
// (EngineConfig::aggressive_encrypt_message3), and accepted either way: RFC 2409 5.4 draws it
// in clear. The responder picks the rule, and with it the pre-shared key, by the initiator's
// IDii (address, FQDN or USER_FQDN: a rule's "peer_id", RFC 2407 4.6.2.1); each side checks the
// other's ID against its rule's peer_id. Signature authentication is not offered here.
#pragma once

#include <memory>

#include "ike/context.h"
#include "ike/ike_sa.h"
#include "ike/task.h"

namespace ipseckit::ike {

std::unique_ptr<Task> make_aggressive_initiator(IkeSa& sa, Context& ctx);
std::unique_ptr<Task> make_aggressive_responder(IkeSa& sa, Context& ctx);

// The policy an Aggressive Mode exchange uses: pre-shared key methods only, and only the
// offers in the DH group of the first offer (RFC 2409 5: "the Diffie-Hellman group ... MUST
// be the same" in all transforms, since KE goes with the offer).
MmPolicy aggressive_policy(const MmPolicy& p);

}  // namespace ipseckit::ike
