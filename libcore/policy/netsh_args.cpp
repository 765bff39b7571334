#include "policy/netsh_args.h"

#include <fmt/format.h>

#include <algorithm>

namespace ipseckit::policy {
namespace {

Error usage(std::string msg, int position) {
  return Error::make("usage", std::move(msg), 0, position);
}

std::string slot_names(std::span<const NetshTagSpec> specs, int slot) {
  std::string out;
  for (const auto& s : specs) {
    if (s.slot != slot) continue;
    if (!out.empty()) out += " or ";
    out += s.name;
  }
  return out;
}

}  // namespace

const NetshArg* NetshArgs::get(std::string_view tag) const {
  for (const auto& a : m_args)
    if (a.tag == tag) return &a;
  return nullptr;
}

std::vector<const NetshArg*> NetshArgs::all(std::string_view tag) const {
  std::vector<const NetshArg*> out;
  for (const auto& a : m_args)
    if (a.tag == tag) out.push_back(&a);
  return out;
}

Result<NetshArgs> bind_netsh_args(std::span<const NetshToken> words, std::span<const NetshTagSpec> specs) {
  std::vector<std::string_view> names;
  for (const auto& s : specs) names.push_back(s.name);
  std::vector<int> given(specs.size(), 0);  // per spec: how many times
  auto slot_filled = [&](int slot) {
    for (std::size_t i = 0; i < specs.size(); ++i)
      if (specs[i].slot == slot && given[i]) return true;
    return false;
  };

  std::vector<NetshArg> args;
  for (std::size_t w = 0; w < words.size(); ++w) {
    const auto& t = words[w];
    if (!t.tagged) continue;
    auto i = match_netsh_keyword(t.tag, names, "tag");
    if (!i) return usage(i.error().message, t.offset);
    const auto& spec = specs[*i];
    if (given[*i] && !spec.repeatable) return usage(fmt::format("tag '{}' is given twice", spec.name), t.offset);
    if (!given[*i] && slot_filled(spec.slot))
      return usage(fmt::format("give only one of {}", slot_names(specs, spec.slot)), t.offset);
    ++given[*i];
    args.push_back(NetshArg{spec.name, t.value, t.offset, static_cast<int>(w), true});
  }
  for (std::size_t w = 0; w < words.size(); ++w) {
    const auto& t = words[w];
    if (t.tagged) continue;
    std::size_t k = 0;
    while (k < specs.size() && (specs[k].repeatable || slot_filled(specs[k].slot))) ++k;
    if (k == specs.size())
      return usage(fmt::format("'{}': no parameter is left to take this value (use tag=value)", t.value), t.offset);
    ++given[k];
    args.push_back(NetshArg{specs[k].name, t.value, t.offset, static_cast<int>(w), false});
  }
  for (const auto& s : specs)
    if (s.required && !slot_filled(s.slot))
      return usage(fmt::format("the required parameter {} is missing", slot_names(specs, s.slot)), -1);
  std::sort(args.begin(), args.end(), [](const NetshArg& a, const NetshArg& b) { return a.order < b.order; });
  return NetshArgs(std::move(args));
}

}  // namespace ipseckit::policy
