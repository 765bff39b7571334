// X.509 certificates and RSA signatures for IKEv1 signature authentication (RFC 2409 5.1),
// through OpenSSL. No OpenSSL type crosses this header (STYLE.md #11); certificates travel as
// DER bytes, private keys as DER PKCS#8 in SecureBytes. (This belongs in libcore/crypto; it
// lives here until that area takes it over.)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"
#include "wire/isakmp_id.h"

namespace ipseckit::ike::x509 {

// Every certificate of a PEM text, as DER, in order.
Result<std::vector<Bytes>> certs_from_pem(std::string_view pem);
// A PEM private key (any format OpenSSL reads) as DER PKCS#8.
Result<SecureBytes> key_from_pem(std::string_view pem);

// The subject / issuer DN: "C=US, O=Example, CN=gw-a" (RFC 2253 order reversed, as Windows
// and the policy's CERT:"..." write it), and the subject as DER (ID_DER_ASN1_DN, CR payloads).
Result<std::string> subject(ByteView cert);
Result<std::string> issuer(ByteView cert);
Result<Bytes> subject_der(ByteView cert);
// DN comparison that ignores the order of RDNs, spaces after commas and letter case.
bool dn_equal(std::string_view a, std::string_view b);

// Builds a chain from `leaf` through `intermediates` to one of `anchors` and checks
// signatures, validity and CA constraints; the error names the certificate and the reason.
Status verify_chain(ByteView leaf, std::span<const Bytes> intermediates, std::span<const Bytes> anchors);

// Whether the certificate names this identity: ID_DER_ASN1_DN = its subject, an address =
// one of its subjectAltName IP addresses, FQDN = a DNS name.
bool matches_id(ByteView cert, const wire::isakmp::IdPayload& id);

// RFC 2409 5.1 as every implementation does it: the PKCS#1 v1.5 (type 1) signature of the
// HASH_I/HASH_R bytes themselves, without a DigestInfo.
Result<Bytes> sign_hash(const SecureBytes& key_pkcs8, ByteView hash);
Status verify_hash(ByteView cert, ByteView hash, ByteView signature);
// Whether the private key belongs to the certificate.
bool key_matches(ByteView cert, const SecureBytes& key_pkcs8);

}  // namespace ipseckit::ike::x509
