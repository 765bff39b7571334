// Decode errors of the ISAKMP codecs carry the notify type an IKEv1 peer should receive
// (RFC 2408 5) in Error::proto, so the engine can answer without re-deriving it.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"
#include "wire/isakmp_types.h"

namespace ipseckit::wire::isakmp {

inline Error isakmp_error(NotifyType notify, std::string message) {
  return Error::make("isakmp", std::move(message), static_cast<std::int64_t>(raw(notify)));
}

inline Error malformed(std::string message) {
  return isakmp_error(NotifyType::payload_malformed, std::move(message));
}

// The notify type an error carries (PAYLOAD-MALFORMED when it carries none).
inline NotifyType notify_of(const Error& e) {
  if (e.proto > 0 && e.proto <= 0xFFFF) return static_cast<NotifyType>(e.proto);
  return NotifyType::payload_malformed;
}

}  // namespace ipseckit::wire::isakmp
