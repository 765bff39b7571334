// Pieces both Quick Mode tasks share: HASH placement, SPIs, client IDs and KEYMAT.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "crypto/ikev1_keys.h"
#include "ike/events.h"
#include "ike/types.h"
#include "wire/isakmp_message.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

// The message after its leading HASH payload, encoded without padding: what HASH(1), HASH(2)
// and the informational HASH(1) cover (RFC 2409 5.5, 5.7).
Result<Bytes> after_hash(const std::vector<isakmp::Payload>& ps);
// A HASH payload placeholder to put first; fill_hash() replaces it once the rest is final.
isakmp::Payload hash_placeholder();
void fill_hash(std::vector<isakmp::Payload>& ps, Bytes hash);

Bytes spi_bytes(std::uint32_t spi);
std::uint32_t spi_value(ByteView b);  // 0 unless 4 bytes

// IDci and IDcr of a Quick Mode message (RFC 2409 5.5: both or neither). nullopt when absent;
// an error (INVALID-ID-INFORMATION) for IDs that name no address/subnet we can handle.
Result<std::optional<std::pair<TrafficSelector, TrafficSelector>>> client_ids(const std::vector<isakmp::Payload>& ps);

// KEYMAT sizes: encryption key (AES-GCM/GMAC: key + 4-byte salt, RFC 4106 8.1 / RFC 4543 3.2)
// then integrity key.
std::size_t enc_key_size(isakmp::ProtocolId p, std::uint8_t transform, std::optional<std::uint16_t> key_length);
std::size_t integ_key_size(std::optional<isakmp::AuthAlgorithm> a);

// RFC 2407 4.6.3.1 RESPONDER-LIFETIME: the responder's shorter lifetime for the SA, as SA Life
// Type / SA Life Duration attributes (4.5) in the notify data.
isakmp::Payload responder_lifetime(isakmp::ProtocolId proto, std::uint32_t spi, std::optional<std::uint64_t> seconds,
                                   std::optional<std::uint64_t> kilobytes);
// Applies every RESPONDER-LIFETIME of a message to the initiator's SA (only ever shortening);
// returns a description of what changed, or "".
std::string apply_responder_lifetime(const std::vector<isakmp::Payload>& ps, Phase2Info& info);

struct ChildSpec {
  isakmp::ProtocolId protocol;
  std::uint8_t transform;
  isakmp::IpsecTransformAttrs attrs;
  std::uint32_t spi_in, spi_out;
};
// RFC 2409 5.5: KEYMAT per direction, keyed by the SPI of the receiving side.
ChildProto make_child(const crypto::Ikev1KeySchedule& ks, const ChildSpec& spec, ByteView ni_b, ByteView nr_b,
                      ByteView g_qm_xy);

}  // namespace ipseckit::ike
