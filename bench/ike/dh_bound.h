// The DH bound (dh_bound.cpp): key pairs + shared secrets per CPU-second of one core.
#pragma once

#include <cstdint>

namespace ipseckit::bench {

struct DhBound {
  std::uint64_t count = 0;
  double per_second = 0;  // responder Main Modes per core-second if DH were the only cost
};

// openssl_group: "modp_2048" or "P-256".
DhBound measure_dh_bound(const char* openssl_group, double seconds);

}  // namespace ipseckit::bench
