// Message digests and HMAC behind narrow RAII types (RFC 2104). Used for IKE PRFs, ESP/AH
// integrity and fingerprints.
#pragma once

#include <memory>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit::crypto {

enum class HashAlg { md5, sha1, sha256, sha384, sha512 };

std::string_view name(HashAlg a);
std::size_t digest_size(HashAlg a);

Bytes digest(HashAlg a, ByteView data);

class Hmac {
 public:
  Hmac(HashAlg alg, ByteView key);
  ~Hmac();
  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  void update(ByteView data);
  Bytes final();  // the Hmac can then take the next message with the same key
  static Bytes compute(HashAlg alg, ByteView key, ByteView data);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ipseckit::crypto
