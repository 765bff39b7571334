// A read-only view of the store's current state, handed to derivers (see Engine::add_deriver).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.h"

namespace ipseckit::store {

// What the engine keeps per key.
struct Slot {
  Json value;
  std::uint64_t revision = 0;
};
using KvMap = std::map<std::string, Slot, std::less<>>;

class ReadView {
 public:
  ReadView(const KvMap& map, std::uint64_t revision) : m_map(map), m_revision(revision) {}

  std::optional<Entry> get(std::string_view key) const;
  // Entries whose key starts with prefix, sorted by key.
  std::vector<Entry> list(std::string_view prefix) const;
  // Calls fn for each entry under prefix, in key order, without copying values.
  void for_each(std::string_view prefix, const std::function<void(const std::string& key, const Slot& slot)>& fn) const;
  std::uint64_t revision() const { return m_revision; }

 private:
  const KvMap& m_map;
  std::uint64_t m_revision;
};

}  // namespace ipseckit::store
