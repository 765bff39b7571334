// Request parsing, response/event lines and the line framer.
#include "store/protocol.h"

#include <doctest/doctest.h>

#include "store/framer.h"

using namespace ipseckit;
using namespace ipseckit::store;

namespace {

Result<Request> parse(std::string_view line) {
  auto j = parse_line(line);
  if (!j) return j.error();
  return parse_request(*j);
}

std::string error_of(std::string_view line) {
  auto r = parse(line);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == "bad_request");
  return r.error().message;
}

}  // namespace

TEST_CASE("requests parse into typed form") {
  auto h = parse(R"({"op":"hello","version":1,"id":"abc"})");
  REQUIRE(h);
  CHECK(h->op == Op::hello);
  CHECK(h->version == 1u);
  CHECK(h->id == "abc");

  auto p = parse(R"({"op":"put","key":"policy/a","value":{"x":[1,2]},"if_revision":0,"id":5})");
  REQUIRE(p);
  CHECK(p->op == Op::put);
  CHECK(p->key == "policy/a");
  CHECK(p->value["x"][1] == 2);
  CHECK(p->if_revision == 0u);
  CHECK(p->id == 5);

  auto nullv = parse(R"({"op":"put","key":"k","value":null})");
  REQUIRE(nullv);
  CHECK(nullv->value.is_null());

  auto l = parse(R"({"op":"list","prefix":"spd/","keys_only":true})");
  REQUIRE(l);
  CHECK(l->keys_only);
  auto all = parse(R"({"op":"list"})");
  REQUIRE(all);
  CHECK(all->prefix.empty());

  auto w = parse(R"({"op":"watch","prefix":"ike/","snapshot":true})");
  REQUIRE(w);
  CHECK(w->snapshot);

  auto t = parse(R"({"op":"txn","compare":[{"key":"a","revision":3}],
                     "ops":[{"op":"put","key":"a","value":1},{"op":"delete","key":"b"},
                            {"op":"delete_prefix","prefix":"c/"}]})");
  REQUIRE(t);
  REQUIRE(t->txn.compares.size() == 1);
  CHECK(t->txn.compares[0] == Compare{"a", 3});
  REQUIRE(t->txn.ops.size() == 3);
  CHECK(t->txn.ops[1] == TxnOp::del("b"));
  CHECK(t->txn.ops[2] == TxnOp::delete_prefix("c/"));

  auto lg = parse(R"({"op":"log","subsys":"ike","level":"4","message":"m"})");
  REQUIRE(lg);
  REQUIRE(lg->lines.size() == 1);
  CHECK(lg->lines[0].level == "private");
  CHECK_FALSE(lg->quiet);
  auto lb = parse(R"({"op":"log","quiet":true,"entries":[{"subsys":"ike","level":"diag","message":"a"},
                                                         {"subsys":"net","level":"0","message":"b"}]})");
  REQUIRE(lb);
  CHECK(lb->quiet);
  REQUIRE(lb->lines.size() == 2);
  CHECK(lb->lines[1].subsys == "net");
  CHECK(lb->lines[1].level == "audit");
  CHECK(lb->lines[1].message == "b");
  auto bad_entry = parse(R"({"op":"log","entries":[{"subsys":"ike","level":"diag","message":"a"},{"subsys":"ike","level":"loud","message":"b"}]})");
  REQUIRE_FALSE(bad_entry);
  CHECK(bad_entry.error().message.find("'entries[1].level'") != std::string::npos);
  CHECK_FALSE(parse(R"({"op":"log","entries":[]})"));
  CHECK_FALSE(parse(R"({"op":"log","entries":["x"]})"));
  CHECK_FALSE(parse(R"({"op":"get","key":"a","quiet":1})"));
  auto lr = parse(R"({"op":"log_read","since":10})");
  REQUIRE(lr);
  CHECK(lr->since == 10);
  CHECK(lr->limit == kDefaultLogReadLimit);
}

TEST_CASE("txn_to_json round-trips through the parser") {
  Txn t;
  t.compares = {{"policy/a", 0}, {"assigned", 9}};
  t.ops = {TxnOp::put("policy/a", {{"k", "v"}}), TxnOp::del("x"), TxnOp::delete_prefix("dynamic/")};
  auto r = parse_request(txn_to_json(t));
  REQUIRE(r);
  CHECK(r->txn.compares == t.compares);
  CHECK(r->txn.ops == t.ops);
}

TEST_CASE("malformed requests are refused with the offending field named") {
  CHECK(error_of("not json").find("invalid JSON") != std::string::npos);
  CHECK(error_of("[1,2]") == "a request must be a JSON object");
  CHECK(error_of("42") == "a request must be a JSON object");
  CHECK(error_of("\"\xff\xfe\"").find("invalid JSON") != std::string::npos);  // invalid UTF-8
  CHECK(error_of(R"({"op":"get","key":"\xc3("})").find("invalid JSON") != std::string::npos);
  CHECK(error_of(std::string(1000, '[') + std::string(1000, ']')).find("nested deeper") != std::string::npos);
  CHECK(error_of(R"({"key":"a"})") == "missing field 'op'");
  CHECK(error_of(R"({"op":7})") == "field 'op' must be a string");
  CHECK(error_of(R"({"op":"frobnicate"})") == "field 'op': unknown op 'frobnicate'");
  CHECK(error_of(R"({"op":"get"})") == "missing field 'key'");
  CHECK(error_of(R"({"op":"get","key":1})") == "field 'key' must be a string");
  CHECK(error_of(R"({"op":"put","key":"a"})") == "missing field 'value'");
  CHECK(error_of(R"({"op":"put","key":"a","value":1,"if_revision":-1})") ==
        "field 'if_revision' must be a non-negative integer");
  CHECK(error_of(R"({"op":"put","key":"a","value":1,"if_revision":1.5})") ==
        "field 'if_revision' must be a non-negative integer");
  CHECK(error_of(R"({"op":"list","keys_only":"yes"})") == "field 'keys_only' must be true or false");
  CHECK(error_of(R"({"op":"unwatch"})") == "missing field 'watch'");
  CHECK(error_of(R"({"op":"txn","ops":{}})") == "field 'ops' must be an array");
  CHECK(error_of(R"({"op":"txn","ops":[{"op":"put","key":"a"}]})") == "missing field 'ops[0].value'");
  CHECK(error_of(R"({"op":"txn","ops":[1]})") == "field 'ops[0]' must be an object");
  CHECK(error_of(R"({"op":"txn","ops":[{"op":"put","key":"a","value":1},{"op":"zap"}]})") ==
        "field 'ops[1].op' must be one of put, delete, delete_prefix");
  CHECK(error_of(R"({"op":"txn","compare":[{"key":"a"}]})") == "missing field 'compare[0].revision'");
  CHECK(error_of(R"({"op":"log","subsys":"ike","level":"loud","message":"m"})").find("'level'") != std::string::npos);
  CHECK(error_of(R"({"op":"get","key":"a","id":{"x":1}})") == "field 'id' must be a string, a number or null");
}

TEST_CASE("response and event lines put id/ok and watch/event first") {
  CHECK(response_line(7, true, Json{{"revision", 3}}) == "{\"id\":7,\"ok\":true,\"revision\":3}\n");
  CHECK(response_line(nullptr, true, Json::object()) == "{\"ok\":true}\n");
  CHECK(error_line("x", "not_found", "key 'a' not found") ==
        "{\"id\":\"x\",\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"key 'a' not found\"}}\n");
  Event put{Event::Kind::put, "spd/1", Json{{"a", 1}}, 9, false};
  CHECK(event_line(2, put) == "{\"watch\":2,\"event\":\"put\",\"key\":\"spd/1\",\"value\":{\"a\":1},\"revision\":9}\n");
  Event del{Event::Kind::del, "spd/1", nullptr, 10, true};
  CHECK(event_line(2, del) ==
        "{\"watch\":2,\"event\":\"delete\",\"key\":\"spd/1\",\"revision\":10,\"snapshot\":true}\n");
  // every line the agent writes is valid JSON that the client-side decoders accept
  auto ev = event_from_json(Json::parse(event_line(2, put)));
  REQUIRE(ev);
  CHECK(ev->value["a"] == 1);
  auto err = error_from_response(Json::parse(error_line(1, "conflict", "m")));
  CHECK(err.code == "conflict");
  // invalid UTF-8 from a C++ caller is replaced, not thrown
  CHECK_NOTHROW(to_line(Json(std::string("\xff"))));
}

TEST_CASE("the framer splits lines and refuses an overlong line as soon as it passes the limit") {
  LineFramer f(10);
  CHECK(f.append("abc\nde"));
  CHECK(f.next() == std::optional<std::string_view>("abc"));
  CHECK_FALSE(f.next());
  CHECK(f.append("f\n\n0123456789\n"));
  CHECK(f.next() == std::optional<std::string_view>("def"));
  CHECK(f.next() == std::optional<std::string_view>(""));
  CHECK(f.next() == std::optional<std::string_view>("0123456789"));
  CHECK_FALSE(f.next());
  CHECK(f.append("01234"));
  CHECK(f.partial() == "01234");
  CHECK_FALSE(f.append("567890"));  // 11 bytes without a newline
  CHECK(f.buffered() == 5);         // nothing of the refused chunk was kept

  LineFramer g(10);
  CHECK_FALSE(g.append("ok\n0123456789A\n"));  // a complete but overlong line
}

TEST_CASE("the framer never holds much more than the limit") {
  LineFramer f(1 << 20);
  std::string chunk(64 * 1024, 'a');
  int accepted = 0;
  while (f.append(chunk)) ++accepted;
  CHECK(accepted == 16);
  CHECK(f.buffered() <= (1u << 20));
}
