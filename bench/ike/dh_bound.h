// The DH bound (dh_bound.cpp): key pairs + shared secrets per CPU-second of one core.
#pragma once

#include <openssl/types.h>

#include <cstdint>

namespace ipseckit::bench {

struct DhBound {
  std::uint64_t count = 0;
  double per_second = 0;  // responder Main Modes per core-second if DH were the only cost
};

// The group's parameters (named "modp_2048" or "P-256"), for key generation; the caller frees
// them (EVP_PKEY_free). Throws std::runtime_error when OpenSSL does not know the group.
EVP_PKEY* dh_group_params(const char* openssl_group);

// openssl_group: "modp_2048" or "P-256".
DhBound measure_dh_bound(const char* openssl_group, double seconds);

}  // namespace ipseckit::bench
