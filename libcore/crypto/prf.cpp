#include "crypto/prf.h"

namespace ipseckit::crypto {

std::string_view name(PrfAlg a) {
  switch (a) {
    case PrfAlg::hmac_md5: return "hmac-md5";
    case PrfAlg::hmac_sha1: return "hmac-sha1";
    case PrfAlg::hmac_sha256: return "hmac-sha256";
    case PrfAlg::hmac_sha384: return "hmac-sha384";
    case PrfAlg::hmac_sha512: return "hmac-sha512";
  }
  return "?";
}

HashAlg hash_of(PrfAlg a) {
  switch (a) {
    case PrfAlg::hmac_md5: return HashAlg::md5;
    case PrfAlg::hmac_sha1: return HashAlg::sha1;
    case PrfAlg::hmac_sha256: return HashAlg::sha256;
    case PrfAlg::hmac_sha384: return HashAlg::sha384;
    case PrfAlg::hmac_sha512: return HashAlg::sha512;
  }
  return HashAlg::sha1;
}

PrfAlg prf_for(HashAlg h) {
  switch (h) {
    case HashAlg::md5: return PrfAlg::hmac_md5;
    case HashAlg::sha1: return PrfAlg::hmac_sha1;
    case HashAlg::sha256: return PrfAlg::hmac_sha256;
    case HashAlg::sha384: return PrfAlg::hmac_sha384;
    case HashAlg::sha512: return PrfAlg::hmac_sha512;
  }
  return PrfAlg::hmac_sha1;
}

std::size_t output_size(PrfAlg a) { return digest_size(hash_of(a)); }

Prf::Prf(PrfAlg alg, ByteView key) : m_alg(alg), m_hmac(hash_of(alg), key) {}

Prf& Prf::update(ByteView data) {
  m_hmac.update(data);
  return *this;
}

Prf& Prf::update(std::uint8_t byte) {
  m_hmac.update(ByteView(&byte, 1));
  return *this;
}

Prf& Prf::update_u32be(std::uint32_t v) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                             static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  m_hmac.update(ByteView(b, 4));
  return *this;
}

SecureBytes Prf::final() { return SecureBytes(m_hmac.final()); }

SecureBytes Prf::compute(PrfAlg alg, ByteView key, ByteView data) {
  Prf p(alg, key);
  p.update(data);
  return p.final();
}

}  // namespace ipseckit::crypto
