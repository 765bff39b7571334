// stats/espd: the data plane's counters under Windows' IPsec statistics names (ipseccmd show
// stats, windows-cli.md §1.10), then ipseckit's own (documented in espd(8)).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "datapath.h"
#include "sa_table.h"

namespace ipseckit::espd {

struct KeyCounters {
  std::uint64_t adds = 0, deletes = 0, rekeys = 0, hard_expiries = 0, record_errors = 0;
};

// The datapaths' counters are summed over the workers (espd --workers).
nlohmann::json stats_json(const SaTable& table, std::span<const Datapath* const> dps, const KeyCounters& keys);

}  // namespace ipseckit::espd
