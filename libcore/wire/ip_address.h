// IPv4/IPv6 addresses and prefixes, as used by filters, the SPD and every codec.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipseckit::wire {

class IpAddr {
 public:
  IpAddr() = default;  // 0.0.0.0
  static IpAddr v4(std::uint32_t host_order);
  static IpAddr v6(const std::array<std::uint8_t, 16>& b);
  // Strict dotted quad ("a.b.c.d", each 0..255, no leading '+', no missing octets) or IPv6 text.
  static std::optional<IpAddr> parse(std::string_view s);
  static std::optional<IpAddr> parse_v4(std::string_view s);

  bool is_v4() const { return !m_v6; }
  bool is_v6() const { return m_v6; }
  std::uint32_t v4_value() const;  // host order; 0 for IPv6
  const std::array<std::uint8_t, 16>& bytes() const { return m_b; }  // v4 in the first 4 bytes
  std::size_t bit_width() const { return m_v6 ? 128 : 32; }
  bool is_unspecified() const;
  std::string str() const;

  // Keeps the first len bits, zeroes the rest.
  IpAddr masked(unsigned len) const;
  bool bit(unsigned i) const { return (m_b[i / 8] >> (7 - i % 8)) & 1; }

  friend bool operator==(const IpAddr&, const IpAddr&) = default;
  friend auto operator<=>(const IpAddr&, const IpAddr&) = default;

 private:
  std::array<std::uint8_t, 16> m_b{};
  bool m_v6 = false;
};

struct IpPrefix {
  IpAddr addr;          // network address (host bits zero)
  std::uint8_t len = 0; // 0..32 or 0..128

  static IpPrefix host(const IpAddr& a) { return {a, static_cast<std::uint8_t>(a.bit_width())}; }
  static IpPrefix any_v4() { return {IpAddr::v4(0), 0}; }
  // "a.b.c.d/len", "a.b.c.d/m.m.m.m", "a.b.c.d" (host), IPv6 "x::/len".
  static std::optional<IpPrefix> parse(std::string_view s);
  bool contains(const IpAddr& a) const;
  bool contains(const IpPrefix& p) const { return p.len >= len && contains(p.addr); }
  bool is_host() const { return len == addr.bit_width(); }
  std::string str() const;  // always "addr/len"
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
  friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;
};

// Dotted mask <-> prefix length. Non-contiguous masks are rejected (nullopt).
std::optional<std::uint8_t> mask_to_len(std::uint32_t mask_host_order);
std::uint32_t len_to_mask(unsigned len);
std::string mask_str(unsigned len);  // "255.255.255.0"

}  // namespace ipseckit::wire
