// A whole ISAKMP message: header plus typed payloads (plaintext) or header plus ciphertext
// (E flag set; the engine decrypts and calls decode_payloads on the plaintext). Parsing is
// shape first (walk_payloads), then each body by its type. Encoding sets every next-payload
// and length field from the payload list, so decode -> encode is byte-exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/isakmp_fragment.h"
#include "wire/isakmp_header.h"
#include "wire/isakmp_id.h"
#include "wire/isakmp_payloads.h"
#include "wire/isakmp_sa.h"

namespace ipseckit::wire::isakmp {

// A payload we walk but do not interpret (Mode Config ATTR, GDOI payloads, unregistered
// types); the validator decides whether it is acceptable.
struct UnknownPayload {
  Bytes data;
  friend bool operator==(const UnknownPayload&, const UnknownPayload&) = default;
};

using PayloadBody = std::variant<SaPayload, KePayload, IdPayload, CertPayload, CrPayload, HashPayload, SigPayload,
                                 NoncePayload, NotifyPayload, DeletePayload, VendorIdPayload, NatDPayload,
                                 NatOaPayload, FragmentPayload, UnknownPayload>;

struct Payload {
  PayloadType type = PayloadType::none;
  std::uint8_t reserved = 0;  // RFC 2408 3.2 "set to 0"; kept as received
  PayloadBody body;

  template <class T>
  const T* as() const {
    return std::get_if<T>(&body);
  }
  friend bool operator==(const Payload&, const Payload&) = default;
};

// Wraps a body with the payload type it is sent under (NAT-D/NAT-OA: pass the draft number
// explicitly when the peer only speaks draft-02).
Payload make_payload(PayloadBody body);
Payload make_payload(PayloadType type, PayloadBody body);

struct Message {
  Header header;
  std::vector<Payload> payloads;  // plaintext messages
  Bytes ciphertext;               // header.encrypted(): everything after the header

  // The first payload of that type, or nullptr; and how many there are.
  const Payload* find(PayloadType t) const;
  std::size_t count(PayloadType t) const;
};

// One body by its type; unknown types become UnknownPayload.
Result<Payload> decode_payload(PayloadType type, std::uint8_t reserved, ByteView body);
// A chain: Trailing::allow after decryption (CBC padding follows the last payload).
Result<std::vector<Payload>> decode_payloads(PayloadType first, ByteView data, Trailing trailing);
// Header checks of parse_header, then the payloads (or the ciphertext, which must be a
// non-empty whole number of 8-byte blocks at least).
Result<Message> decode_message(ByteView datagram);

// The body bytes of one payload (what HASH_I's SAi_b / IDii_b cover, RFC 2409 5).
Result<Bytes> encode_body(const Payload& p);
// A chain with next-payload fields set from the list; each length proven to fit 16 bits.
Result<Bytes> encode_payloads(std::span<const Payload> payloads);
// Header + payloads; sets next_payload and length, keeps the flags as given.
Result<Bytes> encode_message(Header h, std::span<const Payload> payloads);
// Header + ciphertext; sets the E flag, next_payload (the first payload inside) and length.
Result<Bytes> encode_encrypted(Header h, PayloadType first, ByteView ciphertext);

}  // namespace ipseckit::wire::isakmp
