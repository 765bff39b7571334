// The ISAKMP header (RFC 2408 3.1) and the generic payload chain (RFC 2408 3.2): shape only.
// Typed payload bodies are in isakmp_payloads.h / isakmp_sa.h / isakmp_id.h, the whole
// message in isakmp_message.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/isakmp_types.h"

namespace ipseckit::wire::isakmp {

using Cookie = std::array<std::uint8_t, 8>;

inline constexpr std::size_t kHeaderSize = 28;
inline constexpr std::size_t kGenericHeaderSize = 4;
// A legitimate IKEv1 message carries a few dozen payloads (strongSwan: SA + 5 VIDs); more
// than this is refused before any work is done per payload.
inline constexpr std::size_t kMaxPayloads = 128;

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Initiator                            !
// !                            Cookie                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Responder                            !
// !                            Cookie                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                          Message ID                           !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !                            Length                             !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct Header {
  Cookie initiator_cookie{};
  Cookie responder_cookie{};
  PayloadType next_payload = PayloadType::none;
  std::uint8_t major_version = 1;
  std::uint8_t minor_version = 0;
  ExchangeType exchange = ExchangeType::none;
  std::uint8_t flags = 0;
  std::uint32_t message_id = 0;
  std::uint32_t length = 0;

  bool encrypted() const { return (flags & flags::encryption) != 0; }
  friend bool operator==(const Header&, const Header&) = default;
};

// Reads the 28 header bytes. Checks only what the header alone can tell (RFC 2408 5.1):
// major version 1 (INVALID-MAJOR-VERSION), length >= 28 and == the datagram's size
// (UNEQUAL-PAYLOAD-LENGTHS). Exchange type and flags are judged by the engine.
Result<Header> parse_header(ByteView datagram);
// Writes the header as given (length included); see encode_message for patched lengths.
void write_header(ByteWriter& w, const Header& h);

// One payload of a chain, viewed in place: its type (from the previous next-payload field),
// the reserved byte and the body after the 4-byte generic header.
struct RawPayload {
  PayloadType type = PayloadType::none;
  std::uint8_t reserved = 0;
  ByteView body;
  std::size_t offset = 0;  // of the generic header, within the walked buffer
};

enum class Trailing {
  reject,  // the chain must end exactly at the end of the buffer (plaintext messages)
  allow,   // bytes after the last payload are CBC padding (RFC 2408 3.1: decrypted messages)
};

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Walks the chain starting with payload type `first`: every length must be >= 4 and fit,
// at most kMaxPayloads payloads. Types are not judged here (any value is walked): meaning
// comes second. Errors carry PAYLOAD-MALFORMED.
Result<std::vector<RawPayload>> walk_payloads(PayloadType first, ByteView data, Trailing trailing);

}  // namespace ipseckit::wire::isakmp
