// Request parsing: shape (JSON, object, nesting) first, then each op's fields by type.
#include <array>
#include <utility>

#include "base/log.h"
#include "base/strings.h"
#include "store/json_fast.h"
#include "store/protocol.h"

namespace ipseckit::store {
namespace {

constexpr std::array<std::pair<std::string_view, Op>, 10> kOps{{{"hello", Op::hello},
                                                                {"get", Op::get},
                                                                {"put", Op::put},
                                                                {"delete", Op::del},
                                                                {"list", Op::list},
                                                                {"watch", Op::watch},
                                                                {"unwatch", Op::unwatch},
                                                                {"txn", Op::txn},
                                                                {"log", Op::log},
                                                                {"log_read", Op::log_read}}};

Error bad(std::string msg) {
  return Error::make("bad_request", std::move(msg));
}

std::string fieldname(std::string_view field) {
  return "'" + std::string(field) + "'";
}

// Nesting depth outside strings; nlohmann's parser is iterative but dump() and comparisons
// recurse, so deep documents are refused before they are built.
Status check_depth(std::string_view line) {
  if (str::json_nesting_depth(line, kMaxJsonDepth) > kMaxJsonDepth)
    return bad("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  return {};
}

// Looks up an optional field; nullptr when absent (null counts as absent).
const Json* find(const Json& obj, std::string_view name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// path() names the field in an error; it is built only for one.
template <class PathFn>
Result<std::string> get_string_at(const Json& obj, std::string_view name, const PathFn& path, bool required) {
  const Json* v = find(obj, name);
  if (!v) {
    if (required) return bad("missing field " + fieldname(path()));
    return std::string();
  }
  if (!v->is_string()) return bad("field " + fieldname(path()) + " must be a string");
  return v->get<std::string>();
}

Result<std::string> get_string(const Json& obj, std::string_view name, std::string_view path, bool required) {
  return get_string_at(obj, name, [path] { return path; }, required);
}

Result<std::optional<std::uint64_t>> get_uint(const Json& obj, std::string_view name, std::string_view path) {
  const Json* v = find(obj, name);
  if (!v) return std::optional<std::uint64_t>();
  if (v->is_number_unsigned()) return std::optional<std::uint64_t>(v->get<std::uint64_t>());
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0)
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(v->get<std::int64_t>()));
  return bad("field " + fieldname(path) + " must be a non-negative integer");
}

Result<std::uint64_t> need_uint(const Json& obj, std::string_view name, std::string_view path) {
  auto v = get_uint(obj, name, path);
  if (!v) return v.error();
  if (!v.value()) return bad("missing field " + fieldname(path));
  return **v;
}

Result<bool> get_bool(const Json& obj, std::string_view name) {
  const Json* v = find(obj, name);
  if (!v) return false;
  if (!v->is_boolean()) return bad("field " + fieldname(name) + " must be true or false");
  return v->get<bool>();
}

const Json* get_array(const Json& obj, std::string_view name, Error& err) {
  const Json* v = find(obj, name);
  if (v && !v->is_array()) err = bad("field " + fieldname(name) + " must be an array");
  return v;
}

std::string at(std::string_view base, std::size_t i, std::string_view name) {
  return std::string(base) + "[" + std::to_string(i) + "]." + std::string(name);
}

Status parse_txn(Json& obj, Txn& t) {
  Error err;
  const Json* cmp = get_array(obj, "compare", err);
  if (!err.code.empty()) return err;
  Json* ops = get_array(obj, "ops", err) ? &obj["ops"] : nullptr;  // obj is ours: values are moved out
  if (!err.code.empty()) return err;
  if (cmp) {
    for (std::size_t i = 0; i < cmp->size(); ++i) {
      const Json& c = (*cmp)[i];
      if (!c.is_object()) return bad("field " + fieldname("compare[" + std::to_string(i) + "]") + " must be an object");
      auto key = get_string(c, "key", at("compare", i, "key"), true);
      if (!key) return key.error();
      auto rev = need_uint(c, "revision", at("compare", i, "revision"));
      if (!rev) return rev.error();
      t.compares.push_back(Compare{std::move(key.value()), *rev});
    }
  }
  if (ops) {
    for (std::size_t i = 0; i < ops->size(); ++i) {
      Json& o = (*ops)[i];
      if (!o.is_object()) return bad("field " + fieldname("ops[" + std::to_string(i) + "]") + " must be an object");
      auto path = [i](std::string_view f) { return [i, f] { return at("ops", i, f); }; };
      auto kind = get_string_at(o, "op", path("op"), true);
      if (!kind) return kind.error();
      if (*kind == "put") {
        auto key = get_string_at(o, "key", path("key"), true);
        if (!key) return key.error();
        auto v = o.find("value");
        if (v == o.end()) return bad("missing field " + fieldname(at("ops", i, "value")));
        t.ops.push_back(TxnOp::put(std::move(key.value()), std::move(*v)));
      } else if (*kind == "delete") {
        auto key = get_string_at(o, "key", path("key"), true);
        if (!key) return key.error();
        t.ops.push_back(TxnOp::del(std::move(key.value())));
      } else if (*kind == "delete_prefix") {
        auto prefix = get_string_at(o, "prefix", path("prefix"), true);
        if (!prefix) return prefix.error();
        t.ops.push_back(TxnOp::delete_prefix(std::move(prefix.value())));
      } else {
        return bad("field " + fieldname(at("ops", i, "op")) + " must be one of put, delete, delete_prefix");
      }
    }
  }
  return {};
}

// One log line: subsys, level and message, at path (empty for the request itself).
// path: the prefix of the line's field names ("" or "entries[N]."), built only for an error.
template <class PathFn>
Result<LogLine> parse_log_line(const Json& obj, const PathFn& path) {
  auto field = [&path](std::string_view f) { return [&path, f] { return path() + std::string(f); }; };
  auto subsys = get_string_at(obj, "subsys", field("subsys"), true);
  if (!subsys) return subsys.error();
  auto level = get_string_at(obj, "level", field("level"), true);
  if (!level) return level.error();
  auto message = get_string_at(obj, "message", field("message"), true);
  if (!message) return message.error();
  log::Level lv{};
  if (!log::parse_level(*level, lv))
    return bad("field " + fieldname(field("level")()) + " must be one of audit, control, diag, raw, private");
  return LogLine{std::move(subsys.value()), std::string(log::name(lv)), std::move(message.value())};
}

Status parse_fields(Json& obj, Request& r) {
  switch (r.op) {
    case Op::hello: {
      auto v = get_uint(obj, "version", "version");
      if (!v) return v.error();
      r.version = *v;
      return {};
    }
    case Op::get:
    case Op::put:
    case Op::del: {
      auto key = get_string(obj, "key", "key", true);
      if (!key) return key.error();
      r.key = std::move(key.value());
      if (r.op == Op::get) return {};
      auto ifr = get_uint(obj, "if_revision", "if_revision");
      if (!ifr) return ifr.error();
      r.if_revision = *ifr;
      if (r.op == Op::put) {
        auto v = obj.find("value");
        if (v == obj.end()) return bad("missing field 'value'");
        r.value = std::move(*v);
      }
      return {};
    }
    case Op::list:
    case Op::watch: {
      auto prefix = get_string(obj, "prefix", "prefix", false);
      if (!prefix) return prefix.error();
      r.prefix = std::move(prefix.value());
      auto flag = get_bool(obj, r.op == Op::list ? "keys_only" : "snapshot");
      if (!flag) return flag.error();
      (r.op == Op::list ? r.keys_only : r.snapshot) = *flag;
      return {};
    }
    case Op::unwatch: {
      auto w = need_uint(obj, "watch", "watch");
      if (!w) return w.error();
      r.watch = *w;
      return {};
    }
    case Op::txn:
      return parse_txn(obj, r.txn);
    case Op::log: {
      // Either one line (subsys, level, message) or several: "entries":[{subsys, level, message}, ...].
      Error err;
      const Json* entries = get_array(obj, "entries", err);
      if (!err.code.empty()) return err;
      if (!entries) {
        auto line = parse_log_line(obj, [] { return std::string(); });
        if (!line) return line.error();
        r.lines.push_back(std::move(line.value()));
        return {};
      }
      if (entries->empty()) return bad("field 'entries' must not be empty");
      r.lines.reserve(entries->size());
      for (std::size_t i = 0; i < entries->size(); ++i) {
        auto path = [i] { return "entries[" + std::to_string(i) + "]."; };
        if (!(*entries)[i].is_object())
          return bad("field " + fieldname("entries[" + std::to_string(i) + "]") + " must be an object");
        auto line = parse_log_line((*entries)[i], path);
        if (!line) return line.error();
        r.lines.push_back(std::move(line.value()));
      }
      return {};
    }
    case Op::log_read: {
      auto since = get_uint(obj, "since", "since");
      if (!since) return since.error();
      auto limit = get_uint(obj, "limit", "limit");
      if (!limit) return limit.error();
      r.since = since->value_or(0);
      r.limit =
          static_cast<std::size_t>(std::min<std::uint64_t>(limit->value_or(kDefaultLogReadLimit), kMaxLogReadLimit));
      return {};
    }
  }
  return {};
}

}  // namespace

std::string_view op_name(Op op) {
  for (const auto& [name, o] : kOps)
    if (o == op) return name;
  return "?";
}

Result<Json> parse_line(std::string_view line) {
  // Most requests take the fast reader; the rest (and every invalid one) the full parser.
  if (auto fast = parse_object_fast(line, kMaxJsonDepth)) return std::move(*fast);
  IPSECKIT_TRY(check_depth(line));
  Json j;
  try {
    j = Json::parse(line.begin(), line.end());
  } catch (const Json::exception& e) {
    std::string what = e.what();
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    return bad("invalid JSON: " + what);
  }
  if (!j.is_object()) return bad("a request must be a JSON object");
  return j;
}

Json request_id(const Json& obj) {
  auto it = obj.find("id");
  if (it == obj.end() || it->is_object() || it->is_array()) return nullptr;
  return *it;
}

Result<Request> parse_request(Json obj) {
  Request r;
  r.id = request_id(obj);
  if (auto it = obj.find("id"); it != obj.end() && (it->is_object() || it->is_array()))
    return bad("field 'id' must be a string, a number or null");
  auto op = get_string(obj, "op", "op", true);
  if (!op) return op.error();
  bool known = false;
  for (const auto& [name, o] : kOps) {
    if (name == *op) {
      r.op = o;
      known = true;
    }
  }
  if (!known) {
    std::string shown = op->size() > 40 ? op->substr(0, 40) + "..." : *op;
    return bad("field 'op': unknown op '" + shown + "'");
  }
  auto quiet = get_bool(obj, "quiet");
  if (!quiet) return quiet.error();
  r.quiet = *quiet;
  IPSECKIT_TRY(parse_fields(obj, r));
  return r;
}

}  // namespace ipseckit::store
