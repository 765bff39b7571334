#include "store/read_view.h"

#include "store/keys.h"
#include "store/protocol.h"

namespace ipseckit::store {

Slot::Slot(const Json& value, std::uint64_t rev) : text(to_text(value)), revision(rev) {}

Json Slot::value() const {
  return Json::parse(text);
}

std::optional<Entry> ReadView::get(std::string_view key) const {
  const Slot* s = find(key);
  if (!s) return std::nullopt;
  return Entry{std::string(key), s->value(), s->revision};
}

const Slot* ReadView::find(std::string_view key) const {
  auto it = m_map.find(key);
  return it == m_map.end() ? nullptr : &it->second;
}

std::vector<Entry> ReadView::list(std::string_view prefix) const {
  std::vector<Entry> out;
  for_each(prefix, [&](const std::string& k, const Slot& s) { out.push_back(Entry{k, s.value(), s.revision}); });
  return out;
}

void ReadView::for_each(std::string_view prefix,
                        const std::function<void(const std::string& key, const Slot& slot)>& fn) const {
  for (auto it = m_map.lower_bound(prefix); it != m_map.end() && has_prefix(it->first, prefix); ++it)
    fn(it->first, it->second);
}

}  // namespace ipseckit::store
