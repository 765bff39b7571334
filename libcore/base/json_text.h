// Compact JSON written directly as text, byte for byte what store::to_text() (nlohmann's
// dump(-1) with invalid UTF-8 replaced, libcore/store/protocol.h) makes of the same tree: for
// records a daemon builds only to send (ikeview's SA records, esp/sa_record.h's encode_sa),
// with no tree to build, serialise and free. Sent with store::TxnOp::put_text().
//
// to_text()'s form, which the writer reproduces:
//   - no whitespace; an object's keys in ascending byte order (nlohmann keeps objects in a
//     std::map), so fields MUST be added in that order (asserted in Debug builds);
//   - strings: '"' and '\\' escaped, \b \f \n \r \t, other bytes < 0x20 as \u00xx, the rest
//     (UTF-8 included) as is, an invalid UTF-8 sequence replaced by U+FFFD;
//   - integers in decimal, true/false/null.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace ipseckit {

// s as a JSON string: printable ASCII without quote or backslash goes as it is, anything else
// through nlohmann's serialiser (so escaping and invalid UTF-8 replacement are its own).
void append_json_string(std::string& out, std::string_view s);

// One JSON object, field by field, with nested objects and arrays of objects:
//   JsonText w;
//   w.str("a", "x").object("b").num("c", 1).end().array("d").item().boolean("e", true).end().end();
//   std::string text = w.done();   // {"a":"x","b":{"c":1},"d":[{"e":true}]}
// Keys are plain ASCII names (written unescaped) that outlive the writer (string literals).
class JsonText {
 public:
  explicit JsonText(std::size_t reserve = 512);

  JsonText& str(std::string_view key, std::string_view value);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonText& num(std::string_view key, T value) {
    this->key(key);
    if constexpr (std::is_signed_v<T>)
      append_int(static_cast<std::int64_t>(value));
    else
      append_uint(static_cast<std::uint64_t>(value));
    return *this;
  }
  JsonText& boolean(std::string_view key, bool value);
  JsonText& null(std::string_view key);

  JsonText& object(std::string_view key);  // opens a nested object (its fields, then end())
  JsonText& array(std::string_view key);   // opens an array of objects (item()s, then end())
  JsonText& item();                        // opens the array's next object (its fields, then end())
  JsonText& end();                         // closes the innermost object or array

  std::string done();  // closes the outermost object; the text (the writer is left empty)

 private:
  static constexpr std::size_t kMaxDepth = 6;
  struct Level {
    std::string_view last_key;  // for the Debug order check
    bool array = false;
    bool empty = true;
  };
  void key(std::string_view k);
  void open(char bracket, bool array);
  void append_int(std::int64_t v);
  void append_uint(std::uint64_t v);

  std::string m_text;
  std::array<Level, kMaxDepth> m_levels{};
  std::size_t m_depth = 0;  // index of the innermost open level
};

}  // namespace ipseckit
