#include "ike/events.h"

#include <fmt/format.h>

#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

std::string Phase1Info::describe() const {
  isakmp::IkeTransformAttrs a;
  a.encryption = encryption;
  a.key_length = key_length;
  a.hash = hash;
  a.group = group;
  return fmt::format("{}, {}", isakmp::describe(a), auth);
}

std::string Phase2Info::describe() const {
  std::string s;
  for (const auto& p : protos) {
    if (!s.empty()) s += " + ";
    if (p.protocol == isakmp::ProtocolId::ah) {
      s += fmt::format("AH {}", p.auth ? isakmp::to_string(*p.auth) : std::string("?"));
    } else {
      const auto tid = static_cast<isakmp::EspTransformId>(p.transform);
      switch (tid) {
        case isakmp::EspTransformId::aes_cbc: s += fmt::format("ESP AES-{}", p.key_length.value_or(128)); break;
        case isakmp::EspTransformId::aes_gcm_16: s += fmt::format("ESP AES-GCM-{}", p.key_length.value_or(128)); break;
        case isakmp::EspTransformId::des3: s += "ESP 3DES"; break;
        case isakmp::EspTransformId::des: s += "ESP DES"; break;
        case isakmp::EspTransformId::null: s += "ESP NULL"; break;
        default: s += fmt::format("ESP {}", tid);
      }
      if (p.auth) s += fmt::format("/{}", *p.auth);
    }
    s += fmt::format(" SPIs {:08x} in / {:08x} out", p.spi_in, p.spi_out);
  }
  s += fmt::format(", {}{}, {} === {}", tunnel ? "tunnel" : "transport", udp_encap ? " (UDP-encapsulated)" : "",
                   local_ts.str(), remote_ts.str());
  if (pfs_group) s += fmt::format(", PFS {}", *pfs_group);
  s += fmt::format(", lifetime {} s", life_seconds);
  if (life_kilobytes) s += fmt::format(" / {} KB", life_kilobytes);
  return s;
}

}  // namespace ipseckit::ike
