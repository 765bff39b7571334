// IKEv1 fragmentation as Cisco introduced it and strongSwan and Windows (MS-IKEE 2.2.7,
// 3.2.5.4) send it: the whole encoded ISAKMP message (header included) is cut into pieces,
// each carried alone in a FRAGMENT payload (type 132) of its own ISAKMP message. The
// reassembler bounds memory (fragment count, total size) and work (O(1) per fragment, one
// copy at the end; no sorted-list insertion, cf. ipsec-tools CVE-2016-10396) and drops stale
// state by an injected clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire::isakmp {

//                      1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ! Next Payload  !   RESERVED    !         Payload Length        !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// !          Fragment ID          !  Fragment Num !     Flags     !
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// ~                         Fragment Data                         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct FragmentPayload {
  static constexpr std::uint8_t kLastFragment = 0x01;
  std::uint16_t id = 0;      // same for all pieces of one message; a higher id replaces a lower
  std::uint8_t number = 1;   // 1-based
  std::uint8_t flags = 0;
  Bytes data;

  bool last() const { return (flags & kLastFragment) != 0; }
  friend bool operator==(const FragmentPayload&, const FragmentPayload&) = default;
};

// Fragment number 0 and empty data are PAYLOAD-MALFORMED.
Result<FragmentPayload> parse_fragment(ByteView body);
void write_fragment(ByteWriter& w, const FragmentPayload& f);

// Cuts an encoded message into fragment messages (each a complete ISAKMP datagram with the
// original's cookies, exchange type and message id, flags 0) of at most max_datagram bytes.
// Fails when that would need more than 255 fragments or max_datagram leaves no room.
Result<std::vector<Bytes>> fragment_message(ByteView message, std::uint16_t fragment_id, std::size_t max_datagram);

struct ReassemblyLimits {
  std::size_t max_fragments = 16;        // strongSwan's charon.max_ikev1_fragments default
  std::size_t max_bytes = 64 * 1024;     // sum of fragment data
  std::chrono::milliseconds timeout{30000};  // since the first fragment of this id
};

// One reassembly context per IKE SA (or per peer before an SA exists).
class FragmentReassembler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FragmentReassembler(ReassemblyLimits limits = {});

  // nullopt while incomplete (duplicates are ignored); the whole message when fragments
  // 1..last are all present; an error (PAYLOAD-MALFORMED) for a fragment that is refused:
  // number 0 or above the limit, beyond or conflicting with the last fragment, an older id,
  // or a total above max_bytes (the partial message is dropped then).
  Result<std::optional<Bytes>> add(const FragmentPayload& f, Clock::time_point now);

  void reset();
  bool active() const { return m_active; }
  std::uint16_t id() const { return m_id; }
  std::size_t buffered_bytes() const { return m_bytes; }
  std::size_t fragments() const { return m_count; }

 private:
  ReassemblyLimits m_limits;
  bool m_active = false;
  std::uint16_t m_id = 0;
  Clock::time_point m_started{};
  std::size_t m_last = 0;  // number of the last fragment once seen, else 0
  std::size_t m_count = 0;
  std::size_t m_bytes = 0;
  std::vector<Bytes> m_slots;  // index = fragment number
};

}  // namespace ipseckit::wire::isakmp
