// A negotiated phase-2 SA as the data plane's records (esp/sa_record.h): one per direction.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "esp/sa_record.h"
#include "ike/events.h"

namespace ipseckit::ikeview {

// Inbound (spi_in, the keys we decrypt with) and outbound (spi_out) records.
Result<std::vector<esp::EncodedSa>> esp_records(const ike::Phase2Info& i, std::int64_t created);

}  // namespace ipseckit::ikeview
