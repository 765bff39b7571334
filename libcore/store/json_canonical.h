// A tree-free check that JSON text is already canonical: exactly the bytes to_text()
// (protocol.h: nlohmann's compact dump(), object keys sorted, its escaping) writes for the
// value it parses to. The store keeps values as canonical text, so a put whose value passes
// is stored as it came, without building and re-serialising an nlohmann tree.
//
// Conservative by design: it accepts a strict subset of canonical texts and declines
// everything else (the caller then parses and dumps). Accepted (RFC 8259 grammar, no
// insignificant whitespace anywhere):
//   objects with keys in strictly ascending byte order (std::map's order; no duplicates)
//     and no backslash in a key (so raw bytes order as the decoded keys do);
//   arrays; true, false, null;
//   strings of valid UTF-8 (RFC 3629, as nlohmann's lexer checks it) with no raw byte
//     below 0x20 and no escapes except the seven dump() writes: \" \\ \b \f \n \r \t
//     (\/ and \uXXXX are declined: dump() never writes \/, and \u only for rare controls);
//   integers -?(0|[1-9][0-9]*) within int64/uint64 (what parses to an integer type), not
//     "-0" (parses to 0, dumped "0"); no fractions or exponents (float dumping is not
//     worth reproducing).
#pragma once

#include <cstddef>
#include <string_view>

namespace ipseckit::store {

// The length of the canonical JSON value at the start of text, nested at depth (the levels
// of the containers around it; containers deeper than max_depth decline); 0 if none.
std::size_t canonical_prefix(std::string_view text, std::size_t depth, std::size_t max_depth);

// text is exactly one canonical JSON value nesting at most max_depth levels.
inline bool is_canonical(std::string_view text, std::size_t max_depth) {
  return !text.empty() && canonical_prefix(text, 0, max_depth) == text.size();
}

}  // namespace ipseckit::store
