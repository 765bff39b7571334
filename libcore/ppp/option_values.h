// Reading and writing Configuration Option values (big-endian integers, IPv4 addresses).
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "wire/ip_address.h"
#include "wire/ppp_cp.h"

namespace ipseckit::ppp {

inline std::optional<std::uint16_t> opt_u16(const wire::CpOption& o) {
  if (o.value.size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>((o.value[0] << 8) | o.value[1]);
}

inline std::optional<std::uint32_t> opt_u32(const wire::CpOption& o) {
  if (o.value.size() != 4) return std::nullopt;
  ByteReader r(o.value, "option");
  return r.u32be();
}

inline std::optional<wire::IpAddr> opt_addr(const wire::CpOption& o) {
  auto v = opt_u32(o);
  if (!v) return std::nullopt;
  return wire::IpAddr::v4(*v);
}

inline wire::CpOption make_u16(std::uint8_t type, std::uint16_t v) {
  return {type, Bytes{static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}};
}

inline wire::CpOption make_u32(std::uint8_t type, std::uint32_t v) {
  ByteWriter w;
  w.u32be(v);
  return {type, w.take()};
}

inline wire::CpOption make_addr(std::uint8_t type, const wire::IpAddr& a) { return make_u32(type, a.v4_value()); }

inline Bytes options_bytes(const std::vector<wire::CpOption>& opts) {
  auto r = wire::serialize_options(opts);
  return r ? std::move(r.value()) : Bytes{};
}

}  // namespace ipseckit::ppp
