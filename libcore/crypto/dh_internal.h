// Internal to libcore/crypto's DH implementation (dh_groups.cpp, dh_modp.cpp, dh_ecp.cpp).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"
#include "crypto/dh.h"

namespace ipseckit::crypto {

struct GroupInfo {
  DhGroupId id;
  std::string_view name;
  bool ecp;
  std::size_t bytes;          // prime (MODP) or field (ECP) size in bytes
  unsigned secret_bits;       // MODP private exponent bits / ECP order bits
  std::string_view prime_hex; // MODP prime / ECP field prime
  std::string_view curve;     // OpenSSL curve name (ECP)
};

const GroupInfo* group_info(DhGroupId g);

// INVALID-KEY-INFORMATION (RFC 2408 3.14.1), the answer to a bad KE payload.
inline Error key_error(std::string message) { return Error::make("crypto", std::move(message), 17); }

}  // namespace ipseckit::crypto
