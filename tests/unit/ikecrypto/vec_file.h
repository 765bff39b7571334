// Reader for the IKE vector files (tests/vectors/ike/README.md): "[case]" sections of
// "key = value" lines, keys may repeat.
#pragma once

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace ipseckit::test {

struct VecCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;

  bool has(const std::string& key) const {
    for (const auto& [k, v] : entries)
      if (k == key) return true;
    return false;
  }
  std::string text(const std::string& key) const {
    for (const auto& [k, v] : entries)
      if (k == key) return v;
    throw std::runtime_error(name + ": no '" + key + "'");
  }
  Bytes bytes(const std::string& key) const {
    Bytes b;
    if (!from_hex(text(key), b)) throw std::runtime_error(name + ": '" + key + "' is not hex");
    return b;
  }
  std::vector<std::string> all(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : entries)
      if (k == key) out.push_back(v);
    return out;
  }
};

inline std::vector<VecCase> read_vec_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<VecCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      cases.push_back(VecCase{line.substr(1, line.find(']') - 1), {}});
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq == std::string::npos || cases.empty()) throw std::runtime_error(path + ": bad line: " + line);
    cases.back().entries.emplace_back(line.substr(0, eq), line.substr(eq + 3));
  }
  return cases;
}

inline std::string ike_vector_path(const char* file) {
  return std::string(IPSECKIT_SOURCE_DIR) + "/tests/vectors/ike/" + file;
}

inline Bytes hex_bytes(const std::string& s) {
  Bytes b;
  if (!from_hex(s, b)) throw std::runtime_error("bad hex: " + s);
  return b;
}

}  // namespace ipseckit::test
