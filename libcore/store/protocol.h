// The store's wire protocol: one JSON object per line, newline-terminated, both directions
// (see man/policyagent.8 for the full description). This file parses requests into typed
// form (shape first: types and presence of fields, errors naming the field) and turns the
// store's types into their JSON form and back; it does no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/types.h"

namespace ipseckit::store {

inline constexpr std::size_t kMaxJsonDepth = 128;
inline constexpr std::size_t kDefaultLogReadLimit = 1000;
inline constexpr std::size_t kMaxLogReadLimit = 100000;

enum class Op { hello, get, put, del, list, watch, unwatch, txn, log, log_read };
std::string_view op_name(Op op);

// One event-log line of a "log" request ("entries" carries several).
struct LogLine {
  std::string subsys, level, message;  // level normalised to its name
};

struct Request {
  Json id;  // echoed in the response; null when the request had none
  Op op = Op::hello;
  std::optional<std::uint64_t> version;      // hello
  std::string key;                           // get, put, delete
  Json value;                                // put
  std::optional<std::uint64_t> if_revision;  // put, delete
  std::string prefix;                        // list, watch
  bool keys_only = false;                    // list
  bool snapshot = false;                     // watch
  std::uint64_t watch = 0;                   // unwatch
  Txn txn;                                   // txn
  std::vector<LogLine> lines;                // log: its one line, or each of "entries"
  bool quiet = false;                        // "quiet": answered only when it fails
  std::uint64_t since = 0;                   // log_read
  std::size_t limit = kDefaultLogReadLimit;  // log_read
  // txn: every put_text's text was checked canonical (request_fast.h), so the engine need
  // not check it again (Engine::txn_canonical).
  bool canonical_texts = false;
};

// One line (without its newline) to a JSON object. Error code "bad_request" for invalid
// JSON or UTF-8, nesting deeper than kMaxJsonDepth, or anything but an object.
Result<Json> parse_line(std::string_view line);
// The object's "id" if it is a scalar, else null.
Json request_id(const Json& obj);
// The object's fields to a Request (values are moved out of obj). Error code
// "bad_request" naming the field.
Result<Request> parse_request(Json obj);

// Serialisation: compact JSON plus '\n'; invalid UTF-8 (only possible from C++ callers) is
// replaced, never thrown.
std::string to_line(const Json& j);
std::string to_text(const Json& j);  // the same without the newline

Json error_response(const Json& id, std::string_view code, std::string_view message);
// Lines as the agent writes them, with "id" and "ok" (or "watch" and "event") first for
// people reading socat output: {"id":..,"ok":true,<body fields>}.
std::string response_line(const Json& id, bool ok, const Json& body);
std::string error_line(const Json& id, std::string_view code, std::string_view message);
std::string event_line(std::uint64_t watch, const Event& e);

// The same lines built around values the engine keeps as canonical text (Slot in
// read_view.h), spliced in as they are: byte for byte what the tree forms above write for
// the parsed values (protocol_text.cpp).
std::string event_line_text(std::uint64_t watch, Event::Kind kind, std::string_view key, std::string_view value_text,
                            std::uint64_t revision, bool snapshot);
// A success response whose body is given as its fields' text, e.g. "a":1,"b":2, in the
// (sorted) order to_text() writes them; empty for no body.
std::string response_line_fields(const Json& id, std::string_view fields);
// Appends an entry's fields, "key":K,"revision":R[,"value":V], as entry_to_json() dumps.
void append_entry_fields(std::string& out, std::string_view key, std::uint64_t revision, const std::string* value_text);
Json entry_to_json(const Entry& e, bool keys_only = false);
Json event_to_json(std::uint64_t watch, const Event& e);
Json log_to_json(const LogEntry& e);
Json txn_to_json(const Txn& t);  // the whole request: {"op":"txn","compare":[..],"ops":[..]}

// Client side: the typed forms of what the server sends.
Result<Entry> entry_from_json(const Json& j);
Result<Event> event_from_json(const Json& j);
Result<LogEntry> log_from_json(const Json& j);
// {"ok":false,"error":{"code","message"}} to an Error (code "protocol" if malformed).
Error error_from_response(const Json& j);

}  // namespace ipseckit::store
