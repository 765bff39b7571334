#include "wire/isakmp_id.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {
namespace {

std::size_t address_size(IdType t) {
  switch (t) {
    case IdType::ipv4_addr: return 4;
    case IdType::ipv4_subnet:
    case IdType::ipv4_range: return 8;
    case IdType::ipv6_addr: return 16;
    case IdType::ipv6_subnet:
    case IdType::ipv6_range: return 32;
    default: return 0;
  }
}

bool is_v6(IdType t) { return t == IdType::ipv6_addr || t == IdType::ipv6_subnet || t == IdType::ipv6_range; }

IpAddr addr_at(ByteView data, std::size_t off, bool v6) {
  if (!v6)
    return IpAddr::v4((std::uint32_t{data[off]} << 24) | (std::uint32_t{data[off + 1]} << 16) |
                      (std::uint32_t{data[off + 2]} << 8) | data[off + 3]);
  std::array<std::uint8_t, 16> b{};
  std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(off), 16, b.begin());
  return IpAddr::v6(b);
}

void put_addr(Bytes& out, const IpAddr& a) {
  const auto& b = a.bytes();
  out.insert(out.end(), b.begin(), b.begin() + (a.is_v4() ? 4 : 16));
}

// Prefix length of a contiguous mask (all ones then all zeros), or -1.
int mask_len(ByteView mask) {
  int len = 0;
  bool zeros = false;
  for (const std::uint8_t b : mask) {
    for (int bit = 7; bit >= 0; --bit) {
      const bool one = (b >> bit) & 1;
      if (one && zeros) return -1;
      if (one) ++len;
      else zeros = true;
    }
  }
  return len;
}

std::string proto_port(std::uint8_t protocol, std::uint16_t port) {
  if (protocol == 0 && port == 0) return {};
  std::string p;
  switch (protocol) {
    case 0: p = "any"; break;
    case 1: p = "icmp"; break;
    case 6: p = "tcp"; break;
    case 17: p = "udp"; break;
    default: p = std::to_string(protocol);
  }
  return port ? fmt::format(" {}/{}", p, port) : " " + p;
}

}  // namespace

IdPayload IdPayload::address(const IpAddr& a, std::uint8_t protocol, std::uint16_t port) {
  IdPayload id;
  id.type = a.is_v4() ? IdType::ipv4_addr : IdType::ipv6_addr;
  id.protocol = protocol;
  id.port = port;
  put_addr(id.data, a);
  return id;
}

IdPayload IdPayload::subnet(const IpPrefix& p, std::uint8_t protocol, std::uint16_t port) {
  IdPayload id;
  id.type = p.addr.is_v4() ? IdType::ipv4_subnet : IdType::ipv6_subnet;
  id.protocol = protocol;
  id.port = port;
  put_addr(id.data, p.addr.masked(p.len));
  std::array<std::uint8_t, 16> m{};
  for (unsigned i = 0; i < p.len; ++i) m[i / 8] = static_cast<std::uint8_t>(m[i / 8] | (0x80u >> (i % 8)));
  id.data.insert(id.data.end(), m.begin(), m.begin() + (p.addr.is_v4() ? 4 : 16));
  return id;
}

IdPayload IdPayload::range(const IpAddr& first, const IpAddr& last, std::uint8_t protocol, std::uint16_t port) {
  IdPayload id;
  id.type = first.is_v4() ? IdType::ipv4_range : IdType::ipv6_range;
  id.protocol = protocol;
  id.port = port;
  put_addr(id.data, first);
  put_addr(id.data, last);
  return id;
}

IdPayload IdPayload::fqdn(std::string_view name) {
  IdPayload id;
  id.type = IdType::fqdn;
  id.data.assign(name.begin(), name.end());
  return id;
}

IdPayload IdPayload::user_fqdn(std::string_view name) {
  IdPayload id = fqdn(name);
  id.type = IdType::user_fqdn;
  return id;
}

IdPayload IdPayload::der_dn(ByteView der) {
  IdPayload id;
  id.type = IdType::der_asn1_dn;
  id.data.assign(der.begin(), der.end());
  return id;
}

std::optional<IpAddr> IdPayload::as_address() const {
  if ((type != IdType::ipv4_addr && type != IdType::ipv6_addr) || data.size() != address_size(type))
    return std::nullopt;
  return addr_at(data, 0, is_v6(type));
}

std::optional<IpPrefix> IdPayload::as_subnet() const {
  if (auto a = as_address()) return IpPrefix::host(*a);
  if ((type != IdType::ipv4_subnet && type != IdType::ipv6_subnet) || data.size() != address_size(type))
    return std::nullopt;
  const std::size_t half = data.size() / 2;
  const int len = mask_len(ByteView(data).subspan(half));
  if (len < 0) return std::nullopt;
  const IpAddr a = addr_at(data, 0, is_v6(type));
  return IpPrefix{a.masked(static_cast<unsigned>(len)), static_cast<std::uint8_t>(len)};
}

std::optional<std::pair<IpAddr, IpAddr>> IdPayload::as_range() const {
  if ((type != IdType::ipv4_range && type != IdType::ipv6_range) || data.size() != address_size(type))
    return std::nullopt;
  const bool v6 = is_v6(type);
  return std::make_pair(addr_at(data, 0, v6), addr_at(data, data.size() / 2, v6));
}

std::optional<std::string_view> IdPayload::as_text() const {
  if (type != IdType::fqdn && type != IdType::user_fqdn) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT: bytes as text
}

std::string IdPayload::str() const {
  const std::string pp = proto_port(protocol, port);
  if (auto a = as_address()) return fmt::format("{} {}{}", type, a->str(), pp);
  if (auto s = as_subnet()) return fmt::format("{} {}{}", type, s->str(), pp);
  if (auto r = as_range()) return fmt::format("{} {}-{}{}", type, r->first.str(), r->second.str(), pp);
  if (auto t = as_text()) {
    std::string clean;
    for (const char c : *t) clean.push_back(c >= 0x20 && c < 0x7F ? c : '?');
    return fmt::format("{} {}{}", type, clean, pp);
  }
  return fmt::format("{} ({} bytes){}", type, data.size(), pp);
}

Result<IdPayload> parse_id(ByteView body) {
  ByteReader r(body, "ID payload");
  IdPayload id;
  id.type = static_cast<IdType>(r.u8());
  id.protocol = r.u8();
  id.port = r.u16be();
  if (!r.ok()) return malformed("ID payload: shorter than 4 bytes");
  const ByteView data = r.rest();
  id.data.assign(data.begin(), data.end());
  const std::size_t want = address_size(id.type);
  if (want != 0 && data.size() != want)
    return isakmp_error(NotifyType::invalid_id_information,
                        fmt::format("ID payload: {} with {} bytes of data (needs {})", id.type, data.size(), want));
  if ((id.type == IdType::ipv4_subnet || id.type == IdType::ipv6_subnet) && !id.as_subnet())
    return isakmp_error(NotifyType::invalid_id_information, fmt::format("ID payload: {} with a non-contiguous mask", id.type));
  return id;
}

void write_id(ByteWriter& w, const IdPayload& id) {
  w.u8(raw(id.type));
  w.u8(id.protocol);
  w.u16be(id.port);
  w.bytes(id.data);
}

}  // namespace ipseckit::wire::isakmp
