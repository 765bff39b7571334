// X.509 certificates and RSA signatures through OpenSSL, for whatever authenticates with
// certificates (IKEv1 RFC 2409 5.1 signatures today). No OpenSSL type crosses this header
// (STYLE.md #11): certificates travel as DER bytes, private keys as DER PKCS#8 in SecureBytes.
// What an ID payload of IKE means for a certificate is the engine's business (ike/cert_id.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit::crypto::x509 {

// Every certificate of a PEM text, as DER, in order.
Result<std::vector<Bytes>> certs_from_pem(std::string_view pem);
// The certificates of a file's contents: PEM (any number) or one DER certificate.
Result<std::vector<Bytes>> certs_from_file_data(ByteView data);
// A PEM private key (any format OpenSSL reads, unencrypted) as DER PKCS#8.
Result<SecureBytes> key_from_pem(std::string_view pem);
// A private key file's contents, PEM or DER, as DER PKCS#8. Errors never quote the key.
Result<SecureBytes> key_from_file_data(const SecureBytes& data);

// The subject / issuer DN: "C=US, O=Example, CN=gw-a" (RFC 2253 order reversed, as Windows
// and the policy's CERT:"..." write it), and the subject as DER (ID_DER_ASN1_DN, CR payloads).
Result<std::string> subject(ByteView cert);
Result<std::string> issuer(ByteView cert);
Result<Bytes> subject_der(ByteView cert);
// The subject's CN, else the whole subject: short names for log lines ("CN=gw-a").
std::string short_name(ByteView cert);
// DN comparison that ignores the order of RDNs, spaces after commas and letter case.
bool dn_equal(std::string_view a, std::string_view b);
// A CA certificate (basicConstraints CA:TRUE), and one that signed itself (a root).
bool is_ca(ByteView cert);
bool is_self_signed(ByteView cert);

// Builds a chain from `leaf` through `intermediates` to one of `anchors` and checks
// signatures, validity and CA constraints; the error is the reason ("certificate has expired",
// "unable to get local issuer certificate"), with the certificate it concerns when that is not
// the leaf.
// An anchor need not be a root: a rule may trust an intermediate CA (as strongSwan's cacert
// constraint does), and a chain that reaches it is trusted.
Status verify_chain(ByteView leaf, std::span<const Bytes> intermediates, std::span<const Bytes> anchors);

// subjectAltName checks: an IP address (4 or 16 bytes) or a DNS name the certificate names.
bool names_ip(ByteView cert, ByteView addr);
bool names_dns(ByteView cert, std::string_view host);

// RFC 2409 5.1 as every implementation does it: the PKCS#1 v1.5 (type 1) signature of the
// HASH_I/HASH_R bytes themselves, without a DigestInfo.
Result<Bytes> sign_hash(const SecureBytes& key_pkcs8, ByteView hash);
Status verify_hash(ByteView cert, ByteView hash, ByteView signature);
// Whether the private key belongs to the certificate.
bool key_matches(ByteView cert, const SecureBytes& key_pkcs8);

}  // namespace ipseckit::crypto::x509
