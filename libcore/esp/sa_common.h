// What both halves of an SA share: configuration checks and building the crypto contexts.
#pragma once

#include <optional>

#include "base/result.h"
#include "esp/ah_crypto.h"
#include "esp/config.h"
#include "esp/esp_crypto.h"

namespace ipseckit::esp {

struct SaCrypto {
  std::optional<EspCrypto> esp;
  std::optional<AhCrypto> ah;
};

// Checks the configuration (code "config" on failure): at least one protocol, non-zero SPIs,
// valid suites and key lengths, tunnel endpoints of one family, no UDP encapsulation of AH,
// a replay window of 0 or 64..1024, and no replay window without integrity (RFC 4303
// §3.4.3: anti-replay needs integrity) -- then builds the contexts.
Result<SaCrypto> build_sa_crypto(const SaConfig& c);

// The SPI events report: ESP's, or AH's for an AH-only SA.
std::uint32_t event_spi(const SaConfig& c);

}  // namespace ipseckit::esp
