// Shared machinery for the ISAKMP/IKEv1 registries (STYLE.md #6): every IANA registry is an
// `enum class` with a constexpr name table; `to_string()` and the fmt formatter print a
// registered value by name and anything else as "<unknown:N>".
//
// The ISAKMP codecs live in ipseckit::wire::isakmp so that their short RFC names (Header,
// ProtocolId, NotifyType, ...) cannot collide with the ESP, L2TP and PPP codecs that share
// ipseckit::wire.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

namespace ipseckit::wire::isakmp {

template <class E>
struct Named {
  E value;
  std::string_view name;
};

// Specialised next to each registry: `static constexpr const auto& table = kSomething;`
template <class E>
struct EnumTable;

template <class E>
concept RegistryEnum = std::is_enum_v<E> && requires { EnumTable<E>::table; };

template <class E>
constexpr auto raw(E e) {
  return static_cast<std::underlying_type_t<E>>(e);
}

// The registered name, or an empty view for a value the registry does not know.
template <RegistryEnum E>
constexpr std::string_view known_name(E e) {
  for (const auto& n : EnumTable<E>::table)
    if (n.value == e) return n.name;
  return {};
}

template <RegistryEnum E>
constexpr bool is_known(E e) {
  return !known_name(e).empty();
}

inline std::string unknown_name(std::uint64_t v) { return "<unknown:" + std::to_string(v) + ">"; }

template <RegistryEnum E>
std::string to_string(E e) {
  const std::string_view n = known_name(e);
  if (!n.empty()) return std::string(n);
  return unknown_name(static_cast<std::uint64_t>(raw(e)));
}

}  // namespace ipseckit::wire::isakmp

template <ipseckit::wire::isakmp::RegistryEnum E>
struct fmt::formatter<E> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(E e, Ctx& ctx) const {
    const std::string s = ipseckit::wire::isakmp::to_string(e);
    return fmt::formatter<std::string_view>::format(std::string_view(s), ctx);
  }
};
