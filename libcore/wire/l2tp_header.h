// L2TPv2 header (RFC 2661 §3.1), shared by control and data messages.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Tunnel ID           |           Session ID          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             Ns (opt)          |             Nr (opt)          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Offset Size (opt)        |    Offset pad... (opt)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// T: control (1) or data (0). L: Length present. S: Ns/Nr present. O: Offset Size present.
// P: priority (data only). x: reserved, sent 0, ignored on receipt. Ver: 2.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire {

inline constexpr std::uint16_t kL2tpFlagT = 0x8000;
inline constexpr std::uint16_t kL2tpFlagL = 0x4000;
inline constexpr std::uint16_t kL2tpFlagS = 0x0800;
inline constexpr std::uint16_t kL2tpFlagO = 0x0200;
inline constexpr std::uint16_t kL2tpFlagP = 0x0100;
inline constexpr std::uint16_t kL2tpVersionMask = 0x000F;
inline constexpr std::uint16_t kL2tpVersion = 2;
inline constexpr std::uint16_t kL2tpPort = 1701;

struct L2tpHeader {
  bool control = false;       // T
  bool has_length = false;    // L
  bool has_sequence = false;  // S
  bool priority = false;      // P
  std::uint16_t tunnel_id = 0;
  std::uint16_t session_id = 0;
  std::uint16_t ns = 0;       // with S
  std::uint16_t nr = 0;       // with S
  bool has_offset = false;    // O
  Bytes offset_pad;           // with O: Offset Size == offset_pad.size()

  // A control message header as §3.1 requires: T, L and S set, no offset, no priority.
  static L2tpHeader control_header(std::uint16_t tunnel_id, std::uint16_t session_id, std::uint16_t ns,
                                   std::uint16_t nr);
  std::size_t size() const;   // bytes on the wire
  friend bool operator==(const L2tpHeader&, const L2tpHeader&) = default;
};

struct L2tpPacket {
  L2tpHeader header;
  ByteView payload;  // AVPs of a control message, or the PPP frame of a data message
};

// Parses the header of one L2TP datagram. Refused (code "l2tp.malformed", proto
// l2tp_proto(2, 2 or 3)): truncated header, Ver != 2 (§3.1: "MUST be discarded"), a control
// message without L or S or with O or P set (§3.1: "MUST"), a Length field shorter than the
// header or longer than the datagram, an offset pad past the end. Bytes after Length are
// ignored (UDP padding).
Result<L2tpPacket> parse_l2tp(ByteView datagram);

// Writes header + payload; the Length field (if has_length) is computed. Fails (code
// "l2tp.length") when the message does not fit the 16-bit Length or Offset Size fields.
Result<Bytes> serialize_l2tp(const L2tpHeader& header, ByteView payload);

}  // namespace ipseckit::wire
