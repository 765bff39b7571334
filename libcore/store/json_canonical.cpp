// The canonical-text check (json_canonical.h). Every branch either proves the bytes are what
// nlohmann's serializer (detail/output/serializer.hpp, dump() with indent -1, ensure_ascii
// false) would write for the value its parser reads, or declines.
#include "store/json_canonical.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace ipseckit::store {
namespace {

// Bytes dump() writes as they are inside a string and that need no further look: printable
// ASCII and DEL, less '"' and '\\' (one table lookup per byte in the common run).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (unsigned c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

class Checker {
 public:
  Checker(const char* p, const char* end, std::size_t max_depth) : m_p(p), m_end(end), m_max(max_depth) {}
  const char* pos() const { return m_p; }

  bool value(std::size_t depth) {
    if (m_p == m_end) return false;
    switch (*m_p) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string(false);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

 private:
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() || std::memcmp(m_p, word.data(), word.size()) != 0)
      return false;
    m_p += word.size();
    return true;
  }

  // Keys strictly ascending: dump() walks a std::map<std::string>, whose order is
  // char_traits<char>::compare, i.e. unsigned bytes (as string_view's compare).
  bool object(std::size_t depth) {
    std::string_view prev;
    bool first = true;
    return members('}', depth, [&] {
      if (m_p == m_end || *m_p != '"') return false;
      const char* key = m_p + 1;
      if (!string(true)) return false;
      const std::string_view k(key, static_cast<std::size_t>(m_p - 1 - key));
      if (!first && prev.compare(k) >= 0) return false;  // unsorted or duplicate
      first = false;
      prev = k;
      if (m_p == m_end || *m_p != ':') return false;
      ++m_p;
      return value(depth);
    });
  }

  bool array(std::size_t depth) {
    return members(']', depth, [&] { return value(depth); });
  }

  // An object's or array's members up to `close`, with the cursor on the opening bracket:
  // none, or item()s separated by ',' (no whitespace anywhere in dump()'s form).
  template <class Item>
  bool members(char close, std::size_t depth, Item item) {
    if (depth > m_max) return false;
    ++m_p;  // '{' or '['
    if (m_p != m_end && *m_p == close) {
      ++m_p;
      return true;
    }
    for (;;) {
      if (!item() || m_p == m_end) return false;
      if (*m_p == close) {
        ++m_p;
        return true;
      }
      if (*m_p++ != ',') return false;
    }
  }

  // RFC 8259 7. dump() escapes '"', '\\', and bytes below 0x20 (the five with short forms
  // as \b \t \n \f \r, the rest as \u00xx); everything else, 0x7F and valid multi-byte
  // UTF-8 included, is written as it is.
  bool string(bool key) {
    ++m_p;  // '"'
    for (;;) {
      while (m_p != m_end && kPlain[static_cast<unsigned char>(*m_p)]) ++m_p;
      if (m_p == m_end) return false;
      const auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        ++m_p;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (key || m_end - m_p < 2) return false;
        static constexpr std::string_view kShort = "\"\\bfnrt";
        if (kShort.find(m_p[1]) == std::string_view::npos) return false;
        m_p += 2;
        continue;
      }
      if (c < 0x80) {
        ++m_p;
        continue;
      }
      if (!utf8()) return false;
    }
  }

  // RFC 3629 4 (the well-formed byte sequences; nlohmann's lexer checks the same table):
  // no overlong forms, no surrogates, nothing above U+10FFFF.
  bool utf8() {
    const auto c = static_cast<unsigned char>(*m_p);
    std::size_t more = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c == 0xE0) {
      more = 2;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      more = 2;
    } else if (c == 0xED) {
      more = 2;
      hi = 0x9F;
    } else if (c == 0xF0) {
      more = 3;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      more = 3;
    } else if (c == 0xF4) {
      more = 3;
      hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(m_end - m_p) <= more) return false;
    for (std::size_t i = 1; i <= more; ++i) {
      const auto b = static_cast<unsigned char>(m_p[i]);
      if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return false;
    }
    m_p += more + 1;
    return true;
  }

  // RFC 8259 6, integers only. nlohmann reads a non-negative integer up to 2^64-1 as
  // number_unsigned and a negative one down to -2^63 as number_integer, and dumps either
  // as its decimal digits; anything larger becomes a float, "-0" becomes 0.
  bool number() {
    const bool negative = *m_p == '-';
    if (negative) ++m_p;
    const char* digits = m_p;
    std::uint64_t v = 0;
    bool overflow = false;
    while (m_p != m_end && *m_p >= '0' && *m_p <= '9') {
      const auto d = static_cast<std::uint64_t>(*m_p++ - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    const auto n = static_cast<std::size_t>(m_p - digits);
    if (n == 0 || overflow || (n > 1 && *digits == '0')) return false;
    if (m_p != m_end && (*m_p == '.' || *m_p == 'e' || *m_p == 'E')) return false;
    if (negative && (v == 0 || v > (std::uint64_t{1} << 63))) return false;
    return true;
  }

  const char* m_p;
  const char* m_end;
  std::size_t m_max;
};

}  // namespace

std::size_t canonical_prefix(std::string_view text, std::size_t depth, std::size_t max_depth) {
  Checker c(text.data(), text.data() + text.size(), max_depth);
  if (!c.value(depth)) return 0;
  return static_cast<std::size_t>(c.pos() - text.data());
}

}  // namespace ipseckit::store
