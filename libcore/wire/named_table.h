// Name tables for the L2TP and PPP registries (l2tp_types.cpp, ppp_cp.cpp): a registered value
// prints by its name, anything else as "<unknown:N>" (the ISAKMP registries have their own,
// isakmp_enum.h).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace ipseckit::wire::names {

template <class E>
struct Named {
  E value;
  std::string_view text;
};

template <class E, std::size_t N>
std::string lookup(const std::array<Named<E>, N>& table, E v) {
  for (const auto& n : table)
    if (n.value == v) return std::string(n.text);
  return "<unknown:" + std::to_string(static_cast<unsigned>(v)) + ">";
}

template <class E, std::size_t N>
bool known(const std::array<Named<E>, N>& table, E v) {
  for (const auto& n : table)
    if (n.value == v) return true;
  return false;
}

}  // namespace ipseckit::wire::names
