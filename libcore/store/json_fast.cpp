// The fast request reader (json_fast.h). It declines (nullopt) rather than guesses: non-ASCII
// bytes (UTF-8 validation), \u escapes, fractions, exponents and long integers all go to
// nlohmann's parser, whose tree this one reproduces for what it accepts: objects keep the
// last of duplicate keys, non-negative integers are number_unsigned, negative ones
// number_integer ("-0" too).
#include "store/json_fast.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "store/json_canonical.h"

namespace ipseckit::store {
namespace {

// An unsigned integer's digits at p, advancing p: 0|[1-9][0-9]* of at most 18 digits (so no
// overflow), not followed by a fraction or an exponent (RFC 8259 6; those are left to the
// full parser).
bool digits(const char*& p, const char* end, std::uint64_t& out) {
  const char* first = p;
  std::uint64_t v = 0;
  while (p != end && *p >= '0' && *p <= '9') v = v * 10 + static_cast<std::uint64_t>(*p++ - '0');
  const auto n = static_cast<std::size_t>(p - first);
  if (n == 0 || n > 18 || (n > 1 && *first == '0')) return false;
  if (p != end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
  out = v;
  return true;
}

}  // namespace

class FastReader::Reader {
 public:
  Reader(std::string_view text, std::size_t max_depth)
      : m_p(text.data()), m_end(text.data() + text.size()), m_max(max_depth) {}
  Reader(const char* p, const char* end, std::size_t max_depth) : m_p(p), m_end(end), m_max(max_depth) {}
  const char* pos() const { return m_p; }

  bool document(Json& out) {
    ws();
    if (m_p == m_end || *m_p != '{') return false;
    if (!value(out, 0)) return false;
    ws();
    return m_p == m_end;
  }

  // RFC 8259 2: insignificant whitespace.
  void ws() {
    while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) ++m_p;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() || std::memcmp(m_p, word.data(), word.size()) != 0)
      return false;
    m_p += word.size();
    return true;
  }

  bool value(Json& out, std::size_t depth) {
    if (m_p == m_end) return false;
    switch (*m_p) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default:
        return number(out);
    }
  }

  bool object(Json& out, std::size_t depth) {
    if (depth > m_max) return false;
    out = Json::object();
    auto& obj = *out.get_ptr<Json::object_t*>();
    return members('}', [&] {
      if (m_p == m_end || *m_p != '"') return false;
      std::string key;
      if (!string(key)) return false;
      ws();
      if (m_p == m_end || *m_p != ':') return false;
      ++m_p;
      ws();
      Json v;
      if (!value(v, depth)) return false;
      obj[std::move(key)] = std::move(v);  // the last of duplicate keys wins, as in Json::parse
      return true;
    });
  }

  bool array(Json& out, std::size_t depth) {
    if (depth > m_max) return false;
    out = Json::array();
    auto& arr = *out.get_ptr<Json::array_t*>();
    return members(']', [&] { return value(arr.emplace_back(), depth); });
  }

  // An object's or array's members up to `close`, with the cursor on the opening bracket:
  // none, or item()s separated by ',', whitespace allowed around each.
  template <class Item>
  bool members(char close, Item item) {
    ++m_p;  // '{' or '['
    ws();
    if (m_p != m_end && *m_p == close) {
      ++m_p;
      return true;
    }
    for (;;) {
      ws();
      if (!item()) return false;
      ws();
      if (m_p == m_end) return false;
      if (*m_p == close) {
        ++m_p;
        return true;
      }
      if (*m_p++ != ',') return false;
    }
  }

  // RFC 8259 7, printable ASCII and the two-character escapes only.
  bool string(std::string& s) {
    ++m_p;  // '"'
    const char* run = m_p;
    for (;;) {
      if (m_p == m_end) return false;
      const auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        s.append(run, m_p);
        ++m_p;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;
      if (c != '\\') {
        ++m_p;
        continue;
      }
      s.append(run, m_p);
      if (++m_p == m_end) return false;
      // RFC 8259 7: the short escapes (\uXXXX, and anything invalid, goes to the full parser).
      static constexpr std::string_view kEscaped = "\"\\/bfnrt", kMeans = "\"\\/\b\f\n\r\t";
      const auto k = kEscaped.find(*m_p);
      if (k == std::string_view::npos) return false;
      s.push_back(kMeans[k]);
      run = ++m_p;
    }
  }

  // RFC 8259 6, integers only: -?(0|[1-9][0-9]*) of at most 18 digits (no overflow).
  bool number(Json& out) {
    const bool negative = *m_p == '-';
    if (negative) ++m_p;
    std::uint64_t v = 0;
    if (!digits(m_p, m_end, v)) return false;
    if (negative)
      out = -static_cast<std::int64_t>(v);
    else
      out = v;
    return true;
  }

  const char* m_p;
  const char* m_end;
  std::size_t m_max;
};

std::optional<Json> parse_object_fast(std::string_view text, std::size_t max_depth) {
  Json out;
  if (!FastReader::Reader(text, max_depth).document(out)) return std::nullopt;
  return out;
}

bool FastReader::string(std::string& out) {
  if (m_p == m_end || *m_p != '"') return false;
  Reader r(m_p, m_end, 0);
  if (!r.string(out)) return false;
  m_p = r.pos();
  return true;
}

bool FastReader::value(Json& out, std::size_t depth) {
  Reader r(m_p, m_end, m_max);
  if (!r.value(out, depth)) return false;
  m_p = r.pos();
  return true;
}

bool FastReader::canonical(std::string_view& out, std::size_t depth) {
  const auto n = canonical_prefix(std::string_view(m_p, static_cast<std::size_t>(m_end - m_p)), depth, m_max);
  if (n == 0) return false;
  out = std::string_view(m_p, n);
  m_p += n;
  return true;
}

bool FastReader::uint(std::uint64_t& out) {
  return digits(m_p, m_end, out);
}

bool FastReader::literal(std::string_view text) {
  if (static_cast<std::size_t>(m_end - m_p) < text.size() || std::memcmp(m_p, text.data(), text.size()) != 0)
    return false;
  m_p += text.size();
  return true;
}

}  // namespace ipseckit::store
