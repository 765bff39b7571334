#include "store/read_view.h"

#include "store/keys.h"

namespace ipseckit::store {

std::optional<Entry> ReadView::get(std::string_view key) const {
  auto it = m_map.find(key);
  if (it == m_map.end()) return std::nullopt;
  return Entry{it->first, it->second.value, it->second.revision};
}

std::vector<Entry> ReadView::list(std::string_view prefix) const {
  std::vector<Entry> out;
  for_each(prefix, [&](const std::string& k, const Slot& s) { out.push_back(Entry{k, s.value, s.revision}); });
  return out;
}

void ReadView::for_each(std::string_view prefix,
                        const std::function<void(const std::string& key, const Slot& slot)>& fn) const {
  for (auto it = m_map.lower_bound(prefix); it != m_map.end() && has_prefix(it->first, prefix); ++it)
    fn(it->first, it->second);
}

}  // namespace ipseckit::store
