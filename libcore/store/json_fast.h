// A fast path for the store's request parser: a strict JSON reader (RFC 8259) for the common
// subset of what daemons send (objects, arrays, ASCII strings with the short escapes, integers
// of up to 18 digits, true/false/null), building the same nlohmann tree as Json::parse would.
// Anything outside that subset, and anything invalid, gives nullopt: the caller then takes the
// full parser, which also words the error. So the two paths never disagree on a verdict.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "store/types.h"

namespace ipseckit::store {

// text's one JSON object (surrounding whitespace allowed) if it lies in the subset and nests at
// most max_depth levels; else nullopt.
std::optional<Json> parse_object_fast(std::string_view text, std::size_t max_depth);

}  // namespace ipseckit::store
