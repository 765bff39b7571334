// Fuzz target for the state store's wire protocol: bytes go through the line framer into a
// Session on an in-process, volatile engine (the agent's request path minus the socket).
// Oracles besides sanitizers: every line the agent would write is one JSON object, and the
// fast readers (json_fast.h, request_fast.h) agree with the general parser; text the
// canonical check (json_canonical.h) accepts is to_text() of what nlohmann parses it to.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "base/log.h"
#include "store/engine.h"
#include "store/framer.h"
#include "store/json_canonical.h"
#include "store/json_fast.h"
#include "store/protocol.h"
#include "store/request_fast.h"
#include "store/session.h"

using namespace ipseckit;
using namespace ipseckit::store;

namespace {

std::unique_ptr<Engine> make_engine() {
  auto e = Engine::open({"", 64, [] { return std::int64_t{0}; }});
  if (!e) std::abort();
  auto engine = std::move(e.value());
  engine->add_deriver({"policy/", "assigned"}, [](const ReadView& v) {
    return std::vector<TxnOp>{TxnOp::put("spd/count", v.list("policy/").size())};
  });
  return engine;
}

void check_line(std::string_view line) {
  if (line.empty() || line.back() != '\n') std::abort();
  Json j = Json::parse(line.substr(0, line.size() - 1), nullptr, false);
  if (j.is_discarded() || !j.is_object()) std::abort();
}

// Equal values of equal types all the way down (Json's == treats 1u and 1 as equal).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
      if (it.key() != jt.key() || !same(*it, *jt)) return false;
    return true;
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

// Oracle for the request parser's fast path: what it accepts, nlohmann parses to the same tree.
void check_fast(std::string_view text) {
  auto fast = parse_object_fast(text, kMaxJsonDepth);
  if (!fast) return;
  Json full = Json::parse(text, nullptr, false);
  if (full.is_discarded() || !same(*fast, full)) std::abort();
}

// Oracle for the canonical check: accepted text is its own to_text(), however it is split
// (a canonical prefix followed by anything is checked as well).
void check_canonical(std::string_view text) {
  for (std::size_t depth : {std::size_t{0}, std::size_t{3}}) {
    const auto n = canonical_prefix(text, depth, kMaxJsonDepth);
    if (n == 0) continue;
    const auto value = text.substr(0, n);
    Json j = Json::parse(value, nullptr, false);
    if (j.is_discarded() || to_text(j) != value) std::abort();
  }
}

// Oracle for the fixed-layout request reader: what it accepts, the general path
// (parse_line + parse_request) accepts too, as the same Request.
void check_request_fast(std::string_view line) {
  auto fast = parse_request_fast(line);
  if (!fast) return;
  auto obj = parse_line(line);
  if (!obj) std::abort();
  auto full = parse_request(std::move(*obj));
  if (!full || !same(fast->id, full->id) || fast->op != full->op || fast->quiet != full->quiet) std::abort();
  if (fast->lines.size() != full->lines.size() || fast->txn.compares != full->txn.compares ||
      fast->txn.ops.size() != full->txn.ops.size())
    std::abort();
  for (std::size_t i = 0; i < fast->lines.size(); ++i) {
    const auto &a = fast->lines[i], &b = full->lines[i];
    if (a.subsys != b.subsys || a.level != b.level || a.message != b.message) std::abort();
  }
  for (std::size_t i = 0; i < fast->txn.ops.size(); ++i) {
    const auto &a = fast->txn.ops[i], &b = full->txn.ops[i];
    if (a.kind != b.kind || a.key != b.key || !b.text.empty()) std::abort();
    // A put the fast path kept as text: exactly to_text() of the general path's tree.
    if (a.text.empty() ? !same(a.value, b.value) : a.text != to_text(b.value)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    log::set_sink([](log::Subsys, log::Level, std::string_view) {});
    return true;
  }();
  (void)quiet;
  static std::unique_ptr<Engine> engine = make_engine();
  static unsigned runs = 0;
  if (++runs % 200 == 0) engine = make_engine();  // keep the state (and so the output) small

  // First byte: peer rights and chunking of the stream.
  const std::uint8_t ctl = size > 0 ? data[0] : 0;
  const bool admin = (ctl & 1) != 0;
  const std::size_t chunk = 1 + (ctl >> 1 & 0x3f);
  std::string_view in(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzzer bytes as text
  if (!in.empty()) in.remove_prefix(1);
  check_fast(in);
  check_canonical(in);
  check_request_fast(in);

  {
    Session session(*engine, Peer{admin ? 0u : 65534u, 1, admin}, check_line, SessionConfig{"policyagent/fuzz", 8});
    LineFramer framer(2048);
    for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
      if (!framer.append(in.substr(pos, chunk))) {
        session.send_error(nullptr, "too_large", "line too long");
        return 0;
      }
      while (auto line = framer.next()) {
        check_request_fast(*line);
        session.handle_line(*line);
      }
    }
    session.handle_line(framer.partial());
  }
  return 0;
}
