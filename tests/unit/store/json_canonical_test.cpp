// The canonical-text check (store/json_canonical.h): what it accepts is exactly to_text() of
// what nlohmann parses it to; what it declines is listed with the reason.
#include "store/json_canonical.h"

#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>

#include "store/protocol.h"

using namespace ipseckit::store;

namespace {

// The property the store relies on: accepted text is its own canonical form.
bool accepted_and_canonical(const std::string& text) {
  if (!is_canonical(text, kMaxJsonDepth)) return false;
  Json j = Json::parse(text, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(to_text(j) == text);
  return true;
}

}  // namespace

TEST_CASE("canonical: to_text()'s own output is accepted") {
  for (std::string text : {
           R"({})",
           R"([])",
           R"(null)",
           R"(true)",
           R"(false)",
           R"(0)",
           R"(-1)",
           R"("")",
           R"({"a":[1,-2,0,[],{}],"b":null,"c":false,"d":"x","e":{"f":999999999999999999}})",
           R"({"A":1,"B":2,"a":3,"aa":4,"b":5})",                           // byte order: upper case first
           R"({"a":"q \" b \\ c \b \f \n \r \t","b":"/ ~ \u007f"})",           // the short escapes
           "{\"a\":\"\x7f\"}",                                                  // DEL is not escaped
           "{\"caf\xc3\xa9\":\"\xe2\x82\xac \xf0\x9f\x94\x91 \xed\x9f\xbf \xf4\x8f\xbf\xbf\"}",  // UTF-8
           "{\"a\":1,\"\xc3\xa9\":2}",                                          // non-ASCII sorts after ASCII
           R"([18446744073709551615,-9223372036854775808,9223372036854775807])",  // integer limits
           R"({"sa":{"dir":"in","enc":"aes-cbc-128","keys":{"auth":"00ff","enc":"abcd"},"spi":3735928559}})",
       }) {
    CAPTURE(text);
    Json j = Json::parse(text);
    // Some cases hold an escape in their source; the parsed value's to_text() is the reference.
    const std::string canon = to_text(j);
    CAPTURE(canon);
    CHECK(accepted_and_canonical(canon));
  }
}

TEST_CASE("canonical: anything that is not exactly to_text()'s form is declined") {
  for (std::string text : {
           "",
           R"({"b":1,"a":2})",                 // unsorted keys
           R"({"a":1,"a":1})",                 // duplicate key
           R"({"a":1,"A":2})",                 // unsorted in byte order
           "{\"\xc3\xa9\":1,\"a\":2}",         // non-ASCII before ASCII
           R"({ "a":1})",                      // whitespace
           R"({"a": 1})",
           R"({"a":1} )",
           R"([1, 2])",
           "[1,\n2]",
           R"({"a":1.0})",                     // floats (dump() would write them differently, or not)
           R"({"a":1e3})",
           R"({"a":1E3})",
           R"(0.5)",
           R"(-0)",                            // parses to 0, dumped "0"
           R"({"a":-0})",
           R"(01)",                            // invalid
           R"(-)",
           R"(18446744073709551616)",          // above uint64: a float
           R"(-9223372036854775809)",          // below int64: a float
           R"(99999999999999999999999)",
           R"({"a":"\/"})",                    // dump() writes '/'
           R"({"a":"\u0041"})",                // dump() writes 'A'
           R"({"a":"\u001f"})",                // dump() writes this one, but it is declined (rare)
           R"({"a\n":1})",                     // escapes in keys are declined (order of decoded keys)
           R"({"a":"\q"})",                    // invalid escape
           "{\"a\":\"\x01\"}",                 // raw control byte: invalid JSON
           "{\"a\":\"\xc3\"}",                 // truncated UTF-8
           "{\"a\":\"\xc0\xaf\"}",             // overlong
           "{\"a\":\"\xe0\x80\xaf\"}",         // overlong
           "{\"a\":\"\xed\xa0\x80\"}",         // surrogate
           "{\"a\":\"\xf4\x90\x80\x80\"}",     // above U+10FFFF
           "{\"a\":\"\xff\"}",
           "{\"a\":\"\x80\"}",                 // lone continuation byte
           R"({"a":tru})",
           R"({"a":1,})",
           R"([1,])",
           R"({"a":1)",
           R"("open)",
           R"({"a":1}{})",                     // two values
           R"({a:1})",
       }) {
    CAPTURE(text);
    CHECK_FALSE(is_canonical(text, kMaxJsonDepth));
  }
}

TEST_CASE("canonical: nesting limit and prefixes") {
  const auto nested = [](std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
  CHECK(is_canonical(nested(kMaxJsonDepth), kMaxJsonDepth));
  CHECK_FALSE(is_canonical(nested(kMaxJsonDepth + 1), kMaxJsonDepth));
  // A value nested at depth 3 (a txn put) may add max - 3 levels.
  CHECK(canonical_prefix(nested(kMaxJsonDepth - 3), 3, kMaxJsonDepth) == 2 * (kMaxJsonDepth - 3));
  CHECK(canonical_prefix(nested(kMaxJsonDepth - 2), 3, kMaxJsonDepth) == 0);
  // The prefix is the value only; what follows is the caller's.
  CHECK(canonical_prefix(R"({"a":1}},"x")", 0, kMaxJsonDepth) == 7);
  CHECK(canonical_prefix("123]", 0, kMaxJsonDepth) == 3);
  CHECK(canonical_prefix("nullx", 0, kMaxJsonDepth) == 4);
}

TEST_CASE("canonical: random trees dump to accepted text; random mutations are accepted only if canonical") {
  std::mt19937_64 rng(20261128);
  const std::string alphabet[] = {"a", "b", "B", "\xc3\xa9", "\"", "\\", "\n", "/", " ", "\x7f", "\x01"};
  auto str = [&](bool key) {
    std::string s;
    for (auto n = rng() % 4; n > 0; --n) s += alphabet[rng() % (key ? 4 : std::size(alphabet))];
    return s;
  };
  std::function<Json(int)> tree = [&](int depth) -> Json {
    switch (depth > 3 ? rng() % 5 : rng() % 7) {
      case 0: return nullptr;
      case 1: return rng() % 2 == 0;
      case 2: return static_cast<std::int64_t>(rng()) >> (rng() % 64);
      case 3: return rng() >> (rng() % 64);
      case 4: return str(false);
      case 5: {
        Json a = Json::array();
        for (auto n = rng() % 4; n > 0; --n) a.push_back(tree(depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (auto n = rng() % 4; n > 0; --n) o[str(true)] = tree(depth + 1);
        return o;
      }
    }
  };
  int accepted = 0, mutated_accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = to_text(tree(0));
    CAPTURE(text);
    // Declined only for the \u00xx escape dump() writes for controls other than \b\f\n\r\t.
    if (text.find("\\u") == std::string::npos) {
      CHECK(accepted_and_canonical(text));
      ++accepted;
    }
    // One byte changed, dropped or inserted: accepted only if still canonical.
    std::string m = text;
    const auto at = rng() % (m.size() + 1);
    const char bytes[] = {' ', '0', '-', '"', ',', ':', '}', ']', '\\', 'a', 'B', '\xc3', '.'};
    switch (rng() % 3) {
      case 0: if (at < m.size()) m[at] = bytes[rng() % sizeof bytes]; break;
      case 1: if (at < m.size()) m.erase(at, 1); break;
      default: m.insert(at, 1, bytes[rng() % sizeof bytes]);
    }
    CAPTURE(m);
    if (m != text && accepted_and_canonical(m)) ++mutated_accepted;
  }
  CHECK(accepted > 2000);
  MESSAGE("mutations still canonical: " << mutated_accepted);
}
