// Randomness and identifiers from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <string>

#include "base/bytes.h"

namespace ipseckit::crypto {

// Fills out with cryptographically strong random bytes; aborts if the RNG fails.
void random_bytes(std::uint8_t* out, std::size_t n);
Bytes random_bytes(std::size_t n);
// A random (version 4) GUID in Windows' registry form: "{8D0E3C2A-...}" (upper-case hex).
std::string random_guid();
// Constant-time comparison.
bool equal_ct(ByteView a, ByteView b);

}  // namespace ipseckit::crypto
