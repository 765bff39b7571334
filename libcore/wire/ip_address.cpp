#include "wire/ip_address.h"

#include <arpa/inet.h>

#include <string>

#include "base/strings.h"

namespace ipseckit::wire {

IpAddr IpAddr::v4(std::uint32_t v) {
  IpAddr a;
  a.m_b[0] = static_cast<std::uint8_t>(v >> 24);
  a.m_b[1] = static_cast<std::uint8_t>(v >> 16);
  a.m_b[2] = static_cast<std::uint8_t>(v >> 8);
  a.m_b[3] = static_cast<std::uint8_t>(v);
  return a;
}

IpAddr IpAddr::v6(const std::array<std::uint8_t, 16>& b) {
  IpAddr a;
  a.m_b = b;
  a.m_v6 = true;
  return a;
}

std::uint32_t IpAddr::v4_value() const {
  if (m_v6) return 0;
  return (std::uint32_t{m_b[0]} << 24) | (std::uint32_t{m_b[1]} << 16) | (std::uint32_t{m_b[2]} << 8) | m_b[3];
}

bool IpAddr::is_unspecified() const {
  for (auto b : m_b)
    if (b) return false;
  return true;
}

std::optional<IpAddr> IpAddr::parse_v4(std::string_view s) {
  auto parts = str::split(s, ".");
  if (parts.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (auto p : parts) {
    if (p.size() > 3) return std::nullopt;
    auto n = str::parse_uint(p, 255);
    if (!n) return std::nullopt;
    v = (v << 8) | static_cast<std::uint32_t>(*n);
  }
  return v4(v);
}

std::optional<IpAddr> IpAddr::parse(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return parse_v4(s);
  if (s.size() > 45) return std::nullopt;
  std::string z(s);
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET6, z.c_str(), b.data()) != 1) return std::nullopt;
  return v6(b);
}

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!m_v6) {
    return std::to_string(m_b[0]) + "." + std::to_string(m_b[1]) + "." + std::to_string(m_b[2]) + "." +
           std::to_string(m_b[3]);
  }
  inet_ntop(AF_INET6, m_b.data(), buf, sizeof buf);
  return buf;
}

IpAddr IpAddr::masked(unsigned len) const {
  IpAddr r = *this;
  unsigned width = static_cast<unsigned>(bit_width());
  for (unsigned i = 0; i < 16; ++i) {
    unsigned lo = i * 8;
    if (lo >= width) {
      r.m_b[i] = 0;
    } else if (lo + 8 <= len) {
      continue;
    } else if (lo >= len) {
      r.m_b[i] = 0;
    } else {
      r.m_b[i] = static_cast<std::uint8_t>(r.m_b[i] & (0xFF << (8 - (len - lo))));
    }
  }
  return r;
}

std::optional<std::uint8_t> mask_to_len(std::uint32_t mask) {
  std::uint8_t len = 0;
  while (len < 32 && (mask & (0x80000000u >> len))) ++len;
  if (len < 32 && (mask << len) != 0) return std::nullopt;  // a one after a zero
  return len;
}

std::uint32_t len_to_mask(unsigned len) { return len == 0 ? 0 : len >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> len); }

std::string mask_str(unsigned len) { return IpAddr::v4(len_to_mask(len)).str(); }

std::optional<IpPrefix> IpPrefix::parse(std::string_view s) {
  auto slash = s.find('/');
  auto a = IpAddr::parse(s.substr(0, slash));
  if (!a) return std::nullopt;
  unsigned len = static_cast<unsigned>(a->bit_width());
  if (slash != std::string_view::npos) {
    auto rest = s.substr(slash + 1);
    if (a->is_v4() && rest.find('.') != std::string_view::npos) {
      auto m = IpAddr::parse_v4(rest);
      if (!m) return std::nullopt;
      auto l = mask_to_len(m->v4_value());
      if (!l) return std::nullopt;
      len = *l;
    } else {
      auto n = str::parse_uint(rest, a->bit_width());
      if (!n) return std::nullopt;
      len = static_cast<unsigned>(*n);
    }
  }
  return IpPrefix{a->masked(len), static_cast<std::uint8_t>(len)};
}

bool IpPrefix::contains(const IpAddr& a) const {
  if (a.is_v6() != addr.is_v6()) return false;
  return a.masked(len) == addr;
}

std::string IpPrefix::str() const { return addr.str() + "/" + std::to_string(len); }

}  // namespace ipseckit::wire
