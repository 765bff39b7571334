// A fast path for the store's request parser: a strict JSON reader (RFC 8259) for the common
// subset of what daemons send (objects, arrays, ASCII strings with the short escapes, integers
// of up to 18 digits, true/false/null), building the same nlohmann tree as Json::parse would.
// Anything outside that subset, and anything invalid, gives nullopt: the caller then takes the
// full parser, which also words the error. So the two paths never disagree on a verdict.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "store/types.h"

namespace ipseckit::store {

// text's one JSON object (surrounding whitespace allowed) if it lies in the subset and nests at
// most max_depth levels; else nullopt.
std::optional<Json> parse_object_fast(std::string_view text, std::size_t max_depth);

// The same reader as a cursor, for parsers of one fixed request layout (request_fast.h): each
// call reads one item of the subset at the cursor (no whitespace skipped) and advances past it,
// or returns false (the cursor then points anywhere; the caller declines the whole text).
class FastReader {
 public:
  FastReader(std::string_view text, std::size_t max_depth)
      : m_p(text.data()), m_end(text.data() + text.size()), m_max(max_depth) {}
  bool literal(std::string_view text);  // exactly these bytes
  bool string(std::string& out);        // a JSON string
  bool uint(std::uint64_t& out);        // a non-negative integer as parse_object_fast takes it
  // A value nested at depth (the levels of the containers around it), as parse_object_fast
  // builds it; objects and arrays deeper than max_depth decline.
  bool value(Json& out, std::size_t depth);
  // A value nested at depth whose text is canonical (json_canonical.h), as that text, without
  // a tree. On false the cursor has not moved, so the caller may read the value otherwise.
  bool canonical(std::string_view& out, std::size_t depth);
  bool at_end() const { return m_p == m_end; }
  bool peek(char c) const { return m_p != m_end && *m_p == c; }

  class Reader;

 private:
  const char* m_p;
  const char* m_end;
  std::size_t m_max;
};

}  // namespace ipseckit::store
