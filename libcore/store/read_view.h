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

// What the engine keeps per key. The value is kept as its canonical JSON text, the bytes
// to_text() (protocol.h) writes for it: what every answer, event and SQLite row carries, so
// it is written once per put and never re-serialised; the rare readers that need a tree
// (derivers, Engine::get) parse it.
struct Slot {
  std::string text;
  std::uint64_t revision = 0;

  Slot() = default;
  // From a tree (dumped with to_text()), for tools and tests that build a map by hand.
  Slot(const Json& value, std::uint64_t rev);
  static Slot of_text(std::string canonical_text, std::uint64_t rev) {
    Slot s;
    s.text = std::move(canonical_text);
    s.revision = rev;
    return s;
  }
  Json value() const;  // the text parsed
};
using KvMap = std::map<std::string, Slot, std::less<>>;

class ReadView {
 public:
  ReadView(const KvMap& map, std::uint64_t revision) : m_map(map), m_revision(revision) {}

  // get() and list() parse the stored text into the Entry's tree.
  std::optional<Entry> get(std::string_view key) const;
  // Entries whose key starts with prefix, sorted by key.
  std::vector<Entry> list(std::string_view prefix) const;
  // The key's slot (text, revision) without a tree, or nullptr.
  const Slot* find(std::string_view key) const;
  // Calls fn for each entry under prefix, in key order, without copying values.
  void for_each(std::string_view prefix, const std::function<void(const std::string& key, const Slot& slot)>& fn) const;
  std::uint64_t revision() const { return m_revision; }

 private:
  const KvMap& m_map;
  std::uint64_t m_revision;
};

}  // namespace ipseckit::store
