// IPv4 reassembly for a bump-in-the-stack data plane (espd reads fragments from its TUN),
// before the SPD lookup.
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
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "esp/fragment.h"

namespace ipseckit::esp {

// IPv4 and MF set or fragment offset not zero.
bool is_ipv4_fragment(ByteView packet);

// Sends packet through send(ByteView) as IPv4 fragments of at most mtu bytes (RFC 791 §3.2);
// a packet that fits, or has DF set, is sent whole. False when a send failed.
template <class Send>
bool send_fragmented(ByteView packet, std::size_t mtu, std::span<std::uint8_t> scratch, Send&& send);

class Reassembler {
 public:
  static constexpr std::size_t kSlots = 16;
  static constexpr std::uint64_t kTimeoutMs = 5000;

  struct Counters {
    std::uint64_t fragments = 0, reassembled = 0, dropped = 0;  // dropped: fragments thrown away
  };

  // Takes one fragment. When it completes a datagram, the whole datagram (one header, MF and
  // offset cleared, total length and checksum rewritten) is copied to out and its length
  // returned; otherwise 0. out must hold 65535 bytes. max_fragment: the largest fragment of
  // that datagram (the MTU the stack fragmented it for).
  std::size_t add(ByteView fragment, std::uint64_t now_ms, std::span<std::uint8_t> out,
                  std::size_t* max_fragment = nullptr);
  const Counters& counters() const { return m_c; }
  std::size_t pending() const;

 private:
  struct Slot {
    bool used = false;
    std::uint8_t src[4]{}, dst[4]{}, proto = 0;
    std::uint16_t id = 0;
    std::uint64_t since_ms = 0;
    std::size_t total = 0;   // data bytes, known once the last fragment arrived (0: unknown)
    std::size_t have = 0;    // data bytes received
    std::size_t header = 0;  // the first fragment's header length (0: not yet)
    std::size_t largest = 0; // the largest fragment
    std::vector<std::uint8_t> data;    // header (60 bytes max) + data
    std::vector<std::uint64_t> blocks;  // received 8-byte blocks (bitmap)
  };
  void drop(Slot& s);
  Slot* find(ByteView p, std::uint64_t now_ms);
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
