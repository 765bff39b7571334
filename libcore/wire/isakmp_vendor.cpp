#include "wire/isakmp_vendor.h"

#include <algorithm>

#include <fmt/format.h>

namespace ipseckit::wire::isakmp {
namespace {

Bytes fixed_part(const VendorInfo& v) {
  Bytes b;
  (void)from_hex(v.id_hex, b);  // constants: always valid hex
  return b;
}

// MS NT5 ISAKMPOAKLEY version words (the last 4 bytes), as Microsoft documents them.
std::string_view windows_version(std::uint32_t v) {
  switch (v) {
    case 2: return "Windows 2000";
    case 3: return "Windows XP";
    case 4: return "Windows Server 2003";
    case 5: return "Windows Vista";
    case 6: return "Windows Server 2008";
    case 7: return "Windows 7";
    case 8: return "Windows Server 2008 R2";
    case 9: return "Windows 8 or later";
    default: return {};
  }
}

}  // namespace

std::optional<KnownVendor> identify_vendor(ByteView vid) {
  for (const auto& v : kVendorIds) {
    const Bytes id = fixed_part(v);
    if (vid.size() < id.size() || (!v.prefix && vid.size() != id.size())) continue;
    if (std::equal(id.begin(), id.end(), vid.begin())) return v.vendor;
  }
  return std::nullopt;
}

Bytes vendor_id_bytes(KnownVendor v) {
  for (const auto& info : kVendorIds) {
    if (info.vendor != v) continue;
    Bytes b = fixed_part(info);
    if (v == KnownVendor::ms_nt5_isakmpoakley) b.insert(b.end(), {0, 0, 0, 2});
    return b;
  }
  return {};
}

std::string describe_vendor_id(ByteView vid) {
  const auto v = identify_vendor(vid);
  if (!v) return fmt::format("unknown {}", to_hex(vid));
  if (*v == KnownVendor::ms_nt5_isakmpoakley && vid.size() == 20) {
    const std::uint32_t ver = (std::uint32_t{vid[16]} << 24) | (std::uint32_t{vid[17]} << 16) |
                              (std::uint32_t{vid[18]} << 8) | vid[19];
    const std::string_view w = windows_version(ver);
    return w.empty() ? fmt::format("{} (version {})", *v, ver) : fmt::format("{} ({})", *v, w);
  }
  if (*v == KnownVendor::fragmentation && vid.size() > 16)
    return fmt::format("{} (capabilities {})", *v, to_hex(vid.subspan(16)));
  return to_string(*v);
}

}  // namespace ipseckit::wire::isakmp
