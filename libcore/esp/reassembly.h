// IPv4 and IPv6 reassembly for a bump-in-the-stack data plane (espd reads fragments from its
// TUN), before the SPD lookup; also used to read captures (ikeview decode).
//
// Why (RFC 4301 §7): transport-mode SAs carry whole datagrams only — "IPsec is applied before
// fragmentation" — and a non-initial fragment has no ports, so it cannot be matched against a
// filter with port selectors. The host stack fragments a datagram larger than the TUN's MTU
// before espd sees it; espd, a bump-in-the-stack implementation, therefore puts the datagram
// back together, looks the whole datagram up in the SPD (ports included) and protects it
// with one SA. The (larger) outer packet is fragmented afterwards if it does not fit
// (RFC 4301 §8.1, RFC 791 §3.2), so on the wire only ESP fragments appear and no fragment of
// a protected flow ever leaves in clear. (§7's alternatives — stateful fragment checking or
// sending non-initial fragments through an ANY-port SA — need per-flow state or extra SAs
// that IKEv1 peers do not negotiate.)
//
// Bounded: at most kSlots datagrams in progress, each freed after kTimeoutMs (RFC 791's
// reassembly timer; Linux uses 30 s, a small data plane less) or when a newer one needs its
// slot. Overlapping fragments drop the whole datagram (RFC 5722 for IPv6, applied to IPv4:
// the stack never overlaps its own fragments). Memory is allocated per slot once.
//
// IPv6 (RFC 8200 §4.5): fragments belong together by source, destination and Identification;
// the whole packet is the Unfragmentable Part of the offset-0 fragment (at most 256 bytes here)
// followed by the Fragmentable Parts, its Fragment header gone: the Next Header byte that named
// it takes the offset-0 Fragment header's Next Header, and Payload Length is recomputed. A
// datagram whose Payload Length would pass 65,535 is dropped. An atomic fragment (offset 0, M
// clear; RFC 6946) comes out at once, without touching the datagrams in progress.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "esp/fragment.h"
#include "esp/fragment_v6.h"

namespace ipseckit::esp {

// IPv4 and MF set or fragment offset not zero.
bool is_ipv4_fragment(ByteView packet);
// An IPv4 fragment, or IPv6 with a Fragment header (esp/fragment_v6.h).
bool is_fragment(ByteView packet);

// Sends packet through send(ByteView) as IPv4 fragments of at most mtu bytes (RFC 791 §3.2);
// a packet that fits, or has DF set, is sent whole. False when a send failed.
template <class Send>
bool send_fragmented(ByteView packet, std::size_t mtu, std::span<std::uint8_t> scratch, Send&& send);

class Reassembler {
 public:
  static constexpr std::size_t kSlots = 16;
  static constexpr std::uint64_t kTimeoutMs = 5000;
  // The longest header kept: IPv4 60 bytes; IPv6, the Unfragmentable Part (longer: refused).
  static constexpr std::size_t kMaxHeader = 256;

  struct Counters {
    std::uint64_t fragments = 0, reassembled = 0, dropped = 0;  // dropped: fragments thrown away
  };

  // Takes one fragment. When it completes a datagram, the whole datagram (IPv4: one header, MF
  // and offset cleared, total length and checksum rewritten; IPv6: as above) is copied to out
  // and its length returned; otherwise 0 (also when out is too short for it: out should hold
  // 65535 bytes, IPv6 datagrams with a full 65,535-byte payload need 40 more). max_fragment:
  // the largest fragment of that datagram (the MTU the stack fragmented it for).
  std::size_t add(ByteView fragment, std::uint64_t now_ms, std::span<std::uint8_t> out,
                  std::size_t* max_fragment = nullptr);
  const Counters& counters() const { return m_c; }
  std::size_t pending() const;

 private:
  struct Frag;  // one parsed fragment (reassembly.cpp)
  struct Slot {
    bool used = false, v6 = false;
    std::uint8_t src[16]{}, dst[16]{}, proto = 0;  // IPv4: 4 bytes each; IPv6 keys omit proto
    std::uint32_t id = 0;
    std::uint64_t since_ms = 0;
    std::size_t total = 0;   // data bytes, known once the last fragment arrived (0: unknown)
    std::size_t have = 0;    // data bytes received
    std::size_t header = 0;  // the first fragment's header length (0: not yet)
    std::size_t largest = 0; // the largest fragment
    std::size_t nh_off = 0;  // IPv6: the header's byte that named the Fragment header
    std::uint8_t inner_nh = 0;  // IPv6: the offset-0 Fragment header's Next Header
    std::vector<std::uint8_t> data;    // header (kMaxHeader bytes max) + data
    std::vector<std::uint64_t> blocks;  // received 8-byte blocks (bitmap)
  };
  void drop(Slot& s);
  Slot* find(const Frag& f, std::uint64_t now_ms);
  std::size_t complete(Slot& s, std::span<std::uint8_t> out);
  std::vector<Slot> m_slots = std::vector<Slot>(kSlots);
  Counters m_c;
};

template <class Send>
bool send_fragmented(ByteView packet, std::size_t mtu, std::span<std::uint8_t> scratch, Send&& send) {
  if (packet.size() <= mtu || packet.size() < 20 || (packet[6] & 0x40) || scratch.size() < mtu) return send(packet);
  auto plan = plan_ipv4_fragments(packet, mtu);
  if (!plan) return send(packet);
  for (std::size_t i = 0; i < plan->count; ++i) {
    const auto n = build_ipv4_fragment(packet, *plan, i, scratch);
    if (!n || !send(ByteView(scratch.data(), n))) return false;
  }
  return true;
}

}  // namespace ipseckit::esp
