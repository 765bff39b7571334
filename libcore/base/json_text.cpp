#include "base/json_text.h"

#include <cassert>
#include <charconv>
#include <nlohmann/json.hpp>

namespace ipseckit {

void append_json_string(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
      // The same call as store::to_text(): compact, ensure_ascii off, invalid UTF-8 replaced.
      out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}

JsonText::JsonText(std::size_t reserve) {
  m_text.reserve(reserve);
  m_text.push_back('{');
}

void JsonText::key(std::string_view k) {
  Level& l = m_levels[m_depth];
  assert(!l.array && "an array holds item()s, not keyed fields");
  // dump() orders keys as std::map<std::string> does: a field out of order (or twice) would
  // make text that is not to_text()'s.
  assert((l.empty || l.last_key < k) && "JsonText: keys must be added in ascending byte order");
  l.last_key = k;
  if (!l.empty) m_text.push_back(',');
  l.empty = false;
  m_text.push_back('"');
  m_text.append(k);
  m_text += "\":";
}

JsonText& JsonText::str(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(m_text, value);
  return *this;
}

JsonText& JsonText::boolean(std::string_view k, bool value) {
  key(k);
  m_text += value ? "true" : "false";
  return *this;
}

JsonText& JsonText::null(std::string_view k) {
  key(k);
  m_text += "null";
  return *this;
}

void JsonText::append_int(std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  m_text.append(buf, r.ptr);
}

void JsonText::append_uint(std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  m_text.append(buf, r.ptr);
}

void JsonText::open(char bracket, bool array) {
  assert(m_depth + 1 < kMaxDepth && "JsonText: nested too deep");
  m_text.push_back(bracket);
  m_levels[++m_depth] = Level{{}, array, true};
}

JsonText& JsonText::object(std::string_view k) {
  key(k);
  open('{', false);
  return *this;
}

JsonText& JsonText::array(std::string_view k) {
  key(k);
  open('[', true);
  return *this;
}

JsonText& JsonText::item() {
  Level& l = m_levels[m_depth];
  assert(l.array && "item() outside an array");
  if (!l.empty) m_text.push_back(',');
  l.empty = false;
  open('{', false);
  return *this;
}

JsonText& JsonText::end() {
  assert(m_depth > 0 && "end() without object(), array() or item()");
  m_text.push_back(m_levels[m_depth].array ? ']' : '}');
  --m_depth;
  return *this;
}

std::string JsonText::done() {
  assert(m_depth == 0 && "done() with an object or array still open");
  m_text.push_back('}');
  m_levels[0] = Level{};
  std::string out = std::move(m_text);
  m_text.clear();
  return out;
}

}  // namespace ipseckit
