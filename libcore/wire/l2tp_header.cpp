#include "wire/l2tp_header.h"

#include <fmt/format.h>

#include "wire/l2tp_types.h"

namespace ipseckit::wire {
namespace {

Error malformed(std::string what, L2tpErrorCode code = L2tpErrorCode::bad_length) {
  return l2tp_malformed("L2TP header: " + what, code);
}

}  // namespace

L2tpHeader L2tpHeader::control_header(std::uint16_t tunnel_id, std::uint16_t session_id, std::uint16_t ns,
                                      std::uint16_t nr) {
  L2tpHeader h;
  h.control = true;
  h.has_length = true;
  h.has_sequence = true;
  h.tunnel_id = tunnel_id;
  h.session_id = session_id;
  h.ns = ns;
  h.nr = nr;
  return h;
}

std::size_t L2tpHeader::size() const {
  std::size_t n = 6;
  if (has_length) n += 2;
  if (has_sequence) n += 4;
  if (has_offset) n += 2 + offset_pad.size();
  return n;
}

Result<L2tpPacket> parse_l2tp(ByteView datagram) {
  ByteReader r(datagram, "datagram");
  L2tpPacket p;
  L2tpHeader& h = p.header;
  const std::uint16_t flags = r.u16be();
  if (!r.ok()) return malformed("datagram of " + std::to_string(datagram.size()) + " bytes is too short");
  // §3.1: "Ver MUST be 2 ... Packets received with an unknown Ver field MUST be discarded."
  if ((flags & kL2tpVersionMask) != kL2tpVersion)
    return malformed(fmt::format("version {} (expected 2)", flags & kL2tpVersionMask), L2tpErrorCode::bad_value);
  h.control = (flags & kL2tpFlagT) != 0;
  h.has_length = (flags & kL2tpFlagL) != 0;
  h.has_sequence = (flags & kL2tpFlagS) != 0;
  h.has_offset = (flags & kL2tpFlagO) != 0;
  h.priority = (flags & kL2tpFlagP) != 0;
  if (h.control) {
    // §3.1: L and S "MUST be set to 1 for control messages"; O and P "MUST be set to 0".
    if (!h.has_length || !h.has_sequence)
      return malformed("control message without the Length and sequence fields", L2tpErrorCode::bad_value);
    if (h.has_offset || h.priority)
      return malformed("control message with the Offset or Priority bit", L2tpErrorCode::bad_value);
  }
  std::uint16_t length = 0;
  if (h.has_length) length = r.u16be();
  h.tunnel_id = r.u16be();
  h.session_id = r.u16be();
  if (h.has_sequence) {
    h.ns = r.u16be();
    h.nr = r.u16be();
  }
  if (h.has_offset) {
    const std::uint16_t off = r.u16be();
    ByteView pad = r.bytes(off);
    if (r.ok()) h.offset_pad.assign(pad.begin(), pad.end());
  }
  if (!r.ok()) return malformed(r.failure());
  const std::size_t header_size = r.position();
  std::size_t end = datagram.size();
  if (h.has_length) {
    if (length < header_size)
      return malformed(fmt::format("Length {} is shorter than the {}-byte header", length, header_size));
    if (length > datagram.size())
      return malformed(fmt::format("Length {} is longer than the {}-byte datagram", length, datagram.size()));
    end = length;
  }
  p.payload = datagram.subspan(header_size, end - header_size);
  return p;
}

Result<Bytes> serialize_l2tp(const L2tpHeader& h, ByteView payload) {
  const std::size_t total = h.size() + payload.size();
  if (h.has_length && total > 0xFFFF)
    return Error::make("l2tp.length", fmt::format("L2TP message of {} bytes does not fit the Length field", total));
  if (h.has_offset && h.offset_pad.size() > 0xFFFF)
    return Error::make("l2tp.length", "L2TP offset pad does not fit the Offset Size field");
  std::uint16_t flags = kL2tpVersion;
  if (h.control) flags |= kL2tpFlagT;
  if (h.has_length) flags |= kL2tpFlagL;
  if (h.has_sequence) flags |= kL2tpFlagS;
  if (h.has_offset) flags |= kL2tpFlagO;
  if (h.priority) flags |= kL2tpFlagP;
  ByteWriter w;
  w.u16be(flags);
  if (h.has_length) w.u16be(static_cast<std::uint16_t>(total));
  w.u16be(h.tunnel_id);
  w.u16be(h.session_id);
  if (h.has_sequence) {
    w.u16be(h.ns);
    w.u16be(h.nr);
  }
  if (h.has_offset) {
    w.u16be(static_cast<std::uint16_t>(h.offset_pad.size()));
    w.bytes(h.offset_pad);
  }
  w.bytes(payload);
  return w.take();
}

}  // namespace ipseckit::wire
