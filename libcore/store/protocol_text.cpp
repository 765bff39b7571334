// Response and event lines around stored value texts (protocol.h). The field order is the one
// nlohmann's dump() gives the tree forms in protocol_json.cpp (object keys sorted), except
// where protocol_json.cpp writes the line by hand (event_line, response_line's "id","ok").
#include <cstdint>
#include <string>
#include <string_view>

#include "base/json_text.h"
#include "store/protocol.h"

namespace ipseckit::store {

std::string event_line_text(std::uint64_t watch, Event::Kind kind, std::string_view key, std::string_view value_text,
                            std::uint64_t revision, bool snapshot) {
  // {"watch":W,"event":"put"|"delete","key":K[,"value":V],"revision":R[,"snapshot":true]}
  std::string s;
  s.reserve(64 + key.size() + value_text.size());
  s += "{\"watch\":";
  s += std::to_string(watch);
  s += kind == Event::Kind::put ? ",\"event\":\"put\",\"key\":" : ",\"event\":\"delete\",\"key\":";
  append_json_string(s, key);
  if (kind == Event::Kind::put) {
    s += ",\"value\":";
    s += value_text;
  }
  s += ",\"revision\":";
  s += std::to_string(revision);
  if (snapshot) s += ",\"snapshot\":true";
  s += "}\n";
  return s;
}

std::string response_line_fields(const Json& id, std::string_view fields) {
  std::string s = "{";
  if (!id.is_null()) s += "\"id\":" + to_text(id) + ",";
  s += "\"ok\":true";
  if (!fields.empty()) {
    s += ",";
    s += fields;
  }
  s += "}\n";
  return s;
}

void append_entry_fields(std::string& out, std::string_view key, std::uint64_t revision, const std::string* value_text) {
  out += "\"key\":";
  append_json_string(out, key);
  out += ",\"revision\":";
  out += std::to_string(revision);
  if (value_text) {
    out += ",\"value\":";
    out += *value_text;
  }
}

}  // namespace ipseckit::store
