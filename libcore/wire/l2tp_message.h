// Whole L2TP datagrams: control messages (header + AVP list) and data messages (header +
// PPP frame), RFC 2661 §3.1, §4.1, §5.4.
#pragma once

#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/l2tp_attrs.h"
#include "wire/l2tp_avp.h"
#include "wire/l2tp_header.h"

namespace ipseckit::wire {

struct L2tpControl {
  L2tpHeader header;       // control_header(): T, L, S set
  std::vector<Avp> avps;   // wire order; hidden values still hidden; empty = ZLB
  friend bool operator==(const L2tpControl&, const L2tpControl&) = default;
};

// Parses a datagram that must be a control message (T set). Structure only: see parse_l2tp
// and parse_avps for the refusals; a data message is refused with code "l2tp.not_control".
Result<L2tpControl> parse_control(ByteView datagram);
// Byte-exact inverse of parse_control for what parse_control accepts.
Result<Bytes> serialize_control(const L2tpControl& msg);

// A control message from typed attributes (encode_attrs + header).
Result<Bytes> build_control(const L2tpHeader& header, const L2tpAttrs& attrs, const AvpHiding* hiding = nullptr);

// A data message (§5.4): the L bit as given, Ns/Nr only when `sequence` is set.
struct DataSequence {
  std::uint16_t ns = 0;
  std::uint16_t nr = 0;
};
Result<Bytes> build_data(std::uint16_t tunnel_id, std::uint16_t session_id, ByteView ppp_frame, bool with_length,
                         std::optional<DataSequence> sequence = std::nullopt);

}  // namespace ipseckit::wire
