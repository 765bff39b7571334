// MD4 (RFC 1320), needed only for the MS-CHAP NT password hash (RFC 2759 §8.3). OpenSSL 3
// keeps MD4 in its legacy provider; when that provider cannot be loaded the RFC 1320
// algorithm built in here is used, so MS-CHAPv2 never depends on the provider being present.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"

namespace ipseckit::crypto {

using Md4Digest = std::array<std::uint8_t, 16>;

// OpenSSL's MD4 when available, else md4_rfc1320().
Md4Digest md4(ByteView data);
// The built-in RFC 1320 implementation (always available).
Md4Digest md4_rfc1320(ByteView data);
// True when md4() is served by OpenSSL's legacy provider.
bool md4_uses_openssl();

}  // namespace ipseckit::crypto
