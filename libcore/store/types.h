// The state store's data types, shared by the engine, the wire protocol and the client.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ipseckit::store {

using Json = nlohmann::json;

inline constexpr int kProtocolVersion = 1;

// One key with its JSON value and the revision of its last modification.
struct Entry {
  std::string key;
  Json value;
  std::uint64_t revision = 0;
};

// One write inside a transaction. For delete_prefix, key holds the prefix.
struct TxnOp {
  enum class Kind { put, del, delete_prefix };
  Kind kind = Kind::put;
  std::string key;
  Json value;
  // put_text(): the put's value as JSON text in to_text()'s form (compact, keys sorted),
  // written by store::Client as it is (value stays null). Daemons that build a record as
  // text use it to skip a tree they would only serialise.
  std::string text;

  static TxnOp put(std::string key, Json value) { return {Kind::put, std::move(key), std::move(value), {}}; }
  static TxnOp put_text(std::string key, std::string json) {
    return {Kind::put, std::move(key), nullptr, std::move(json)};
  }
  // The put's value as a tree (parses text; for callers that need the tree).
  Json tree() const { return text.empty() ? value : Json::parse(text); }
  static TxnOp del(std::string key) { return {Kind::del, std::move(key), nullptr, {}}; }
  static TxnOp delete_prefix(std::string prefix) { return {Kind::delete_prefix, std::move(prefix), nullptr, {}}; }
  bool operator==(const TxnOp&) const = default;
};

// "key is at this revision"; revision 0 means "key does not exist".
struct Compare {
  std::string key;
  std::uint64_t revision = 0;
  bool operator==(const Compare&) const = default;
};

struct Txn {
  std::vector<Compare> compares;
  std::vector<TxnOp> ops;
};

// A change seen by a watcher. Snapshot events replay the state at watch time.
struct Event {
  enum class Kind { put, del };
  Kind kind = Kind::put;
  std::string key;
  Json value;  // null for deletes
  std::uint64_t revision = 0;
  bool snapshot = false;
};

// One entry of the volatile event-log ring ("Oakley log").
struct LogEntry {
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;  // unix time, milliseconds
  std::string subsys;
  std::string level;  // audit | control | diag | raw | private
  std::string message;
};

}  // namespace ipseckit::store
