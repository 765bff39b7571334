// TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD), as pure functions over byte buffers:
//   * every frame read from or written to such a TUN starts with a struct virtio_net_hdr
//     (virtio 1.x §5.1.6, "legacy" 10-byte layout, little-endian on the hosts we run on);
//   * Segmenter: a frame the kernel handed over (a TCP "super-packet" of up to 64 KiB with
//     TUN_F_TSO4/6, or one packet whose checksum is left to us with TUN_F_CSUM) split into the
//     wire packets a NIC would have sent: MSS-sized segments with their own IP length/ID,
//     TCP sequence number, flags and full checksums (RFC 791, RFC 8200 §8.1, RFC 9293 §3.1);
//   * Coalescer: the reverse on receive (GRO): in-order TCP segments of one flow, each with a
//     verified checksum, merged into one frame with VIRTIO_NET_HDR_GSO_TCPV4/6 and
//     NEEDS_CSUM, so the kernel takes 64 KiB in one write instead of ~45 packets.
// No allocation per packet: the Segmenter writes into the caller's buffer, the Coalescer owns
// a fixed set of 64 KiB slots made once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "base/bytes.h"

namespace ipseckit::sys::offload {

inline constexpr std::size_t kVnetHdrLen = 10;  // sizeof(struct virtio_net_hdr)
inline constexpr std::size_t kMaxFrame = kVnetHdrLen + 65535;

// struct virtio_net_hdr flags and gso_type (linux/virtio_net.h).
inline constexpr std::uint8_t kNeedsCsum = 1;
inline constexpr std::uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoUdp = 3, kGsoTcpV6 = 4, kGsoUdpL4 = 5, kGsoEcn = 0x80;
// IP protocol numbers and the TCP flags (RFC 9293 §3.1) that segmentation and coalescing read.
inline constexpr std::uint8_t kTcp = 6, kUdp = 17;
inline constexpr std::uint8_t kFin = 0x01, kPsh = 0x08, kAck = 0x10, kCwr = 0x80;

struct VnetHdr {
  std::uint8_t flags = 0;
  std::uint8_t gso_type = kGsoNone;
  std::uint16_t hdr_len = 0, gso_size = 0, csum_start = 0, csum_offset = 0;
  friend bool operator==(const VnetHdr&, const VnetHdr&) = default;
};

// The first kVnetHdrLen bytes of a frame; nullopt when shorter.
std::optional<VnetHdr> parse_vnet_hdr(ByteView frame);
void write_vnet_hdr(std::span<std::uint8_t, kVnetHdrLen> out, const VnetHdr& h);

// RFC 1071 Internet checksum in pieces: csum_partial sums big-endian 16-bit words (an odd
// final byte is padded with zero; pieces other than the last must have even length), csum_fold
// folds to 16 bits (not complemented). pseudo_header_sum: the IPv4 or IPv6 (by the version
// nibble of `ip`) pseudo-header of a transport segment of `l4_len` bytes.
std::uint64_t csum_partial(ByteView data, std::uint64_t sum = 0);
std::uint16_t csum_fold(std::uint64_t sum);
std::uint64_t pseudo_header_sum(ByteView ip, std::uint8_t proto, std::size_t l4_len);

// A frame read from a TUN with IFF_VNET_HDR, split into wire packets. parse() refuses (nullopt)
// frames a kernel would not produce: lengths that disagree with the IP header, GSO on anything
// but TCP over IPv4 without fragments or IPv6 without extension headers, checksum offsets
// outside the packet. Each segment is at most segment_size_max() bytes.
class Segmenter {
 public:
  static std::optional<Segmenter> parse(ByteView frame);

  std::size_t count() const { return m_count; }
  bool gso() const { return m_gso; }
  std::size_t segment_size_max() const { return m_gso ? m_hdr_len + m_mss : m_pkt.size(); }
  // Writes wire packet i (< count()) into out (at least segment_size_max() bytes) with complete
  // checksums; returns its length.
  std::size_t write(std::size_t i, std::span<std::uint8_t> out) const;

 private:
  ByteView m_pkt;  // after the virtio header
  VnetHdr m_h;
  bool m_gso = false, m_v6 = false;
  std::size_t m_l4 = 0, m_hdr_len = 0, m_payload = 0, m_mss = 0, m_count = 1;
};

struct CoalesceStats {
  std::uint64_t packets = 0;      // given to add()
  std::uint64_t frames = 0;       // handed to the sink
  std::uint64_t merged = 0;       // packets that went into a frame behind another one
};

// GRO for TUN writes. add() takes one inner IP packet (no virtio header); frames go to the
// sink as (virtio header, packet) in the order the kernel must see them per flow; packets of
// different flows may be reordered. flush() hands over everything pending: call it at the end
// of every receive batch. Only TCP segments with ACK (and PSH), no SYN/FIN/RST/URG/CWR/ECE, a
// payload, equal IP/TCP headers but for the ones that change per segment, consecutive IPv4 IDs
// and sequence numbers, and valid checksums are merged; every other packet passes unchanged
// (behind an all-zero header) after what its flow has pending.
class Coalescer {
 public:
  using Sink = std::function<void(ByteView vnet_hdr, ByteView packet)>;
  static constexpr std::size_t kSlots = 8;
  static constexpr std::size_t kMaxSegments = 64;

  explicit Coalescer(Sink sink);
  void add(ByteView packet);
  void flush();
  const CoalesceStats& stats() const { return m_stats; }

 private:
  struct Slot {
    std::vector<std::uint8_t> buf;  // virtio header, then the merged packet
    std::size_t len = 0;            // bytes of the packet after the header (0 = free)
    std::size_t l4 = 0, thl = 0;    // TCP header offset and length in the packet
    std::uint32_t next_seq = 0;
    std::uint16_t next_id = 0, mss = 0, count = 0;
    bool closed = false, v6 = false, psh = false;
    std::uint64_t used = 0;
  };
  void emit(Slot& s);
  Slot* find(ByteView packet, std::size_t l4);

  Sink m_sink;
  std::vector<Slot> m_slots;
  std::uint64_t m_tick = 0;
  CoalesceStats m_stats;
};

}  // namespace ipseckit::sys::offload
