// Reader for the data-driven vector files in tests/vectors/ppp (format in its README.md):
// blocks of "key = value" lines separated by blank lines, '#' comments, "text" or hex values.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace ipseckit::testing {

class VectorCase {
 public:
  VectorCase(std::string file, int line, std::map<std::string, std::string> kv)
      : m_file(std::move(file)), m_line(line), m_kv(std::move(kv)) {}

  bool has(const std::string& key) const { return m_kv.count(key) != 0; }
  // A text value ("..."), without the quotes.
  std::string text(const std::string& key) const {
    const std::string& v = raw(key);
    REQUIRE_MESSAGE((v.size() >= 2 && v.front() == '"' && v.back() == '"'), where() << ": " << key << " is not text");
    return v.substr(1, v.size() - 2);
  }
  Bytes hex(const std::string& key) const {
    Bytes b;
    REQUIRE_MESSAGE(from_hex(raw(key), b), where() << ": " << key << " is not hex");
    return b;
  }
  // Fails the test when the case holds a key outside `known` (a typo would skip a check).
  void only(const std::set<std::string>& known) const {
    for (const auto& kv : m_kv) {
      const std::string& k = kv.first;  // not a structured binding: doctest captures it in a lambda
      CHECK_MESSAGE(known.count(k) == 1, where() << ": unknown key " << k);
    }
  }
  std::string where() const { return m_file + ":" + std::to_string(m_line); }

 private:
  const std::string& raw(const std::string& key) const {
    auto it = m_kv.find(key);
    REQUIRE_MESSAGE(it != m_kv.end(), where() << ": missing key " << key);
    return it->second;
  }
  std::string m_file;
  int m_line;
  std::map<std::string, std::string> m_kv;
};

inline std::vector<VectorCase> read_vectors(const std::string& name) {
  const std::string path = std::string(IPSECKIT_SOURCE_DIR) + "/tests/vectors/ppp/" + name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::vector<VectorCase> out;
  std::map<std::string, std::string> kv;
  int start = 0, lineno = 0;
  std::string line;
  auto flush = [&] {
    if (!kv.empty()) out.emplace_back(name, start, std::move(kv));
    kv.clear();
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const auto eq = line.find(" =");
    REQUIRE_MESSAGE(eq != std::string::npos, name << ":" << lineno << ": not \"key = value\"");
    if (kv.empty()) start = lineno;
    std::string value = line.substr(eq + 2);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    kv[line.substr(0, eq)] = value;
  }
  flush();
  REQUIRE_MESSAGE(!out.empty(), name << " holds no cases");
  return out;
}

}  // namespace ipseckit::testing
