// The fixed-layout request reader (request_fast.h). It reads only the layouts store::Client
// writes, with the string and number subset of json_fast.h, and checks what parse_request()
// checks (a known log level, a non-empty "entries"); everything else is left to it. A put's
// value is checked to be canonical (json_canonical.h) and kept as text when it is.
#include "store/request_fast.h"

#include "base/log.h"
#include "store/json_fast.h"

namespace ipseckit::store {
namespace {

// "entries":[{"subsys":S,"level":L,"message":M},...]} with the cursor after "entries":
bool log_entries(FastReader& in, Request& r) {
  if (!in.literal("[")) return false;
  do {
    LogLine l;
    std::string level;
    if (!in.literal(R"({"subsys":)") || !in.string(l.subsys) || !in.literal(R"(,"level":)") || !in.string(level) ||
        !in.literal(R"(,"message":)") || !in.string(l.message) || !in.literal("}"))
      return false;
    log::Level lv{};
    if (!log::parse_level(level, lv)) return false;  // the general path words the error
    l.level = std::string(log::name(lv));
    r.lines.push_back(std::move(l));
  } while (in.literal(","));
  return in.literal("]}");
}

// "compare":[..],"ops":[..]} with the cursor after "compare":
bool txn_fields(FastReader& in, Txn& t) {
  if (!in.literal("[")) return false;
  if (!in.literal("]")) {
    do {
      Compare c;
      if (!in.literal(R"({"key":)") || !in.string(c.key) || !in.literal(R"(,"revision":)") || !in.uint(c.revision) ||
          !in.literal("}"))
        return false;
      t.compares.push_back(std::move(c));
    } while (in.literal(","));
    if (!in.literal("]")) return false;
  }
  if (!in.literal(R"(,"ops":[)")) return false;
  if (!in.literal("]")) {
    do {
      std::string key;
      if (in.literal(R"({"op":"put","key":)")) {
        // The value sits in the request object, "ops" and its op object: depth 3. Canonical
        // text (what store::Client writes for nearly every value) is kept as it is, as the
        // engine stores it; anything else becomes a tree the engine dumps once.
        if (!in.string(key) || !in.literal(R"(,"value":)")) return false;
        std::string_view text;
        if (in.canonical(text, 3)) {
          t.ops.push_back(TxnOp::put_text(std::move(key), std::string(text)));
        } else {
          Json value;
          if (!in.value(value, 3)) return false;
          t.ops.push_back(TxnOp::put(std::move(key), std::move(value)));
        }
      } else if (in.literal(R"({"op":"delete","key":)")) {
        if (!in.string(key)) return false;
        t.ops.push_back(TxnOp::del(std::move(key)));
      } else if (in.literal(R"({"op":"delete_prefix","prefix":)")) {
        if (!in.string(key)) return false;
        t.ops.push_back(TxnOp::delete_prefix(std::move(key)));
      } else {
        return false;
      }
      if (!in.literal("}")) return false;
    } while (in.literal(","));
    if (!in.literal("]")) return false;
  }
  return in.literal("}");
}

}  // namespace

std::optional<Request> parse_request_fast(std::string_view line) {
  FastReader in(line, kMaxJsonDepth);
  Request r;
  bool log = false;
  if (in.literal(R"({"op":"log","quiet":true,"id":)"))
    log = true;
  else if (!in.literal(R"({"op":"txn","quiet":true,"id":)"))
    return std::nullopt;
  std::uint64_t id = 0;
  if (!in.uint(id)) return std::nullopt;
  r.id = id;
  r.quiet = true;
  if (log) {
    r.op = Op::log;
    if (!in.literal(R"(,"entries":)") || !log_entries(in, r)) return std::nullopt;
  } else {
    r.op = Op::txn;
    if (!in.literal(R"(,"compare":)") || !txn_fields(in, r.txn)) return std::nullopt;
    r.canonical_texts = true;
  }
  if (!in.at_end()) return std::nullopt;
  return r;
}

}  // namespace ipseckit::store
