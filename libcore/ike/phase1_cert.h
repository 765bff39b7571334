// RSA-signature authentication in Main Mode (RFC 2409 5.1) with X.509 certificates:
//
//   HDR, KE, Ni [, CR ]            -->      (message 3; CR names the CA we trust)
//                                  <--   HDR, KE, Nr [, CR ]
//   HDR*, IDii, [ CERT, ] SIG_I    -->
//                                  <--   HDR*, IDir, [ CERT, ] SIG_R
//
// SIG_I/SIG_R sign HASH_I/HASH_R. We always send our certificate (and its intermediates);
// the peer's chain must lead to a trust anchor of one of the rule's cert methods (the CA DN
// of CERT:"..."), its certificate must name its ID, and its signature must verify, before
// anything in message 5/6 is acted upon.
#pragma once

#include <vector>

#include "base/result.h"
#include "ike/context.h"
#include "ike/ike_sa.h"
#include "wire/isakmp_message.h"

namespace ipseckit::ike {

bool uses_signatures(const IkeSa& sa);

// CR payloads for message 3/4: one per trust anchor (its subject DN), or one naming any CA.
std::vector<isakmp::Payload> cert_requests(const IkeSa& sa, Context& ctx);

// ID (our certificate's subject DN), CERT payloads and SIG for message 5 (initiator) or 6.
// Stores our ID in sa.results().local_id.
Result<std::vector<isakmp::Payload>> signed_identity(IkeSa& sa, Context& ctx);

// Our whole message 5 (initiator) or 6: ID and HASH_I/HASH_R with a pre-shared key, or the
// signed identity above; N(INITIAL-CONTACT) when this is our first SA with the peer.
Result<std::vector<isakmp::Payload>> identity_payloads(IkeSa& sa, Context& ctx);

// Checks the peer's message 5/6: certificate chain, ID against certificate, SIG over
// HASH_I/HASH_R. The error names the certificate and why it was refused.
Status verify_signed_identity(IkeSa& sa, Context& ctx, const std::vector<isakmp::Payload>& ps);

}  // namespace ipseckit::ike
