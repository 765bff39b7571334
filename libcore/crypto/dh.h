// Diffie-Hellman for IKEv1: the MODP groups 1, 2 (RFC 2409 6), 5, 14, 15, 16 (RFC 3526) and
// the ECP groups 19, 20 (RFC 5903), behind one RAII type that holds one ephemeral key.
//
// Peer values are checked cheaply and correctly before use. MODP: the exact length and
// 1 < y < p-1; with these safe primes that excludes the only small subgroups (orders 1 and 2),
// so OpenSSL's full check (y^q mod p, 7x slower for MODP-2048, see perf-limits.md) buys
// nothing for ephemeral keys (RFC 6989 2.1). ECP: the exact length, each coordinate below the
// field prime and the point on the curve (RFC 6989 2.3; cofactor 1, so no subgroup test).
// Shared secrets are padded to the group's size (RFC 2409 5: g^xy as a fixed-length string;
// ECP: the x coordinate, RFC 5903 7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secure_bytes.h"

namespace ipseckit::crypto {

// IANA group numbers (the Group Description attribute, RFC 2409 appendix A).
enum class DhGroupId : std::uint16_t {
  modp768 = 1,
  modp1024 = 2,
  modp1536 = 5,
  modp2048 = 14,
  modp3072 = 15,
  modp4096 = 16,
  ecp256 = 19,
  ecp384 = 20,
};

std::optional<DhGroupId> dh_group_from_number(std::uint16_t n);
std::string_view name(DhGroupId g);       // "modp2048", "ecp256"
bool is_ecp(DhGroupId g);
std::size_t public_value_size(DhGroupId g);  // KE payload bytes: prime size, or 2 x field size
std::size_t shared_secret_size(DhGroupId g); // prime size, or field size
// The group's prime p (MODP: the RFC constant; ECP: the field prime), big-endian.
ByteView group_prime(DhGroupId g);
inline constexpr unsigned kModpGenerator = 2;

// Status with code "crypto" and Error::proto = INVALID-KEY-INFORMATION (17) when refused.
Status validate_public_value(DhGroupId g, ByteView peer);

class DhGroup {
 public:
  // A fresh ephemeral key from the CSPRNG. MODP exponents are at least twice the group's
  // strength (RFC 3526 8, NIST SP 800-56A): 225 bits for group 14 and 275 for group 15 (RFC
  // 7919's lengths for the same-size groups, what OpenSSL 3 draws for its named modp_2048 and
  // modp_3072), 256 bits for groups 1, 2 and 5, 384 bits for group 16.
  static Result<DhGroup> generate(DhGroupId g);
  // A known private key (big-endian; MODP: 1 < x < p-1, ECP: 0 < d < n), for known-answer tests.
  static Result<DhGroup> from_private(DhGroupId g, ByteView priv);

  ~DhGroup();
  DhGroup(DhGroup&&) noexcept;
  DhGroup& operator=(DhGroup&&) noexcept;
  DhGroup(const DhGroup&) = delete;
  DhGroup& operator=(const DhGroup&) = delete;

  DhGroupId id() const { return m_id; }
  // What goes into our KE payload (fixed length: public_value_size()).
  ByteView public_value() const { return m_public; }
  // Validates the peer's value, then derives g^xy (shared_secret_size() bytes).
  Result<SecureBytes> shared_secret(ByteView peer) const;

 private:
  struct Impl;
  DhGroup(DhGroupId id, std::unique_ptr<Impl> impl, Bytes pub);
  DhGroupId m_id;
  std::unique_ptr<Impl> m_impl;
  Bytes m_public;
};

}  // namespace ipseckit::crypto
