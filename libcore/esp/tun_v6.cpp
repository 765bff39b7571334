// IPv6 packets from a TUN before the SPD lookup (tun_v6.h).
#include "esp/tun_v6.h"

#include <algorithm>

#include "esp/ip_headers.h"

namespace ipseckit::esp {

bool v6_link_scope(const std::uint8_t* a) {
  if (a[0] == 0xff) return true;                        // multicast, every scope (§2.7)
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local (§2.5.6)
  const bool zero15 = std::all_of(a, a + 15, [](std::uint8_t b) { return b == 0; });
  return zero15 && (a[15] == 0 || a[15] == 1);          // :: (§2.5.2) and ::1 (§2.5.3)
}

TunV6 classify_tun_v6(ByteView p) {
  if (p.size() < 40 || (p[0] >> 4) != 6) return TunV6::malformed;
  if (v6_link_scope(p.data() + 8) || v6_link_scope(p.data() + 24)) return TunV6::link_scope;
  IpInfo info;
  if (!inspect_packet(p, true, info)) return TunV6::malformed;  // the walk finds a fragment header
  if (info.fragment) return TunV6::fragment;
  return TunV6::spd;
}

std::string_view name(TunV6 v) {
  switch (v) {
    case TunV6::spd: return "spd";
    case TunV6::link_scope: return "link-scope";
    case TunV6::fragment: return "fragment";
    case TunV6::malformed: return "malformed";
  }
  return "?";
}

std::uint32_t v6_too_big_mtu(std::size_t size, std::size_t fits) {
  if (size <= fits || fits < 1280) return 0;
  return static_cast<std::uint32_t>(std::min<std::size_t>(fits, 0xFFFFFFFF));
}

}  // namespace ipseckit::esp
