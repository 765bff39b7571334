// ISAKMP/IKEv1 registries of the message framework (RFC 2408, RFC 2407, RFC 2409 and the IANA
// "Internet Security Association and Key Management Protocol (ISAKMP) Identifiers" and
// "IPsec DOI" registries): exchange types, payload types, notify types, protocol ids, ID
// types, certificate encodings, DOI and situation. Attribute registries are in
// isakmp_attributes.h.
#pragma once

#include <cstdint>

#include "wire/isakmp_enum.h"

namespace ipseckit::wire::isakmp {

// RFC 2408 3.1 "Exchange Type", RFC 2409 (Quick Mode, New Group Mode), draft-ietf-ipsec-isakmp-mode-cfg (Transaction).
enum class ExchangeType : std::uint8_t {
  none = 0,
  base = 1,
  main_mode = 2,  // Identity Protection
  auth_only = 3,
  aggressive = 4,
  informational = 5,
  transaction = 6,  // Mode Config / XAUTH
  quick_mode = 32,
  new_group = 33,
};
inline constexpr std::array<Named<ExchangeType>, 9> kExchangeTypeNames{{
    {ExchangeType::none, "NONE"},
    {ExchangeType::base, "BASE"},
    {ExchangeType::main_mode, "ID_PROT"},
    {ExchangeType::auth_only, "AUTH_ONLY"},
    {ExchangeType::aggressive, "AGGRESSIVE"},
    {ExchangeType::informational, "INFORMATIONAL"},
    {ExchangeType::transaction, "TRANSACTION"},
    {ExchangeType::quick_mode, "QUICK_MODE"},
    {ExchangeType::new_group, "NEW_GROUP_MODE"},
}};
template <>
struct EnumTable<ExchangeType> {
  static constexpr const auto& table = kExchangeTypeNames;
};

// RFC 2408 3.1 "Next Payload Types"; RFC 3947 NAT-D/NAT-OA (20/21) and their
// draft-ietf-ipsec-nat-t-ike-02/03 numbers (130/131); 132 is the IKE fragment payload
// (Cisco's format, also sent by strongSwan and Windows, MS-IKEE 2.2.7).
enum class PayloadType : std::uint8_t {
  none = 0,
  sa = 1,
  proposal = 2,
  transform = 3,
  ke = 4,
  id = 5,
  cert = 6,
  cr = 7,
  hash = 8,
  sig = 9,
  nonce = 10,
  notify = 11,
  del = 12,
  vendor_id = 13,
  attributes = 14,  // Mode Config
  sak = 15,         // RFC 3547 (GDOI)
  sat = 16,
  kd = 17,
  seq = 18,
  pop = 19,
  nat_d = 20,
  nat_oa = 21,
  gap = 22,
  nat_d_draft = 130,
  nat_oa_draft = 131,
  fragment = 132,
};
inline constexpr std::array<Named<PayloadType>, 26> kPayloadTypeNames{{
    {PayloadType::none, "NONE"},
    {PayloadType::sa, "SA"},
    {PayloadType::proposal, "P"},
    {PayloadType::transform, "T"},
    {PayloadType::ke, "KE"},
    {PayloadType::id, "ID"},
    {PayloadType::cert, "CERT"},
    {PayloadType::cr, "CR"},
    {PayloadType::hash, "HASH"},
    {PayloadType::sig, "SIG"},
    {PayloadType::nonce, "NONCE"},
    {PayloadType::notify, "N"},
    {PayloadType::del, "D"},
    {PayloadType::vendor_id, "VID"},
    {PayloadType::attributes, "ATTR"},
    {PayloadType::sak, "SAK"},
    {PayloadType::sat, "SAT"},
    {PayloadType::kd, "KD"},
    {PayloadType::seq, "SEQ"},
    {PayloadType::pop, "POP"},
    {PayloadType::nat_d, "NAT-D"},
    {PayloadType::nat_oa, "NAT-OA"},
    {PayloadType::gap, "GAP"},
    {PayloadType::nat_d_draft, "NAT-D(draft)"},
    {PayloadType::nat_oa_draft, "NAT-OA(draft)"},
    {PayloadType::fragment, "FRAG"},
}};
template <>
struct EnumTable<PayloadType> {
  static constexpr const auto& table = kPayloadTypeNames;
};

// RFC 2408 3.14.1 (errors 1-30, CONNECTED 16384), RFC 2407 4.6.3 (24576-24578),
// RFC 3706 (DPD, from the private range). Error codes travel in Error::proto.
enum class NotifyType : std::uint16_t {
  invalid_payload_type = 1,
  doi_not_supported = 2,
  situation_not_supported = 3,
  invalid_cookie = 4,
  invalid_major_version = 5,
  invalid_minor_version = 6,
  invalid_exchange_type = 7,
  invalid_flags = 8,
  invalid_message_id = 9,
  invalid_protocol_id = 10,
  invalid_spi = 11,
  invalid_transform_id = 12,
  attributes_not_supported = 13,
  no_proposal_chosen = 14,
  bad_proposal_syntax = 15,
  payload_malformed = 16,
  invalid_key_information = 17,
  invalid_id_information = 18,
  invalid_cert_encoding = 19,
  invalid_certificate = 20,
  cert_type_unsupported = 21,
  invalid_cert_authority = 22,
  invalid_hash_information = 23,
  authentication_failed = 24,
  invalid_signature = 25,
  address_notification = 26,
  notify_sa_lifetime = 27,
  certificate_unavailable = 28,
  unsupported_exchange_type = 29,
  unequal_payload_lengths = 30,
  connected = 16384,
  responder_lifetime = 24576,
  replay_status = 24577,
  initial_contact = 24578,
  dpd_r_u_there = 36136,
  dpd_r_u_there_ack = 36137,
};
inline constexpr std::array<Named<NotifyType>, 36> kNotifyTypeNames{{
    {NotifyType::invalid_payload_type, "INVALID-PAYLOAD-TYPE"},
    {NotifyType::doi_not_supported, "DOI-NOT-SUPPORTED"},
    {NotifyType::situation_not_supported, "SITUATION-NOT-SUPPORTED"},
    {NotifyType::invalid_cookie, "INVALID-COOKIE"},
    {NotifyType::invalid_major_version, "INVALID-MAJOR-VERSION"},
    {NotifyType::invalid_minor_version, "INVALID-MINOR-VERSION"},
    {NotifyType::invalid_exchange_type, "INVALID-EXCHANGE-TYPE"},
    {NotifyType::invalid_flags, "INVALID-FLAGS"},
    {NotifyType::invalid_message_id, "INVALID-MESSAGE-ID"},
    {NotifyType::invalid_protocol_id, "INVALID-PROTOCOL-ID"},
    {NotifyType::invalid_spi, "INVALID-SPI"},
    {NotifyType::invalid_transform_id, "INVALID-TRANSFORM-ID"},
    {NotifyType::attributes_not_supported, "ATTRIBUTES-NOT-SUPPORTED"},
    {NotifyType::no_proposal_chosen, "NO-PROPOSAL-CHOSEN"},
    {NotifyType::bad_proposal_syntax, "BAD-PROPOSAL-SYNTAX"},
    {NotifyType::payload_malformed, "PAYLOAD-MALFORMED"},
    {NotifyType::invalid_key_information, "INVALID-KEY-INFORMATION"},
    {NotifyType::invalid_id_information, "INVALID-ID-INFORMATION"},
    {NotifyType::invalid_cert_encoding, "INVALID-CERT-ENCODING"},
    {NotifyType::invalid_certificate, "INVALID-CERTIFICATE"},
    {NotifyType::cert_type_unsupported, "CERT-TYPE-UNSUPPORTED"},
    {NotifyType::invalid_cert_authority, "INVALID-CERT-AUTHORITY"},
    {NotifyType::invalid_hash_information, "INVALID-HASH-INFORMATION"},
    {NotifyType::authentication_failed, "AUTHENTICATION-FAILED"},
    {NotifyType::invalid_signature, "INVALID-SIGNATURE"},
    {NotifyType::address_notification, "ADDRESS-NOTIFICATION"},
    {NotifyType::notify_sa_lifetime, "NOTIFY-SA-LIFETIME"},
    {NotifyType::certificate_unavailable, "CERTIFICATE-UNAVAILABLE"},
    {NotifyType::unsupported_exchange_type, "UNSUPPORTED-EXCHANGE-TYPE"},
    {NotifyType::unequal_payload_lengths, "UNEQUAL-PAYLOAD-LENGTHS"},
    {NotifyType::connected, "CONNECTED"},
    {NotifyType::responder_lifetime, "RESPONDER-LIFETIME"},
    {NotifyType::replay_status, "REPLAY-STATUS"},
    {NotifyType::initial_contact, "INITIAL-CONTACT"},
    {NotifyType::dpd_r_u_there, "R-U-THERE"},
    {NotifyType::dpd_r_u_there_ack, "R-U-THERE-ACK"},
}};
template <>
struct EnumTable<NotifyType> {
  static constexpr const auto& table = kNotifyTypeNames;
};
// RFC 2408 3.14.1: 1..16383 are errors, 16384 and above status messages.
constexpr bool is_error(NotifyType t) { return raw(t) >= 1 && raw(t) < 16384; }

// RFC 2407 4.4.1 "IPSEC Security Protocol Identifier".
enum class ProtocolId : std::uint8_t {
  reserved = 0,
  isakmp = 1,
  ah = 2,
  esp = 3,
  ipcomp = 4,
};
inline constexpr std::array<Named<ProtocolId>, 5> kProtocolIdNames{{
    {ProtocolId::reserved, "RESERVED"},
    {ProtocolId::isakmp, "PROTO_ISAKMP"},
    {ProtocolId::ah, "PROTO_IPSEC_AH"},
    {ProtocolId::esp, "PROTO_IPSEC_ESP"},
    {ProtocolId::ipcomp, "PROTO_IPCOMP"},
}};
template <>
struct EnumTable<ProtocolId> {
  static constexpr const auto& table = kProtocolIdNames;
};

// RFC 2407 4.6.2.1 "Identification Type Values"; RFC 3554 adds ID_LIST.
enum class IdType : std::uint8_t {
  ipv4_addr = 1,
  fqdn = 2,
  user_fqdn = 3,
  ipv4_subnet = 4,
  ipv6_addr = 5,
  ipv6_subnet = 6,
  ipv4_range = 7,
  ipv6_range = 8,
  der_asn1_dn = 9,
  der_asn1_gn = 10,
  key_id = 11,
  list = 12,
};
inline constexpr std::array<Named<IdType>, 12> kIdTypeNames{{
    {IdType::ipv4_addr, "ID_IPV4_ADDR"},
    {IdType::fqdn, "ID_FQDN"},
    {IdType::user_fqdn, "ID_USER_FQDN"},
    {IdType::ipv4_subnet, "ID_IPV4_ADDR_SUBNET"},
    {IdType::ipv6_addr, "ID_IPV6_ADDR"},
    {IdType::ipv6_subnet, "ID_IPV6_ADDR_SUBNET"},
    {IdType::ipv4_range, "ID_IPV4_ADDR_RANGE"},
    {IdType::ipv6_range, "ID_IPV6_ADDR_RANGE"},
    {IdType::der_asn1_dn, "ID_DER_ASN1_DN"},
    {IdType::der_asn1_gn, "ID_DER_ASN1_GN"},
    {IdType::key_id, "ID_KEY_ID"},
    {IdType::list, "ID_LIST"},
}};
template <>
struct EnumTable<IdType> {
  static constexpr const auto& table = kIdTypeNames;
};

// RFC 2408 3.9 "Certificate Encoding" (also used by CR, 3.10).
enum class CertEncoding : std::uint8_t {
  none = 0,
  pkcs7_x509 = 1,
  pgp = 2,
  dns_signed_key = 3,
  x509_signature = 4,
  x509_key_exchange = 5,
  kerberos_tokens = 6,
  crl = 7,
  arl = 8,
  spki = 9,
  x509_attribute = 10,
};
inline constexpr std::array<Named<CertEncoding>, 11> kCertEncodingNames{{
    {CertEncoding::none, "NONE"},
    {CertEncoding::pkcs7_x509, "PKCS #7 wrapped X.509 certificate"},
    {CertEncoding::pgp, "PGP Certificate"},
    {CertEncoding::dns_signed_key, "DNS Signed Key"},
    {CertEncoding::x509_signature, "X.509 Certificate - Signature"},
    {CertEncoding::x509_key_exchange, "X.509 Certificate - Key Exchange"},
    {CertEncoding::kerberos_tokens, "Kerberos Tokens"},
    {CertEncoding::crl, "Certificate Revocation List (CRL)"},
    {CertEncoding::arl, "Authority Revocation List (ARL)"},
    {CertEncoding::spki, "SPKI Certificate"},
    {CertEncoding::x509_attribute, "X.509 Certificate - Attribute"},
}};
template <>
struct EnumTable<CertEncoding> {
  static constexpr const auto& table = kCertEncodingNames;
};

// RFC 2408 3.4 / RFC 2407 4.2: Domain of Interpretation. Phase 1 and 2 use the IPsec DOI.
enum class Doi : std::uint32_t {
  isakmp = 0,
  ipsec = 1,
};
inline constexpr std::array<Named<Doi>, 2> kDoiNames{{
    {Doi::isakmp, "ISAKMP"},
    {Doi::ipsec, "IPSEC"},
}};
template <>
struct EnumTable<Doi> {
  static constexpr const auto& table = kDoiNames;
};

// RFC 2407 4.2 "IPSEC Situation Definition" (a bit mask).
enum class Situation : std::uint32_t {
  identity_only = 1,
  secrecy = 2,
  integrity = 4,
};
inline constexpr std::array<Named<Situation>, 3> kSituationNames{{
    {Situation::identity_only, "SIT_IDENTITY_ONLY"},
    {Situation::secrecy, "SIT_SECRECY"},
    {Situation::integrity, "SIT_INTEGRITY"},
}};
template <>
struct EnumTable<Situation> {
  static constexpr const auto& table = kSituationNames;
};

// RFC 2408 3.1 header flags.
namespace flags {
inline constexpr std::uint8_t encryption = 0x01;
inline constexpr std::uint8_t commit = 0x02;
inline constexpr std::uint8_t auth_only = 0x04;
}  // namespace flags

}  // namespace ipseckit::wire::isakmp
