// A fast path for the two requests a daemon sends most (ikeview: several per negotiation):
// the quiet "log" batch and the quiet "txn" exactly as store::Client writes them
// (client.cpp), read straight into a Request without a JSON tree of the request. A put's
// value whose text is canonical (json_canonical.h) stays text (TxnOp::put_text); any other
// value becomes its tree. Anything else, any other field order or spacing, and anything
// parse_line() + parse_request() would refuse or word differently gives nullopt: the caller
// then takes the general path, so the two never disagree (tests/fuzz/store_protocol checks
// that what this accepts, the general path parses to the same Request, a put_text's text
// being to_text() of the general path's value).
#pragma once

#include <optional>
#include <string_view>

#include "store/protocol.h"

namespace ipseckit::store {

// {"op":"log","quiet":true,"id":N,"entries":[{"subsys":S,"level":L,"message":M},...]}
// {"op":"txn","quiet":true,"id":N,"compare":[{"key":K,"revision":R},...],
//  "ops":[{"op":"put","key":K,"value":V}|{"op":"delete","key":K}|{"op":"delete_prefix","prefix":P},...]}
std::optional<Request> parse_request_fast(std::string_view line);

}  // namespace ipseckit::store
