// nftables through the nft(8) program: a generated ruleset is loaded with `nft -f -` (one
// netlink transaction, so it applies all or nothing) and named counters are read back with
// `nft -j list counters`. The nft binary (Debian package nftables, already a dependency) is
// used instead of libnftables because its development headers are not installed on the
// build machines and the ruleset language is nft's stable, documented interface either way.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ipseckit::sys::nft {

// Runs `nft -f -` with script on stdin. Fails with nft's exit status and its stderr (first line).
Status apply(std::string_view script);

// Deletes table `family name` if it exists (an empty declaration followed by a delete, so a
// missing table is not an error). True when nft ran successfully.
Status delete_table(std::string_view family, std::string_view name);

// Named counters of a table: name -> packets. Empty map when the table does not exist.
Result<std::map<std::string, std::uint64_t>> counters(std::string_view family, std::string_view name);

// A name usable as an nft identifier: letters, digits and '_' only (others become '_').
std::string identifier(std::string_view s);

}  // namespace ipseckit::sys::nft
