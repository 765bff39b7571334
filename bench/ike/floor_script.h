// The floor responder's script (floor.h): the 11 datagrams of a negotiation, their sizes and
// the fixed offsets both ends read and write, and RFC 2408's header and payload header.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/byte_order.h"

namespace ipseckit::bench::floor_impl {

// ---- The script: 11 datagrams per negotiation, in this order.
enum Msg : std::size_t { kMm1, kMm2, kMm3, kMm4, kMm5, kMm6, kQm1, kQm2, kQm3, kD1, kD2, kMsgs };

// UDP payload sizes of a real negotiation in bench/ike/run.sh (bench_ike_loadgen's engine as
// initiator, ikeview as responder, PSK, AES128-SHA-<group>, ESP[AES128,SHA] transport): read
// with tshark from `tcpdump -i any -w` in the responder's namespace during `IKE_BENCH_GROUPS=G
// bench/ike/run.sh 2` (2026-11-28): 2114 of the 2710 complete ECP-256 negotiations captured and
// 2019 of the 2258 MODP-2048 ones had exactly these; the rest differ in MM5 only (92 bytes: with
// INITIAL-CONTACT). Decoded: MM1 SA (56) + 3 vendor IDs; MM2 SA + 2 vendor IDs; MM3/MM4 KE,
// Nonce (32) and two NAT-D. Encrypted (sizes padded to 16): MM5 ID + HASH; MM6 ID + HASH +
// ikeview's INITIAL-CONTACT; QM1/QM2 HASH, SA, Nonce, IDci, IDcr (the SA's 52 bytes inferred from
// the engine's ESP attributes: 84 + 52 = 136, padded to the 144 seen); QM3 HASH; D1/D2 HASH + Delete.
struct Script {
  std::array<std::size_t, kMsgs> size;
  std::size_t pub;  // public value: 256 (MODP-2048, padded) or 64 (ECP-256, x | y)
};
constexpr Script kModp2048{{144, 124, 372, 372, 76, 92, 172, 172, 60, 76, 92}, 256};
constexpr Script kEcp256{{144, 124, 180, 180, 76, 92, 172, 172, 60, 76, 92}, 64};

// Fixed offsets (RFC 2408 3.1 header, 3.2 generic payload header), as laid out in those
// datagrams.
constexpr std::size_t kHdr = 28, kGen = 4, kNonce = 32, kHashLen = 20, kBlock = 16, kCky = 8;
constexpr std::size_t kSaBody = 52;  // MM1's SA payload body (SAi_b): 1 proposal, 1 transform
constexpr std::size_t kIdBody = 8;   // ID_IPV4_ADDR payload body (IDii_b, IDir_b)
// Phase 1, decrypted MM5 / MM6: ID [0, 12), HASH [12, 36).
constexpr std::size_t kIdOff = kGen, kP1HashOff = kGen + kIdBody + kGen;
// Quick Mode, decrypted: HASH [0, 24), then SA | Nonce | IDci | IDcr, hashed as they are.
constexpr std::size_t kQmSa = 52;                                      // with its generic header
constexpr std::size_t kQmBody = kQmSa + (kGen + kNonce) + 2 * (kGen + kIdBody);
constexpr std::size_t kQmSpiOff = kGen + kHashLen + (kGen + 4 + 4) + (kGen + 4);  // SA, DOI, situation; proposal
constexpr std::size_t kQmNonceOff = kGen + kHashLen + kQmSa + kGen;
constexpr std::size_t kDelEsp = 16, kDelIsakmp = 28;                     // Delete payloads (4.8)
constexpr std::uint8_t kIdProt = 2, kQuick = 32, kInfo = 5, kEncrypted = 1;

static_assert(kGen + kHashLen + kQmBody <= 172 - kHdr, "Quick Mode body inside its datagram");

// RFC 2408 3.1 header (cookies left zero) of a datagram of len bytes.
inline void header(std::uint8_t* p, std::uint8_t next, std::uint8_t exch, std::uint8_t flags, std::uint32_t msgid,
            std::size_t len) {
  p[16] = next;
  p[17] = 0x10;  // version 1.0
  p[18] = exch;
  p[19] = flags;
  store_be32(p + 20, msgid);
  store_be32(p + 24, static_cast<std::uint32_t>(len));
}

// A generic payload header (3.2).
inline void payload(std::uint8_t* p, std::uint8_t next, std::size_t len) {
  p[0] = next;
  p[1] = 0;
  store_be16(p + 2, static_cast<std::uint16_t>(len));
}

}  // namespace ipseckit::bench::floor_impl
