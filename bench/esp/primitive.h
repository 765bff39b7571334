// The raw primitives ESP is made of, called through OpenSSL's EVP API exactly as a minimal ESP
// implementation would per packet (and as perf-src/cg_gcm.c and ossl_esp.sh measure them):
//   AES-GCM:        set IV, 8-byte AAD (SPI+seq), update, final, get/set tag
//   AES-CBC + HMAC: set IV, update (no padding); HMAC init (key kept), update, final
// One context per direction, created once. No ESP framing, no headers, no copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace espbench {

class GcmPrimitive {
 public:
  GcmPrimitive();
  ~GcmPrimitive();
  // Encrypts len bytes of in into out with an 8-byte AAD and writes the 16-byte tag.
  void seal(const std::uint8_t* iv12, const std::uint8_t* aad8, const std::uint8_t* in, std::size_t len,
            std::uint8_t* out, std::uint8_t* tag);
  // Decrypts and checks the tag; false on mismatch.
  bool open(const std::uint8_t* iv12, const std::uint8_t* aad8, const std::uint8_t* in, std::size_t len,
            std::uint8_t* out, const std::uint8_t* tag);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

class CbcHmacPrimitive {
 public:
  CbcHmacPrimitive();
  ~CbcHmacPrimitive();
  // CBC-encrypts len bytes (a multiple of 16) then HMAC-SHA1s mac_len bytes starting at mac_from
  // (the ESP header + IV + ciphertext), writing the 12-byte truncated ICV.
  void seal(const std::uint8_t* iv16, const std::uint8_t* in, std::size_t len, std::uint8_t* out,
            const std::uint8_t* mac_from, std::size_t mac_len, std::uint8_t* icv12);
  // HMAC-SHA1s and compares the ICV, then CBC-decrypts; false on mismatch.
  bool open(const std::uint8_t* iv16, const std::uint8_t* in, std::size_t len, std::uint8_t* out,
            const std::uint8_t* mac_from, std::size_t mac_len, const std::uint8_t* icv12);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace espbench
