// Datapath's clear (and raw ESP/AH) sends (datapath.h): a raw IP_HDRINCL socket never
// fragments (the kernel answers EMSGSIZE), so a reassembled datagram — or its larger ESP
// packet — leaves in fragments of the size the stack had cut it to (RFC 791 §3.2).
#include "datapath.h"
#include "fragments.h"

namespace ipseckit::espd {

Status Datapath::send_clear(ByteView packet) {
  if (!packet.empty() && (packet[0] >> 4) == 6) return send_clear_v6(packet);  // datapath_v6.cpp
  if (!m_frag.mtu) return m_s.raw_out->send_packet(packet);
  Status st;
  esp::send_fragmented(packet, m_frag.mtu, m_frag.scratch, [&](ByteView f) {
    st = m_s.raw_out->send_packet(f);
    return st.ok();
  });
  return st;
}

}  // namespace ipseckit::espd
