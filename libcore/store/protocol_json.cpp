// The JSON forms of entries, events, log entries, transactions and errors.
#include "store/protocol.h"

namespace ipseckit::store {
namespace {

Error malformed(std::string_view what) {
  return Error::make("protocol", "malformed " + std::string(what) + " from the agent");
}

std::uint64_t uint_or(const Json& j, std::string_view name, std::uint64_t dflt) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) return dflt;
  return it->get<std::uint64_t>();
}

std::string string_or(const Json& j, std::string_view name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

std::string to_text(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string to_line(const Json& j) {
  std::string s = to_text(j);
  s.push_back('\n');
  return s;
}

Json error_response(const Json& id, std::string_view code, std::string_view message) {
  Json r = Json::object();
  if (!id.is_null()) r["id"] = id;
  r["ok"] = false;
  r["error"] = {{"code", std::string(code)}, {"message", std::string(message)}};
  return r;
}

std::string response_line(const Json& id, bool ok, const Json& body) {
  std::string s = "{";
  if (!id.is_null()) s += "\"id\":" + to_text(id) + ",";
  s += ok ? "\"ok\":true" : "\"ok\":false";
  if (body.is_object() && !body.empty()) {
    std::string rest = to_text(body);  // "{...}"
    s += ",";
    s.append(rest, 1, std::string::npos);
  } else {
    s += "}";
  }
  s.push_back('\n');
  return s;
}

std::string error_line(const Json& id, std::string_view code, std::string_view message) {
  return response_line(id, false, Json{{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}});
}

std::string event_line(std::uint64_t watch, const Event& e) {
  const std::string value = e.kind == Event::Kind::put ? to_text(e.value) : std::string();
  return event_line_text(watch, e.kind, e.key, value, e.revision, e.snapshot);
}

Json entry_to_json(const Entry& e, bool keys_only) {
  if (keys_only) return {{"key", e.key}, {"revision", e.revision}};
  return {{"key", e.key}, {"value", e.value}, {"revision", e.revision}};
}

Json event_to_json(std::uint64_t watch, const Event& e) {
  Json j = {{"watch", watch}, {"event", e.kind == Event::Kind::put ? "put" : "delete"}, {"key", e.key}};
  if (e.kind == Event::Kind::put) j["value"] = e.value;
  j["revision"] = e.revision;
  if (e.snapshot) j["snapshot"] = true;
  return j;
}

Json log_to_json(const LogEntry& e) {
  return {{"seq", e.seq}, {"time", e.time_ms}, {"subsys", e.subsys}, {"level", e.level}, {"message", e.message}};
}

Json txn_to_json(const Txn& t) {
  Json cmp = Json::array();
  for (const auto& c : t.compares) cmp.push_back({{"key", c.key}, {"revision", c.revision}});
  Json ops = Json::array();
  for (const auto& o : t.ops) {
    switch (o.kind) {
      case TxnOp::Kind::put:
        ops.push_back({{"op", "put"}, {"key", o.key}, {"value", o.tree()}});
        break;
      case TxnOp::Kind::del:
        ops.push_back({{"op", "delete"}, {"key", o.key}});
        break;
      case TxnOp::Kind::delete_prefix:
        ops.push_back({{"op", "delete_prefix"}, {"prefix", o.key}});
        break;
    }
  }
  return {{"op", "txn"}, {"compare", std::move(cmp)}, {"ops", std::move(ops)}};
}

Result<Entry> entry_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("key") || !j["key"].is_string()) return malformed("entry");
  Entry e;
  e.key = j["key"].get<std::string>();
  if (auto v = j.find("value"); v != j.end()) e.value = *v;
  e.revision = uint_or(j, "revision", 0);
  return e;
}

Result<Event> event_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("event") || !j["event"].is_string()) return malformed("event");
  Event e;
  const std::string kind = j["event"].get<std::string>();
  if (kind == "put")
    e.kind = Event::Kind::put;
  else if (kind == "delete")
    e.kind = Event::Kind::del;
  else
    return malformed("event '" + kind + "'");
  e.key = string_or(j, "key");
  if (auto v = j.find("value"); v != j.end()) e.value = *v;
  e.revision = uint_or(j, "revision", 0);
  auto s = j.find("snapshot");
  e.snapshot = s != j.end() && s->is_boolean() && s->get<bool>();
  return e;
}

Result<LogEntry> log_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("seq")) return malformed("log entry");
  LogEntry e;
  e.seq = uint_or(j, "seq", 0);
  if (auto t = j.find("time"); t != j.end() && t->is_number_integer()) e.time_ms = t->get<std::int64_t>();
  e.subsys = string_or(j, "subsys");
  e.level = string_or(j, "level");
  e.message = string_or(j, "message");
  return e;
}

Error error_from_response(const Json& j) {
  auto err = j.find("error");
  if (!j.is_object() || err == j.end() || !err->is_object()) return malformed("error response");
  std::string code = string_or(*err, "code");
  std::string message = string_or(*err, "message");
  if (code.empty()) code = "protocol";
  return Error::make(std::move(code), std::move(message));
}

}  // namespace ipseckit::store
