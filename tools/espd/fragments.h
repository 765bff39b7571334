// espd's IPv4 and IPv6 reassembly state (esp/reassembly.h explains why: RFC 4301 §7).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "esp/packet_buf.h"
#include "esp/reassembly.h"

namespace ipseckit::espd {

// Datapath's piece (datapath.h): the reassemblers (one per family, for their counters), their
// output buffer (with the headroom and tailroom protect() needs) and the fragment size to cut
// clear re-injections and raw ESP/AH to.
struct TunFragments {
  esp::Reassembler reasm, reasm6;
  std::vector<std::uint8_t> whole = std::vector<std::uint8_t>(esp::kHeadroom + 65536 + esp::kTailroom);
  std::vector<std::uint8_t> scratch = std::vector<std::uint8_t>(65536);
  std::size_t mtu = 0;  // non-zero while a reassembled datagram is processed
  // The whole datagram when this fragment completed one (mtu is then set).
  std::optional<esp::PacketBuf> reassemble(ByteView fragment, std::uint64_t now_ms) {
    auto& r = !fragment.empty() && (fragment[0] >> 4) == 6 ? reasm6 : reasm;
    const auto n = r.add(fragment, now_ms, std::span(whole).subspan(esp::kHeadroom, 65535), &mtu);
    if (!n) return std::nullopt;
    return esp::PacketBuf(whole, esp::kHeadroom, n);
  }
};

}  // namespace ipseckit::espd
