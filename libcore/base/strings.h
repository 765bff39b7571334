// Small string helpers shared by every grammar.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipseckit::str {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
// Splits on any of the separator characters; empty fields are kept unless skip_empty.
std::vector<std::string_view> split(std::string_view s, std::string_view seps, bool skip_empty = false);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Decimal unsigned integer, digits only, no sign, no overflow, value <= max.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max = UINT64_MAX);
// "1,234,567" — Windows' comma grouping used by ipseccmd statistics.
std::string group_thousands(std::uint64_t v);
// The deepest nesting of [ ] and { } in JSON text (brackets inside strings ignored), counted
// without parsing, so that recursive parsers can refuse input that would exhaust the stack.
// Stops counting once `limit` is exceeded.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);
// Quotes a word for a shell/batch script when it holds blanks, quotes or is empty.
std::string quote_if_needed(std::string_view s);

}  // namespace ipseckit::str
