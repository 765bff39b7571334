// The attribute and transform registries of IKEv1: phase-1 (Oakley) attribute classes and
// values of RFC 2409 appendix A, IPsec DOI SA attributes of RFC 2407 4.5 (with RFC 3947's
// and draft-ietf-ipsec-nat-t-ike's encapsulation modes and RFC 4304's ESN), and the transform
// identifiers of RFC 2407 4.4.2-4.4.5 as IANA extended them.
#pragma once

#include <cstdint>

#include "wire/isakmp_enum.h"

namespace ipseckit::wire::isakmp {

// ---------------------------------------------------------------- phase 1 (RFC 2409 appendix A)

// Attribute classes. B = basic (TV only), V = variable (TLV, or TV when it fits in 16 bits).
enum class IkeAttr : std::uint16_t {
  encryption = 1,        // B
  hash = 2,              // B
  auth_method = 3,       // B
  group_description = 4, // B
  group_type = 5,        // B
  group_prime = 6,       // V
  group_generator_one = 7,  // V
  group_generator_two = 8,  // V
  group_curve_a = 9,     // V
  group_curve_b = 10,    // V
  life_type = 11,        // B
  life_duration = 12,    // V
  prf = 13,              // B
  key_length = 14,       // B
  field_size = 15,       // B
  group_order = 16,      // V
};
inline constexpr std::array<Named<IkeAttr>, 16> kIkeAttrNames{{
    {IkeAttr::encryption, "Encryption Algorithm"},
    {IkeAttr::hash, "Hash Algorithm"},
    {IkeAttr::auth_method, "Authentication Method"},
    {IkeAttr::group_description, "Group Description"},
    {IkeAttr::group_type, "Group Type"},
    {IkeAttr::group_prime, "Group Prime/Irreducible Polynomial"},
    {IkeAttr::group_generator_one, "Group Generator One"},
    {IkeAttr::group_generator_two, "Group Generator Two"},
    {IkeAttr::group_curve_a, "Group Curve A"},
    {IkeAttr::group_curve_b, "Group Curve B"},
    {IkeAttr::life_type, "Life Type"},
    {IkeAttr::life_duration, "Life Duration"},
    {IkeAttr::prf, "PRF"},
    {IkeAttr::key_length, "Key Length"},
    {IkeAttr::field_size, "Field Size"},
    {IkeAttr::group_order, "Group Order"},
}};
template <>
struct EnumTable<IkeAttr> {
  static constexpr const auto& table = kIkeAttrNames;
};
// Appendix A: "Attributes described as basic MUST NOT be encoded as variable."
constexpr bool is_basic(IkeAttr a) {
  switch (a) {
    case IkeAttr::group_prime:
    case IkeAttr::group_generator_one:
    case IkeAttr::group_generator_two:
    case IkeAttr::group_curve_a:
    case IkeAttr::group_curve_b:
    case IkeAttr::life_duration:
    case IkeAttr::group_order:
      return false;
    default:
      return true;
  }
}

// Encryption Algorithm values; 7 = AES-CBC (RFC 3602 5.3), 8 = Camellia-CBC (RFC 4312).
enum class IkeEncryption : std::uint16_t {
  des_cbc = 1,
  idea_cbc = 2,
  blowfish_cbc = 3,
  rc5_r16_b64_cbc = 4,
  des3_cbc = 5,
  cast_cbc = 6,
  aes_cbc = 7,
  camellia_cbc = 8,
};
inline constexpr std::array<Named<IkeEncryption>, 8> kIkeEncryptionNames{{
    {IkeEncryption::des_cbc, "DES-CBC"},
    {IkeEncryption::idea_cbc, "IDEA-CBC"},
    {IkeEncryption::blowfish_cbc, "Blowfish-CBC"},
    {IkeEncryption::rc5_r16_b64_cbc, "RC5-R16-B64-CBC"},
    {IkeEncryption::des3_cbc, "3DES-CBC"},
    {IkeEncryption::cast_cbc, "CAST-CBC"},
    {IkeEncryption::aes_cbc, "AES-CBC"},
    {IkeEncryption::camellia_cbc, "CAMELLIA-CBC"},
}};
template <>
struct EnumTable<IkeEncryption> {
  static constexpr const auto& table = kIkeEncryptionNames;
};

// Hash Algorithm values; SHA2 from RFC 4868 / IANA.
enum class IkeHash : std::uint16_t {
  md5 = 1,
  sha1 = 2,
  tiger = 3,
  sha2_256 = 4,
  sha2_384 = 5,
  sha2_512 = 6,
};
inline constexpr std::array<Named<IkeHash>, 6> kIkeHashNames{{
    {IkeHash::md5, "MD5"},
    {IkeHash::sha1, "SHA"},
    {IkeHash::tiger, "Tiger"},
    {IkeHash::sha2_256, "SHA2-256"},
    {IkeHash::sha2_384, "SHA2-384"},
    {IkeHash::sha2_512, "SHA2-512"},
}};
template <>
struct EnumTable<IkeHash> {
  static constexpr const auto& table = kIkeHashNames;
};

// Authentication Method values. 65001 is both Windows' GSS-API Kerberos method
// (draft-ietf-ipsec-isakmp-gss-auth, as Windows 2000 sends it) and XAUTHInitPreShared
// (draft-ietf-ipsec-isakmp-xauth); the exchange context tells them apart.
enum class IkeAuthMethod : std::uint16_t {
  psk = 1,
  dss_sig = 2,
  rsa_sig = 3,
  rsa_enc = 4,
  rsa_enc_revised = 5,
  elgamal_enc = 6,
  elgamal_enc_revised = 7,
  ecdsa_sha256_p256 = 9,
  ecdsa_sha384_p384 = 10,
  ecdsa_sha512_p521 = 11,
  gssapi_kerberos = 65001,
  xauth_init_psk = 65001,
  xauth_resp_psk = 65002,
  xauth_init_dss = 65003,
  xauth_resp_dss = 65004,
  xauth_init_rsa = 65005,
  xauth_resp_rsa = 65006,
  xauth_init_rsa_enc = 65007,
  xauth_resp_rsa_enc = 65008,
  xauth_init_rsa_enc_revised = 65009,
  xauth_resp_rsa_enc_revised = 65010,
};
inline constexpr std::array<Named<IkeAuthMethod>, 20> kIkeAuthMethodNames{{
    {IkeAuthMethod::psk, "pre-shared key"},
    {IkeAuthMethod::dss_sig, "DSS signatures"},
    {IkeAuthMethod::rsa_sig, "RSA signatures"},
    {IkeAuthMethod::rsa_enc, "Encryption with RSA"},
    {IkeAuthMethod::rsa_enc_revised, "Revised encryption with RSA"},
    {IkeAuthMethod::elgamal_enc, "Encryption with El-Gamal"},
    {IkeAuthMethod::elgamal_enc_revised, "Revised encryption with El-Gamal"},
    {IkeAuthMethod::ecdsa_sha256_p256, "ECDSA with SHA-256 on the P-256 curve"},
    {IkeAuthMethod::ecdsa_sha384_p384, "ECDSA with SHA-384 on the P-384 curve"},
    {IkeAuthMethod::ecdsa_sha512_p521, "ECDSA with SHA-512 on the P-521 curve"},
    {IkeAuthMethod::gssapi_kerberos, "GSS-API Kerberos / XAUTHInitPreShared"},
    {IkeAuthMethod::xauth_resp_psk, "XAUTHRespPreShared"},
    {IkeAuthMethod::xauth_init_dss, "XAUTHInitDSS"},
    {IkeAuthMethod::xauth_resp_dss, "XAUTHRespDSS"},
    {IkeAuthMethod::xauth_init_rsa, "XAUTHInitRSA"},
    {IkeAuthMethod::xauth_resp_rsa, "XAUTHRespRSA"},
    {IkeAuthMethod::xauth_init_rsa_enc, "XAUTHInitRSAEncryption"},
    {IkeAuthMethod::xauth_resp_rsa_enc, "XAUTHRespRSAEncryption"},
    {IkeAuthMethod::xauth_init_rsa_enc_revised, "XAUTHInitRSARevisedEncryption"},
    {IkeAuthMethod::xauth_resp_rsa_enc_revised, "XAUTHRespRSARevisedEncryption"},
}};
template <>
struct EnumTable<IkeAuthMethod> {
  static constexpr const auto& table = kIkeAuthMethodNames;
};

// Group Description values (RFC 2409 6, RFC 3526, RFC 5114, RFC 5903, RFC 6932; 31/32 are the
// IKEv2 numbers strongSwan also puts into IKEv1 proposals).
enum class GroupDescription : std::uint16_t {
  modp768 = 1,
  modp1024 = 2,
  ec2n155 = 3,
  ec2n185 = 4,
  modp1536 = 5,
  modp2048 = 14,
  modp3072 = 15,
  modp4096 = 16,
  modp6144 = 17,
  modp8192 = 18,
  ecp256 = 19,
  ecp384 = 20,
  ecp521 = 21,
  modp1024s160 = 22,
  modp2048s224 = 23,
  modp2048s256 = 24,
  ecp192 = 25,
  ecp224 = 26,
  brainpool224 = 27,
  brainpool256 = 28,
  brainpool384 = 29,
  brainpool512 = 30,
  curve25519 = 31,
  curve448 = 32,
};
inline constexpr std::array<Named<GroupDescription>, 24> kGroupDescriptionNames{{
    {GroupDescription::modp768, "MODP-768 (group 1)"},
    {GroupDescription::modp1024, "MODP-1024 (group 2)"},
    {GroupDescription::ec2n155, "EC2N-155 (group 3)"},
    {GroupDescription::ec2n185, "EC2N-185 (group 4)"},
    {GroupDescription::modp1536, "MODP-1536 (group 5)"},
    {GroupDescription::modp2048, "MODP-2048 (group 14)"},
    {GroupDescription::modp3072, "MODP-3072 (group 15)"},
    {GroupDescription::modp4096, "MODP-4096 (group 16)"},
    {GroupDescription::modp6144, "MODP-6144 (group 17)"},
    {GroupDescription::modp8192, "MODP-8192 (group 18)"},
    {GroupDescription::ecp256, "ECP-256 (group 19)"},
    {GroupDescription::ecp384, "ECP-384 (group 20)"},
    {GroupDescription::ecp521, "ECP-521 (group 21)"},
    {GroupDescription::modp1024s160, "MODP-1024/160 (group 22)"},
    {GroupDescription::modp2048s224, "MODP-2048/224 (group 23)"},
    {GroupDescription::modp2048s256, "MODP-2048/256 (group 24)"},
    {GroupDescription::ecp192, "ECP-192 (group 25)"},
    {GroupDescription::ecp224, "ECP-224 (group 26)"},
    {GroupDescription::brainpool224, "brainpoolP224r1 (group 27)"},
    {GroupDescription::brainpool256, "brainpoolP256r1 (group 28)"},
    {GroupDescription::brainpool384, "brainpoolP384r1 (group 29)"},
    {GroupDescription::brainpool512, "brainpoolP512r1 (group 30)"},
    {GroupDescription::curve25519, "Curve25519 (group 31)"},
    {GroupDescription::curve448, "Curve448 (group 32)"},
}};
template <>
struct EnumTable<GroupDescription> {
  static constexpr const auto& table = kGroupDescriptionNames;
};

enum class GroupType : std::uint16_t { modp = 1, ecp = 2, ec2n = 3 };
inline constexpr std::array<Named<GroupType>, 3> kGroupTypeNames{{
    {GroupType::modp, "MODP"},
    {GroupType::ecp, "ECP"},
    {GroupType::ec2n, "EC2N"},
}};
template <>
struct EnumTable<GroupType> {
  static constexpr const auto& table = kGroupTypeNames;
};

// Life Type, shared by phase 1 (appendix A) and the IPsec DOI (RFC 2407 4.5).
enum class LifeType : std::uint16_t { seconds = 1, kilobytes = 2 };
inline constexpr std::array<Named<LifeType>, 2> kLifeTypeNames{{
    {LifeType::seconds, "seconds"},
    {LifeType::kilobytes, "kilobytes"},
}};
template <>
struct EnumTable<LifeType> {
  static constexpr const auto& table = kLifeTypeNames;
};

// ---------------------------------------------------------------- phase 2 (RFC 2407 4.5)

enum class IpsecAttr : std::uint16_t {
  sa_life_type = 1,          // B
  sa_life_duration = 2,      // V
  group_description = 3,     // B
  encapsulation_mode = 4,    // B
  auth_algorithm = 5,        // B
  key_length = 6,            // B
  key_rounds = 7,            // B
  compress_dict_size = 8,    // B
  compress_private_alg = 9,  // V
  ecn_tunnel = 10,           // B (RFC 3168)
  extended_seq_number = 11,  // B (RFC 4304)
};
inline constexpr std::array<Named<IpsecAttr>, 11> kIpsecAttrNames{{
    {IpsecAttr::sa_life_type, "SA Life Type"},
    {IpsecAttr::sa_life_duration, "SA Life Duration"},
    {IpsecAttr::group_description, "Group Description"},
    {IpsecAttr::encapsulation_mode, "Encapsulation Mode"},
    {IpsecAttr::auth_algorithm, "Authentication Algorithm"},
    {IpsecAttr::key_length, "Key Length"},
    {IpsecAttr::key_rounds, "Key Rounds"},
    {IpsecAttr::compress_dict_size, "Compress Dictionary Size"},
    {IpsecAttr::compress_private_alg, "Compress Private Algorithm"},
    {IpsecAttr::ecn_tunnel, "ECN Tunnel"},
    {IpsecAttr::extended_seq_number, "Extended (64-bit) Sequence Number"},
}};
template <>
struct EnumTable<IpsecAttr> {
  static constexpr const auto& table = kIpsecAttrNames;
};
constexpr bool is_basic(IpsecAttr a) {
  return a != IpsecAttr::sa_life_duration && a != IpsecAttr::compress_private_alg;
}

// Encapsulation Mode: RFC 2407 (1, 2), RFC 3947 5.3 (3, 4), draft-ietf-ipsec-nat-t-ike-02/03
// private-use values that Windows (KB 818043) and strongSwan send (61443, 61444).
enum class EncapsulationMode : std::uint16_t {
  tunnel = 1,
  transport = 2,
  udp_tunnel = 3,
  udp_transport = 4,
  udp_tunnel_draft = 61443,
  udp_transport_draft = 61444,
};
inline constexpr std::array<Named<EncapsulationMode>, 6> kEncapsulationModeNames{{
    {EncapsulationMode::tunnel, "Tunnel"},
    {EncapsulationMode::transport, "Transport"},
    {EncapsulationMode::udp_tunnel, "UDP-Encapsulated-Tunnel"},
    {EncapsulationMode::udp_transport, "UDP-Encapsulated-Transport"},
    {EncapsulationMode::udp_tunnel_draft, "UDP-Encapsulated-Tunnel (draft)"},
    {EncapsulationMode::udp_transport_draft, "UDP-Encapsulated-Transport (draft)"},
}};
template <>
struct EnumTable<EncapsulationMode> {
  static constexpr const auto& table = kEncapsulationModeNames;
};
constexpr bool is_tunnel(EncapsulationMode m) {
  return m == EncapsulationMode::tunnel || m == EncapsulationMode::udp_tunnel ||
         m == EncapsulationMode::udp_tunnel_draft;
}
constexpr bool is_udp_encapsulated(EncapsulationMode m) {
  return m != EncapsulationMode::tunnel && m != EncapsulationMode::transport;
}

// Authentication Algorithm (RFC 2407 4.5, RFC 4868, RFC 4543, IANA).
enum class AuthAlgorithm : std::uint16_t {
  hmac_md5 = 1,
  hmac_sha1 = 2,
  des_mac = 3,
  kpdk = 4,
  hmac_sha2_256 = 5,
  hmac_sha2_384 = 6,
  hmac_sha2_512 = 7,
  hmac_ripemd = 8,
  aes_xcbc_mac = 9,
  sig_rsa = 10,
  aes_128_gmac = 11,
  aes_192_gmac = 12,
  aes_256_gmac = 13,
};
inline constexpr std::array<Named<AuthAlgorithm>, 13> kAuthAlgorithmNames{{
    {AuthAlgorithm::hmac_md5, "HMAC-MD5"},
    {AuthAlgorithm::hmac_sha1, "HMAC-SHA"},
    {AuthAlgorithm::des_mac, "DES-MAC"},
    {AuthAlgorithm::kpdk, "KPDK"},
    {AuthAlgorithm::hmac_sha2_256, "HMAC-SHA2-256"},
    {AuthAlgorithm::hmac_sha2_384, "HMAC-SHA2-384"},
    {AuthAlgorithm::hmac_sha2_512, "HMAC-SHA2-512"},
    {AuthAlgorithm::hmac_ripemd, "HMAC-RIPEMD"},
    {AuthAlgorithm::aes_xcbc_mac, "AES-XCBC-MAC"},
    {AuthAlgorithm::sig_rsa, "SIG-RSA"},
    {AuthAlgorithm::aes_128_gmac, "AES-128-GMAC"},
    {AuthAlgorithm::aes_192_gmac, "AES-192-GMAC"},
    {AuthAlgorithm::aes_256_gmac, "AES-256-GMAC"},
}};
template <>
struct EnumTable<AuthAlgorithm> {
  static constexpr const auto& table = kAuthAlgorithmNames;
};

// ---------------------------------------------------------------- transform identifiers

// RFC 2407 4.4.2: the only ISAKMP transform.
enum class IsakmpTransformId : std::uint8_t { key_ike = 1 };
inline constexpr std::array<Named<IsakmpTransformId>, 1> kIsakmpTransformIdNames{{
    {IsakmpTransformId::key_ike, "KEY_IKE"},
}};
template <>
struct EnumTable<IsakmpTransformId> {
  static constexpr const auto& table = kIsakmpTransformIdNames;
};

// RFC 2407 4.4.3 and IANA "IPSEC AH Transform Identifiers".
enum class AhTransformId : std::uint8_t {
  md5 = 2,
  sha = 3,
  des = 4,
  sha2_256 = 5,
  sha2_384 = 6,
  sha2_512 = 7,
  ripemd = 8,
  aes_xcbc_mac = 9,
  rsa = 10,
  aes_128_gmac = 11,
  aes_192_gmac = 12,
  aes_256_gmac = 13,
};
inline constexpr std::array<Named<AhTransformId>, 12> kAhTransformIdNames{{
    {AhTransformId::md5, "AH_MD5"},
    {AhTransformId::sha, "AH_SHA"},
    {AhTransformId::des, "AH_DES"},
    {AhTransformId::sha2_256, "AH_SHA2-256"},
    {AhTransformId::sha2_384, "AH_SHA2-384"},
    {AhTransformId::sha2_512, "AH_SHA2-512"},
    {AhTransformId::ripemd, "AH_RIPEMD"},
    {AhTransformId::aes_xcbc_mac, "AH_AES-XCBC-MAC"},
    {AhTransformId::rsa, "AH_RSA"},
    {AhTransformId::aes_128_gmac, "AH_AES-128-GMAC"},
    {AhTransformId::aes_192_gmac, "AH_AES-192-GMAC"},
    {AhTransformId::aes_256_gmac, "AH_AES-256-GMAC"},
}};
template <>
struct EnumTable<AhTransformId> {
  static constexpr const auto& table = kAhTransformIdNames;
};

// RFC 2407 4.4.4 and IANA "IPSEC ESP Transform Identifiers".
enum class EspTransformId : std::uint8_t {
  des_iv64 = 1,
  des = 2,
  des3 = 3,
  rc5 = 4,
  idea = 5,
  cast = 6,
  blowfish = 7,
  idea3 = 8,
  des_iv32 = 9,
  rc4 = 10,
  null = 11,
  aes_cbc = 12,
  aes_ctr = 13,
  aes_ccm_8 = 14,
  aes_ccm_12 = 15,
  aes_ccm_16 = 16,
  aes_gcm_8 = 18,
  aes_gcm_12 = 19,
  aes_gcm_16 = 20,
  seed_cbc = 21,
  camellia_cbc = 22,
  null_auth_aes_gmac = 23,
};
inline constexpr std::array<Named<EspTransformId>, 22> kEspTransformIdNames{{
    {EspTransformId::des_iv64, "ESP_DES_IV64"},
    {EspTransformId::des, "ESP_DES"},
    {EspTransformId::des3, "ESP_3DES"},
    {EspTransformId::rc5, "ESP_RC5"},
    {EspTransformId::idea, "ESP_IDEA"},
    {EspTransformId::cast, "ESP_CAST"},
    {EspTransformId::blowfish, "ESP_BLOWFISH"},
    {EspTransformId::idea3, "ESP_3IDEA"},
    {EspTransformId::des_iv32, "ESP_DES_IV32"},
    {EspTransformId::rc4, "ESP_RC4"},
    {EspTransformId::null, "ESP_NULL"},
    {EspTransformId::aes_cbc, "ESP_AES-CBC"},
    {EspTransformId::aes_ctr, "ESP_AES-CTR"},
    {EspTransformId::aes_ccm_8, "ESP_AES-CCM_8"},
    {EspTransformId::aes_ccm_12, "ESP_AES-CCM_12"},
    {EspTransformId::aes_ccm_16, "ESP_AES-CCM_16"},
    {EspTransformId::aes_gcm_8, "ESP_AES-GCM_8"},
    {EspTransformId::aes_gcm_12, "ESP_AES-GCM_12"},
    {EspTransformId::aes_gcm_16, "ESP_AES-GCM_16"},
    {EspTransformId::seed_cbc, "ESP_SEED_CBC"},
    {EspTransformId::camellia_cbc, "ESP_CAMELLIA"},
    {EspTransformId::null_auth_aes_gmac, "ESP_NULL_AUTH_AES-GMAC"},
}};
template <>
struct EnumTable<EspTransformId> {
  static constexpr const auto& table = kEspTransformIdNames;
};

// RFC 2407 4.4.5 "IPSEC IPCOMP Transform Identifiers".
enum class IpcompTransformId : std::uint8_t { oui = 1, deflate = 2, lzs = 3, lzjh = 4 };
inline constexpr std::array<Named<IpcompTransformId>, 4> kIpcompTransformIdNames{{
    {IpcompTransformId::oui, "IPCOMP_OUI"},
    {IpcompTransformId::deflate, "IPCOMP_DEFLATE"},
    {IpcompTransformId::lzs, "IPCOMP_LZS"},
    {IpcompTransformId::lzjh, "IPCOMP_LZJH"},
}};
template <>
struct EnumTable<IpcompTransformId> {
  static constexpr const auto& table = kIpcompTransformIdNames;
};

}  // namespace ipseckit::wire::isakmp
