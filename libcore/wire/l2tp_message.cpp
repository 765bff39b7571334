#include "wire/l2tp_message.h"

namespace ipseckit::wire {

Result<L2tpControl> parse_control(ByteView datagram) {
  auto p = parse_l2tp(datagram);
  if (!p) return p.error();
  if (!p->header.control) return Error::make("l2tp.not_control", "L2TP data message where a control message was expected");
  auto avps = parse_avps(p->payload);
  if (!avps) return avps.error();
  return L2tpControl{p->header, std::move(avps.value())};
}

Result<Bytes> serialize_control(const L2tpControl& msg) {
  auto body = serialize_avps(msg.avps);
  if (!body) return body.error();
  return serialize_l2tp(msg.header, body.value());
}

Result<Bytes> build_control(const L2tpHeader& header, const L2tpAttrs& attrs, const AvpHiding* hiding) {
  auto avps = encode_attrs(attrs, hiding);
  if (!avps) return avps.error();
  return serialize_control(L2tpControl{header, std::move(avps.value())});
}

Result<Bytes> build_data(std::uint16_t tunnel_id, std::uint16_t session_id, ByteView ppp_frame, bool with_length,
                         std::optional<DataSequence> sequence) {
  L2tpHeader h;
  h.has_length = with_length;
  h.tunnel_id = tunnel_id;
  h.session_id = session_id;
  if (sequence) {
    h.has_sequence = true;
    h.ns = sequence->ns;
    h.nr = sequence->nr;
  }
  return serialize_l2tp(h, ppp_frame);
}

}  // namespace ipseckit::wire
