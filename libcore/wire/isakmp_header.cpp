#include "wire/isakmp_header.h"

#include <algorithm>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {

Result<Header> parse_header(ByteView datagram) {
  ByteReader r(datagram, "ISAKMP header");
  Header h;
  const ByteView ci = r.bytes(8);
  const ByteView cr = r.bytes(8);
  const std::uint8_t np = r.u8();
  const std::uint8_t ver = r.u8();
  h.exchange = static_cast<ExchangeType>(r.u8());
  h.flags = r.u8();
  h.message_id = r.u32be();
  h.length = r.u32be();
  if (!r.ok()) return malformed(r.failure());
  std::copy(ci.begin(), ci.end(), h.initiator_cookie.begin());
  std::copy(cr.begin(), cr.end(), h.responder_cookie.begin());
  h.next_payload = static_cast<PayloadType>(np);
  h.major_version = static_cast<std::uint8_t>(ver >> 4);
  h.minor_version = static_cast<std::uint8_t>(ver & 0x0F);
  // RFC 2408 5.1: "If the Major Version is not correct ... INVALID-MAJOR-VERSION".
  if (h.major_version != 1)
    return isakmp_error(NotifyType::invalid_major_version,
                        fmt::format("ISAKMP header: major version {} (IKEv1 is 1)", h.major_version));
  if (h.length < kHeaderSize)
    return malformed(fmt::format("ISAKMP header: length {} is shorter than the header", h.length));
  if (h.length != datagram.size())
    return isakmp_error(NotifyType::unequal_payload_lengths,
                        fmt::format("ISAKMP header: length {} but the datagram has {} bytes", h.length,
                                    datagram.size()));
  return h;
}

void write_header(ByteWriter& w, const Header& h) {
  w.bytes(h.initiator_cookie);
  w.bytes(h.responder_cookie);
  w.u8(raw(h.next_payload));
  w.u8(static_cast<std::uint8_t>((h.major_version << 4) | (h.minor_version & 0x0F)));
  w.u8(raw(h.exchange));
  w.u8(h.flags);
  w.u32be(h.message_id);
  w.u32be(h.length);
}

Result<std::vector<RawPayload>> walk_payloads(PayloadType first, ByteView data, Trailing trailing) {
  std::vector<RawPayload> out;
  ByteReader r(data, "payload chain");
  PayloadType next = first;
  while (next != PayloadType::none) {
    if (out.size() == kMaxPayloads)
      return malformed(fmt::format("more than {} payloads in one message", kMaxPayloads));
    const std::size_t offset = r.position();
    const std::uint8_t np = r.u8();
    const std::uint8_t reserved = r.u8();
    const std::uint16_t len = r.u16be();
    if (!r.ok())
      return malformed(fmt::format("{} payload at offset {}: truncated generic header", next, offset));
    if (len < kGenericHeaderSize)
      return malformed(fmt::format("{} payload at offset {}: length {} is shorter than its header", next,
                                   offset, len));
    const ByteView body = r.bytes(len - kGenericHeaderSize);
    if (!r.ok())
      return malformed(fmt::format("{} payload at offset {}: length {} runs past the end ({} bytes left)",
                                   next, offset, len, data.size() - offset));
    out.push_back(RawPayload{next, reserved, body, offset});
    next = static_cast<PayloadType>(np);
  }
  if (trailing == Trailing::reject && !r.done())
    return malformed(fmt::format("{} bytes after the last payload", r.remaining()));
  return out;
}

}  // namespace ipseckit::wire::isakmp
