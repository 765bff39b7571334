// Which payloads each IKEv1 message may carry (RFC 2409 5, 5.5, 5.7; RFC 3947 3-5; RFC 3706),
// as tables {type, min, max, encrypted} in the manner of strongSwan's message.c rules, and one
// validator. Meaning comes after shape: decode_message/decode_payloads have already checked
// lengths; this checks which payloads, how many, in what protection and order.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "wire/isakmp_header.h"
#include "wire/isakmp_message.h"

namespace ipseckit::wire::isakmp {

inline constexpr std::uint8_t kMany = 0xFF;

struct PayloadRule {
  PayloadType type;
  std::uint8_t min;
  std::uint8_t max;  // kMany = no limit beyond kMaxPayloads
  bool encrypted;    // may only arrive inside an encrypted message
};

enum class MessageKind : std::uint8_t {
  main_mode_1, main_mode_2, main_mode_3, main_mode_4, main_mode_5, main_mode_6,
  aggressive_1, aggressive_2, aggressive_3,
  quick_mode_1, quick_mode_2, quick_mode_3,
  informational,        // protected by the phase-1 SA: HASH(1) first (RFC 2409 5.7)
  informational_plain,  // before any phase-1 SA exists (RFC 2408 4.8)
  fragment,             // a FRAGMENT payload alone, any exchange
};

struct MessageRules {
  MessageKind kind;
  std::string_view name;       // "Main Mode message 5"
  ExchangeType exchange;
  bool encrypted;              // the whole message must carry the E flag
  PayloadType first;           // must be the first payload (none = no constraint)
  bool one_auth;               // exactly one of HASH and SIG (phase-1 authentication)
  bool id_pairs;               // ID payloads come as none or a pair (RFC 2409 5.5: IDci and IDcr)
  std::span<const PayloadRule> rules;
};

const MessageRules& rules_for(MessageKind kind);

// Errors (Error::proto): wrong exchange type -> INVALID-EXCHANGE-TYPE; message not encrypted
// when it must be -> INVALID-FLAGS; an unregistered payload type, one the message may not
// carry, one that arrived unprotected, or too many -> INVALID-PAYLOAD-TYPE; a required
// payload missing, out of place, a lone ID or both/neither HASH and SIG -> PAYLOAD-MALFORMED.
Status validate(const MessageRules& rules, const Header& header, std::span<const Payload> payloads);

}  // namespace ipseckit::wire::isakmp
