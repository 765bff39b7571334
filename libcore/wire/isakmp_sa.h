// The SA payload with its proposals and transforms (RFC 2408 3.4-3.6, RFC 2407 4.6.1):
// shape only. What the attributes mean is in isakmp_transform.h, policy matching in
// ike/proposal_select.h (libcore/ike).
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/isakmp_attribute.h"
#include "wire/isakmp_types.h"

namespace ipseckit::wire::isakmp {

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !  Transform
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (3.6)
// !  Transform #  !  Transform-Id !           RESERVED2           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        SA Attributes                          ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct Transform {
  std::uint8_t number = 1;
  std::uint8_t id = 0;  // IsakmpTransformId / AhTransformId / EspTransformId / IpcompTransformId
  std::uint8_t reserved = 0;    // generic header
  std::uint16_t reserved2 = 0;  // RFC 2408 3.6 "MUST be set to 0"; kept for byte-exact round trips
  std::vector<DataAttribute> attributes;
  friend bool operator==(const Transform&, const Transform&) = default;
};

// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !  Proposal
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (3.5)
// !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                        SPI (variable)                         !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                        Transforms                             ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Proposals with the same number form one offer (AND: e.g. AH + ESP), RFC 2408 4.2.
struct Proposal {
  std::uint8_t number = 1;
  ProtocolId protocol = ProtocolId::isakmp;
  Bytes spi;  // phase 1: usually empty (RFC 2409 5: the cookies are the SPI); phase 2: 4 bytes
  std::uint8_t reserved = 0;
  std::vector<Transform> transforms;
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// SA payload body (after the generic header):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !              Domain of Interpretation  (DOI)                  !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                           Situation                           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                 Proposal payloads (P, P, ...)                 ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct SaPayload {
  Doi doi = Doi::ipsec;
  std::uint32_t situation = static_cast<std::uint32_t>(Situation::identity_only);
  std::vector<Proposal> proposals;
  friend bool operator==(const SaPayload&, const SaPayload&) = default;
};

// Errors: DOI other than IPsec -> DOI-NOT-SUPPORTED; situation other than
// SIT_IDENTITY_ONLY (secrecy/integrity labels, RFC 2407 4.2) -> SITUATION-NOT-SUPPORTED;
// wrong next-payload values inside the SA, a transform count that disagrees with the chain,
// a proposal without transforms or an SA without proposals -> BAD-PROPOSAL-SYNTAX; lengths ->
// PAYLOAD-MALFORMED. Unknown transform ids and attribute types are kept, not judged.
Result<SaPayload> parse_sa(ByteView body);
// Proves every length and count fits its field.
Status write_sa(ByteWriter& w, const SaPayload& sa);

}  // namespace ipseckit::wire::isakmp
