// The one strict reader of JSON objects used by the policy JSON form (json.h) and the compiled
// SPD document (spd_json.h): typed field access that records which fields were read, so that
// finish() can refuse unknown ones, and errors that name the field's path ("policies[0].name").
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ipseckit::policy {

class JsonFields {
 public:
  using json = nlohmann::json;

  // error_code: Error::code of every error; all_required: every field must be present
  // (otherwise absent fields keep the caller's defaults).
  JsonFields(const json& j, std::string path, std::string error_code, bool all_required)
      : m_j(j), m_path(std::move(path)), m_code(std::move(error_code)), m_all_required(all_required) {}

  Error bad(const std::string& path, const std::string& why) const {
    return Error::make(m_code, fmt::format("{}: {}", path, why));
  }
  Status object() const {
    if (!m_j.is_object()) return bad(m_path, std::string("expected an object, found ") + m_j.type_name());
    return {};
  }
  std::string at(std::string_view key) const { return fmt::format("{}.{}", m_path, key); }
  const std::string& path() const { return m_path; }

  // The field; nullptr when it is absent and optional, an error when absent and required.
  Result<const json*> get(std::string_view key, bool required = false) {
    m_seen.insert(std::string(key));
    auto it = m_j.find(std::string(key));
    if (it == m_j.end()) {
      if (required || m_all_required) return bad(at(key), "missing");
      return static_cast<const json*>(nullptr);
    }
    return &*it;
  }
  Status str(std::string_view key, std::string& out, bool required = false) {
    auto v = get(key, required);
    if (!v) return v.error();
    if (!*v) return {};
    if (!(*v)->is_string()) return bad(at(key), std::string("expected a string, found ") + (*v)->type_name());
    out = (*v)->get<std::string>();
    return {};
  }
  Status boolean(std::string_view key, bool& out) {
    auto v = get(key);
    if (!v) return v.error();
    if (!*v) return {};
    if (!(*v)->is_boolean()) return bad(at(key), std::string("expected true or false, found ") + (*v)->type_name());
    out = (*v)->get<bool>();
    return {};
  }
  template <class T>
  Status uint(std::string_view key, T& out, std::uint64_t max) {
    auto v = get(key);
    if (!v) return v.error();
    if (!*v) return {};
    if (!(*v)->is_number_unsigned() && !((*v)->is_number_integer() && (*v)->get<std::int64_t>() >= 0))
      return bad(at(key), "expected a non-negative integer, found " + (*v)->dump());
    const auto n = (*v)->get<std::uint64_t>();
    if (n > max) return bad(at(key), fmt::format("{} is larger than {}", n, max));
    out = static_cast<T>(n);
    return {};
  }
  Status int64(std::string_view key, std::int64_t& out) {
    auto v = get(key);
    if (!v) return v.error();
    if (!*v) return {};
    if (!(*v)->is_number_integer()) return bad(at(key), "expected an integer, found " + (*v)->dump());
    out = (*v)->get<std::int64_t>();
    return {};
  }
  // An array field; nullptr when absent and optional.
  Result<const json*> array(std::string_view key) {
    auto v = get(key);
    if (!v || !*v) return v;
    if (!(*v)->is_array()) return bad(at(key), std::string("expected an array, found ") + (*v)->type_name());
    return v;
  }
  Status finish() const {
    for (auto it = m_j.begin(); it != m_j.end(); ++it)
      if (!m_seen.count(it.key())) return bad(at(it.key()), "unknown field");
    return {};
  }

 private:
  const json& m_j;
  std::string m_path;
  std::string m_code;
  bool m_all_required;
  std::set<std::string> m_seen;
};

inline std::string json_index(const std::string& path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

}  // namespace ipseckit::policy
