#include "wire/isakmp_attribute.h"

#include <limits>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {

DataAttribute DataAttribute::basic(std::uint16_t type, std::uint16_t v) {
  DataAttribute a;
  a.type = type;
  a.tv = true;
  a.short_value = v;
  return a;
}

DataAttribute DataAttribute::variable(std::uint16_t type, Bytes v) {
  DataAttribute a;
  a.type = type;
  a.tv = false;
  a.value = std::move(v);
  return a;
}

DataAttribute DataAttribute::number(std::uint16_t type, std::uint64_t v) {
  if (v <= 0xFFFF) return basic(type, static_cast<std::uint16_t>(v));
  ByteWriter w;
  if (v <= 0xFFFFFFFFu) w.u32be(static_cast<std::uint32_t>(v));
  else w.u64be(v);
  return variable(type, w.take());
}

std::optional<std::uint64_t> DataAttribute::as_number() const {
  if (tv) return short_value;
  if (value.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (const std::uint8_t b : value) {
    if (v > (std::numeric_limits<std::uint64_t>::max() >> 8)) return std::numeric_limits<std::uint64_t>::max();
    v = (v << 8) | b;
  }
  return v;
}

Result<std::vector<DataAttribute>> parse_attributes(ByteView data) {
  std::vector<DataAttribute> out;
  ByteReader r(data, "data attributes");
  while (!r.done()) {
    const std::size_t at = r.position();
    const std::uint16_t t = r.u16be();
    const std::uint16_t v = r.u16be();
    if (!r.ok()) return malformed(fmt::format("data attribute at offset {}: truncated", at));
    DataAttribute a;
    a.type = static_cast<std::uint16_t>(t & 0x7FFF);
    a.tv = (t & 0x8000) != 0;
    if (a.tv) {
      a.short_value = v;
    } else {
      const ByteView val = r.bytes(v);
      if (!r.ok())
        return malformed(fmt::format("data attribute {} at offset {}: length {} runs past the end", a.type, at, v));
      a.value.assign(val.begin(), val.end());
    }
    out.push_back(std::move(a));
  }
  return out;
}

Status write_attributes(ByteWriter& w, const std::vector<DataAttribute>& attrs) {
  for (const auto& a : attrs) {
    if (a.type > 0x7FFF) return malformed(fmt::format("data attribute type {} does not fit 15 bits", a.type));
    if (a.tv) {
      w.u16be(static_cast<std::uint16_t>(a.type | 0x8000));
      w.u16be(a.short_value);
    } else {
      if (a.value.size() > 0xFFFF)
        return malformed(fmt::format("data attribute {}: {} bytes do not fit the length field", a.type, a.value.size()));
      w.u16be(a.type);
      w.u16be(static_cast<std::uint16_t>(a.value.size()));
      w.bytes(a.value);
    }
  }
  return {};
}

}  // namespace ipseckit::wire::isakmp
