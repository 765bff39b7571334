// espd's IPv6 pieces of the packet paths (datapath.h), kept apart from the IPv4 fast path:
//  * TUN -> SPD: link-scope packets are never looked up (esp/tun_v6.h); fragments are
//    reassembled first (RFC 4301 §7, RFC 8200 §4.5; fragments.h) and the whole datagram looked up;
//  * clear re-injection and raw ESP/AH go out of a marked IPv6 IPPROTO_RAW socket, which never
//    fragments (EMSGSIZE). An inner IPv6 packet too big for the path was answered with ICMPv6
//    Packet Too Big before protection (pmtu.h; RFC 4301 §8.2, RFC 8200 §5), so espd, the
//    source of the outer packet, fragments only a reassembled datagram (to the size its source
//    had cut it to, or the path MTU if smaller) and an outer packet that exceeds the path
//    MTU although the inner one was let through (room below 1280 bytes, esp/tun_v6.h);
//  * ESP-in-UDP over IPv6 (RFC 3948 with RFC 8200 §8.1 checksums) uses the NAT-T port's IPv6
//    socket when espd owns the port — batched (sendmmsg per TUN readiness) and fragmented by
//    the kernel when too large — else the raw socket;
//  * received IPv6 ESP-in-UDP datagrams and raw ESP/AH get their IPv6 (+ UDP) header rebuilt
//    so the SA and the demultiplexer see the packet as received, then take inbound().
#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "crypto/random.h"
#include "datapath.h"
#include "esp/fragment_v6.h"
#include "esp/ip_headers.h"
#include "esp/tun_v6.h"
#include "wire/udp.h"

namespace ipseckit::espd {

namespace {

constexpr int kBatch6 = 64;             // packets per readiness, as datapath.cpp
constexpr std::size_t kHdr6 = 40;       // RFC 8200 §3
constexpr std::size_t kRxFront6 = 64;   // room for the rebuilt IPv6 + UDP headers

}  // namespace

bool Datapath::admit_v6(esp::PacketBuf& pkt, bool held) {
  switch (esp::classify_tun_v6(pkt.view())) {
    case esp::TunV6::spd:
      return true;
    case esp::TunV6::link_scope:
      ++m_c.v6_link_scope;
      return false;
    case esp::TunV6::fragment:  // RFC 4301 §7: the SPD sees whole datagrams (fragments.h)
      if (auto whole = m_frag.reassemble(pkt.view(), now_ms())) outbound(*whole, held);
      m_frag.mtu = 0;
      return false;
    case esp::TunV6::malformed:
      break;
  }
  ++m_c.tun_malformed;
  return false;
}

// A reassembled datagram leaves in fragments of the size its source had cut (a permitted one,
// re-injected in clear, as the stack would have sent it).
Status Datapath::send_clear_v6(ByteView packet) {
  if (!m_s.raw_out6) return Error::make("failed", "IPv6 send: no IPv6 raw socket (kernel without IPv6?)");
  if (m_frag.mtu && packet.size() > m_frag.mtu) return send_fragments_v6(packet, m_frag.mtu);
  return m_s.raw_out6->send_packet(packet);
}

// RFC 8200 §4.5 as the source node: a fresh random Identification per packet (RFC 7739 §5.1).
Status Datapath::send_fragments_v6(ByteView packet, std::size_t mtu) {
  std::uint8_t id[4];
  crypto::random_bytes(id, sizeof id);
  esp::FragmentPlanV6 plan;
  if (!esp::plan_ipv6_fragments(packet, std::min(mtu, m_frag.scratch.size()),
                                static_cast<std::uint32_t>(id[0] << 24 | id[1] << 16 | id[2] << 8 | id[3]), plan))
    return m_s.raw_out6->send_packet(packet);  // not fragmentable here: the kernel's verdict
  for (std::size_t i = 0; i < plan.count; ++i) {
    const auto n = esp::build_ipv6_fragment(packet, plan, i, m_frag.scratch);
    if (!n) return Error::make("failed", "IPv6 fragmentation: fragment does not fit");
    IPSECKIT_TRY(m_s.raw_out6->send_packet(ByteView(m_frag.scratch.data(), n)));
  }
  return {};
}

Status Datapath::send_outer_v6(const esp::SaConfig& c, esp::PacketBuf& pkt, std::size_t l4_offset) {
  if (c.udp_encap && m_s.udp6) {
    const auto payload = pkt.view().subspan(l4_offset + wire::kUdpHeaderSize);
    const sys::Endpoint to{c.remote, c.udp_encap->remote_port};
    if (m_frag.mtu) return m_s.udp6->send_to(payload, to);  // a reassembled datagram: the kernel fragments
    // sendmmsg, not UDP_SEGMENT: a train crosses a veth unsegmented, and a peer that reads
    // ESP-in-UDP through a raw socket (its IKE daemon owns the port) gets it as one datagram.
    if (m_batch6.add(payload, to)) {
      if (m_batch6.queued() == kMmsg) flush_tx_v6();
      return {};
    }
    return m_s.udp6->send_to(payload, to);
  }
  // ESP/AH, or ESP-in-UDP with its UDP header (checksum set), from the raw socket: fragmented
  // by espd when it exceeds the path (or the size a reassembled datagram's source used).
  if (!m_s.raw_out6) return send_clear_v6(pkt.view());
  std::size_t mtu = pkt.size() > 1280 ? m_pmtu.mtu_to(c.remote, now_ms()) : 0;
  if (m_frag.mtu && (!mtu || m_frag.mtu < mtu)) mtu = m_frag.mtu;
  if (mtu && pkt.size() > mtu) return send_fragments_v6(pkt.view(), mtu);
  return m_s.raw_out6->send_packet(pkt.view());
}

void Datapath::flush_tx_v6() {
  if (!m_s.udp6) return;
  if (m_batch6.queued()) {
    const auto queued = m_batch6.queued();
    if (auto r = m_batch6.send(*m_s.udp6); !r) {
      m_c.send_errors += queued;
      log::msg(log::Subsys::net, log::Level::diag, "IPv6 sendmmsg: {}", r.error().message);
    }
  }
}

void Datapath::from_udp6() {
  if (!m_s.udp6) return;
  for (int round = 0; round < kBatch6 / static_cast<int>(kMmsg) + 1; ++round) {
    auto r = m_batch.recv(*m_s.udp6);
    if (!r || r->empty()) break;
    // UDP_GRO: datagrams of gro_size bytes each. receive_datagram counts keepalives and IKE,
    // then takes the rest to receive_datagram_v6.
    for (const auto& d : *r)
      if (receive_train(d, d.gro_size)) ++m_c.udp_gro_trains;
    if (r->size() < kMmsg) break;
  }
  m_tun.flush();
}

// The IPv6 twin of receive_datagram's header rebuild (RFC 3948 §3 after the socket stripped
// the IPv6 and UDP headers).
void Datapath::receive_datagram_v6(const sys::Datagram& d) {
  const std::size_t n = d.data.size();
  if (!d.local || !d.local->is_v6() || n > 65535 - wire::kUdpHeaderSize) {
    ++m_c.rx_malformed;
    return;
  }
  std::memcpy(m_buf.data() + kRxFront6, d.data.data(), n);
  const std::size_t front = kHdr6 + wire::kUdpHeaderSize;
  const std::size_t off = kRxFront6 - front;
  esp::OuterHeader h;
  h.src = d.peer.addr;
  h.dst = *d.local;
  h.proto = 17;
  if (esp::write_outer_header(std::span(m_buf).subspan(off, kHdr6), h, front + n) != kHdr6) {
    ++m_c.rx_malformed;
    return;
  }
  wire::UdpHeader u{d.peer.port, m_s.natt_port, static_cast<std::uint16_t>(wire::kUdpHeaderSize + n), 0};
  (void)wire::write_udp_header(std::span(m_buf).subspan(off + kHdr6, wire::kUdpHeaderSize), u);
  esp::PacketBuf pkt(m_buf, off, front + n);
  inbound(pkt);
}

void Datapath::from_raw_v6(sys::RawSocket& sock) {
  for (int i = 0; i < kBatch6; ++i) {
    auto r = sock.recv_v6(std::span(m_buf).subspan(esp::kHeadroom, 65535));
    if (!r) {
      ++m_c.rx_malformed;
      continue;
    }
    if (!*r) break;
    esp::PacketBuf pkt(m_buf, esp::kHeadroom, **r);
    inbound(pkt);
  }
  m_tun.flush();
}

}  // namespace ipseckit::espd
