// The fast request reader against nlohmann's parser: same tree (types included) where it
// accepts, declines everything outside its subset or invalid.
#include "store/json_fast.h"

#include <doctest/doctest.h>

#include <string>

#include "store/protocol.h"

using namespace ipseckit::store;

namespace {

// Equal values of equal types all the way down (Json's == treats 1u and 1 as equal).
bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt)
      if (it.key() != jt.key() || !same(*it, *jt)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

}  // namespace

TEST_CASE("the fast reader builds the tree Json::parse builds") {
  for (
      std::string text : {
          R"({})",
          R"( {"op":"txn","quiet":true,"id":17,"compare":[],"ops":[{"op":"put","key":"ike/mm/ab","value":{"a":[1,-2,0,-0,[],{}],"b":null,"c":false,"d":true}}]} )",
          R"({"op":"log","entries":[{"subsys":"ike","level":"control","message":"IKE SA #1: \"x\" \\ \/ \b\f\n\r\t ok"}]})",
          R"({"dup":1,"dup":"last","n":999999999999999999,"m":-999999999999999999})",
          "{\r\n\t\"a\" : [ 1 , 2 ] }\n",
      }) {
    CAPTURE(text);
    auto fast = parse_object_fast(text, kMaxJsonDepth);
    REQUIRE(fast);
    CHECK(same(*fast, Json::parse(text)));
    auto line = parse_line(text);
    REQUIRE(line);
    CHECK(same(*line, *fast));
  }
}

TEST_CASE("the fast reader declines what it does not handle, and the full parser decides") {
  for (std::string text : {
           R"({"a":"\u00e9"})",     // \u escape
           "{\"a\":\"\xc3\xa9\"}",  // UTF-8
           R"({"a":1.5})",
           R"({"a":1e3})",                  // not integers
           R"({"a":1000000000000000000})",  // 19 digits
           R"([1,2])",
           R"("s")",
           "",  // not an object
           R"({"a":01})",
           R"({"a":-})",
           R"({"a":tru})",
           R"({"a":1,})",
           R"({"a" 1})",
           R"({"a":1}x)",
           "{\"a\":\"\x01\"}",
           R"({"a":"\q"})",
           R"({"a":"open)",
           "{\"a\":[1,2}",
       }) {
    CAPTURE(text);
    CHECK_FALSE(parse_object_fast(text, kMaxJsonDepth));
    auto full = Json::parse(text, nullptr, false);
    auto line = parse_line(text);
    CHECK(static_cast<bool>(line) == (!full.is_discarded() && full.is_object()));
    if (line) CHECK(same(*line, full));
  }
  // Depth: kMaxJsonDepth levels are read, one more is left to the full parser's refusal.
  std::string deep(kMaxJsonDepth - 1, '[');
  deep = R"({"a":)" + deep + std::string(kMaxJsonDepth - 1, ']') + "}";
  CHECK(parse_object_fast(deep, kMaxJsonDepth));
  std::string deeper = R"({"a":[)" + deep + "]}";
  CHECK_FALSE(parse_object_fast(deeper, kMaxJsonDepth));
  auto refused = parse_line(deeper);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("nested deeper") != std::string::npos);
}
