// Tokenizer, keyword matching and argument binding.
#include <doctest/doctest.h>

#include <array>

#include "policy/netsh_args.h"
#include "policy/netsh_tokens.h"

using namespace ipseckit;
using namespace ipseckit::policy;

TEST_CASE("tokenizer: tags, quotes, blanks") {
  auto t = tokenize_netsh_line("  add policy  name=\"My Policy\"\tdescription=\"a b\" \"positional value\" x=");
  REQUIRE(t.ok());
  REQUIRE(t->size() == 6);
  CHECK_FALSE((*t)[0].tagged);
  CHECK((*t)[0].value == "add");
  CHECK((*t)[0].offset == 2);
  CHECK((*t)[2].tagged);
  CHECK((*t)[2].tag == "name");
  CHECK((*t)[2].value == "My Policy");
  CHECK((*t)[2].offset == 14);
  CHECK((*t)[3].value == "a b");
  CHECK_FALSE((*t)[4].tagged);
  CHECK((*t)[4].value == "positional value");
  CHECK((*t)[5].tagged);
  CHECK((*t)[5].value.empty());
}

TEST_CASE("tokenizer: '=' only makes a tag after letters; quotes may sit mid-word") {
  auto t = tokenize_netsh_line("rootca=\"CN=Root, O=Org certmap:yes\" \"CN=x, O=y\" 10.0.0.1=x psk=ab\"c d\"e");
  REQUIRE(t.ok());
  REQUIRE(t->size() == 4);
  CHECK((*t)[0].tag == "rootca");
  CHECK((*t)[0].value == "CN=Root, O=Org certmap:yes");
  CHECK((*t)[1].tagged);  // as netsh: "CN=x, O=y" has the tag CN
  CHECK((*t)[1].tag == "CN");
  CHECK_FALSE((*t)[2].tagged);  // "10.0.0.1" is not a tag
  CHECK((*t)[3].value == "abc de");
}

TEST_CASE("tokenizer: backslash-quote stays for rootca to interpret") {
  auto t = tokenize_netsh_line(R"(rootca="O=\'A B\' Inc")");
  REQUIRE(t.ok());
  CHECK((*t)[0].value == R"(O=\'A B\' Inc)");
}

TEST_CASE("tokenizer errors") {
  auto r = tokenize_netsh_line("add policy name=\"unterminated");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "usage");
  CHECK(r.error().message == "unterminated quote");
  CHECK(r.error().position == 11);
  r = tokenize_netsh_line("add =value");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("without a tag") != std::string::npos);
  r = tokenize_netsh_line(std::string("add\x01policy"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("control character 0x01") != std::string::npos);
  CHECK(tokenize_netsh_line("")->empty());
  CHECK(tokenize_netsh_line(" \t\r")->empty());
}

TEST_CASE("keywords: exact match wins, unique prefix, ambiguity names the candidates") {
  constexpr std::array<std::string_view, 3> k{"filterlist", "filter", "filteraction"};
  CHECK(*match_netsh_keyword("filter", k, "object") == 1);
  CHECK(*match_netsh_keyword("FILTERL", k, "object") == 0);
  CHECK(*match_netsh_keyword("filtera", k, "object") == 2);
  auto r = match_netsh_keyword("fil", k, "object");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "usage");
  CHECK(r.error().message == "object 'fil' is ambiguous: it could be filterlist, filter, filteraction");
  r = match_netsh_keyword("rule", k, "object");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "unknown object 'rule' (expected one of: filterlist, filter, filteraction)");
  CHECK_FALSE(match_netsh_keyword("", k, "object").ok());
}

namespace {
constexpr std::array<NetshTagSpec, 6> kSpecs{{
    {"name", 0, true},
    {"guid", 0, true},
    {"policy", 1, true},
    {"srcaddr", 2},
    {"srcmask", 3},
    {"rootca", 4, false, true},
}};

Result<NetshArgs> bind(std::string_view line) {
  auto t = tokenize_netsh_line(line);
  REQUIRE(t.ok());
  return bind_netsh_args(*t, kSpecs);
}
}  // namespace

TEST_CASE("binding: tags by prefix, positional values fill free slots in order") {
  auto a = bind("P1 srca=10.0.0.1 N1");  // srca binds first; then P1 -> name, N1 -> policy
  REQUIRE(a.ok());
  CHECK(a->get("name")->value == "P1");
  CHECK_FALSE(a->get("name")->tagged);
  CHECK(a->get("policy")->value == "N1");
  CHECK(a->get("srcaddr")->value == "10.0.0.1");
  CHECK(a->get("srcaddr")->tagged);
  // netsh's rule: an untagged word takes the first slot still free, after the tagged ones.
  a = bind("N1 name=P1");
  REQUIRE(a.ok());
  CHECK(a->get("name")->value == "P1");
  CHECK(a->get("policy")->value == "N1");
  // An alternative given by tag fills the shared slot.
  a = bind("guid={X} Pol");
  REQUIRE(a.ok());
  CHECK_FALSE(a->has("name"));
  CHECK(a->get("policy")->value == "Pol");
  // Repeatable tags keep command-line order.
  a = bind("n=a p=b rootca=\"CN=1\" rootca=\"CN=2\"");
  REQUIRE(a.ok());
  auto cas = a->all("rootca");
  REQUIRE(cas.size() == 2);
  CHECK(cas[0]->value == "CN=1");
  CHECK(cas[1]->value == "CN=2");
  CHECK(a->list().front().tag == "name");
}

TEST_CASE("binding errors") {
  auto e = bind("name=a policy=b srcm=1 src=2");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "tag 'src' is ambiguous: it could be srcaddr, srcmask");
  CHECK(e.error().position == 23);
  e = bind("name=a policy=b color=red");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.starts_with("unknown tag 'color' (expected one of: name, guid, policy"));
  e = bind("name=a name=b policy=c");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "tag 'name' is given twice");
  e = bind("name=a guid=b policy=c");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "give only one of name or guid");
  e = bind("name=a");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "the required parameter policy is missing");
  e = bind("policy=x");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "the required parameter name or guid is missing");
  e = bind("a b c d e");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "'e': no parameter is left to take this value (use tag=value)");
}
