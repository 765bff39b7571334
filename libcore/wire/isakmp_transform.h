// What a transform's attributes mean (RFC 2409 appendix A for phase 1, RFC 2407 4.5 for
// phase 2), and builders for the transforms we offer. Malformed attribute lists are errors;
// attributes we do not know are listed in `unknown` so that the selector can skip the
// transform instead of failing the whole SA (strongSwan's default offer carries a transform
// with only a DH group).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "wire/isakmp_attributes.h"
#include "wire/isakmp_sa.h"

namespace ipseckit::wire::isakmp {

struct IkeTransformAttrs {
  std::optional<IkeEncryption> encryption;
  std::optional<std::uint16_t> key_length;  // bits
  std::optional<IkeHash> hash;
  std::optional<IkeAuthMethod> auth;
  std::optional<GroupDescription> group;
  std::optional<std::uint16_t> prf;
  std::optional<std::uint64_t> life_seconds;
  std::optional<std::uint64_t> life_kilobytes;
  bool custom_group = false;           // group type/prime/generator/curve/order given
  std::vector<std::uint16_t> unknown;  // attribute types we do not understand
};

struct IpsecTransformAttrs {
  std::optional<EncapsulationMode> mode;
  std::optional<AuthAlgorithm> auth;
  std::optional<std::uint16_t> key_length;
  std::optional<std::uint16_t> key_rounds;
  std::optional<GroupDescription> group;  // PFS group (RFC 2409 5.5)
  std::optional<std::uint64_t> life_seconds;
  std::optional<std::uint64_t> life_kilobytes;
  std::optional<std::uint16_t> esn;             // RFC 4304: 1 = 64-bit sequence numbers
  std::optional<std::uint16_t> ecn_tunnel;      // RFC 3168 9.2
  bool compression = false;                     // compress dictionary size / private algorithm
  std::vector<std::uint16_t> unknown;
};

// Errors carry ATTRIBUTES-NOT-SUPPORTED or BAD-PROPOSAL-SYNTAX: a basic attribute in TLV
// form, one given twice, a life duration without a life type before it (RFC 2407 4.5), an
// unknown life type, or a duration of zero bytes.
Result<IkeTransformAttrs> interpret_ike(const Transform& t);
Result<IpsecTransformAttrs> interpret_ipsec(const Transform& t);

// Short names for operators and logs: "3DES", "AES-256", "SHA-1", "SHA-256", "group 14".
std::string short_cipher(IkeEncryption e, std::optional<std::uint16_t> key_length);
std::string short_hash(IkeHash h);
std::string short_group(GroupDescription g);
// "AES-256/SHA-256/group 14", with "?" for anything missing.
std::string describe(const IkeTransformAttrs& a);

// A phase-1 transform (KEY_IKE) as we offer it: attributes in the order Windows sends them.
struct IkeTransformSpec {
  IkeEncryption encryption = IkeEncryption::des3_cbc;
  std::optional<std::uint16_t> key_length;  // AES only
  IkeHash hash = IkeHash::sha1;
  IkeAuthMethod auth = IkeAuthMethod::psk;
  GroupDescription group = GroupDescription::modp1024;
  std::uint64_t life_seconds = 28800;
  std::uint64_t life_kilobytes = 0;  // 0 = none
};
Transform make_ike_transform(std::uint8_t number, const IkeTransformSpec& s);

// A phase-2 transform (ESP or AH id) with its IPsec DOI attributes.
struct IpsecTransformSpec {
  std::uint8_t id = 0;  // EspTransformId / AhTransformId value
  EncapsulationMode mode = EncapsulationMode::tunnel;
  std::optional<AuthAlgorithm> auth;
  std::optional<std::uint16_t> key_length;
  std::optional<GroupDescription> pfs_group;
  std::uint64_t life_seconds = 3600;
  std::uint64_t life_kilobytes = 0;  // 0 = none
};
Transform make_ipsec_transform(std::uint8_t number, const IpsecTransformSpec& s);

}  // namespace ipseckit::wire::isakmp
