// What an IKEv1 ID payload means for an X.509 certificate (RFC 2407 4.6.2.1, RFC 4945 3.1):
// the peer's certificate must name the identity it claims in message 5/6. The generic
// certificate code (loading, DNs, chains, signatures) is crypto/x509.h.
#pragma once

#include "base/bytes.h"
#include "wire/isakmp_id.h"

namespace ipseckit::ike {

// Whether the certificate names this identity: ID_DER_ASN1_DN = its subject, an address =
// one of its subjectAltName IP addresses, FQDN = a DNS name.
bool cert_matches_id(ByteView cert, const wire::isakmp::IdPayload& id);

}  // namespace ipseckit::ike
