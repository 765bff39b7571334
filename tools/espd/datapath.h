// espd's packet paths (ARCHITECTURE.md "Data plane", RFC 4301 §5.1/§5.2):
//   TUN -> SPD lookup -> permit: re-inject in clear (marked raw socket) | block: drop, count |
//          negotiate: protect with the outbound SA and send (ESP-in-UDP or raw ESP/AH), or
//          post an acquire and hold a few packets until the SA arrives;
//   UDP 4500 (RFC 3948) and raw ESP/AH -> demux by SPI ("Bad SPI Pkts" when unknown) ->
//          unprotect -> inner packet inside the SA's selectors -> TUN.
// One Datapath per worker thread (espd --workers), used by one thread at a time (the worker,
// or the main thread while it holds the worker's lock: daemon_impl.h); one packet buffer, reused (no allocation per packet except held packets);
// ESP-in-UDP leaves in one sendmmsg per TUN readiness and arrives by recvmmsg (sys::UdpBatch).
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "esp/packet_buf.h"
#include "policy/spd_classifier.h"
#include "port_map.h"
#include "fragments.h"
#include "pmtu.h"
#include "sa_table.h"
#include "sys/raw_socket.h"
#include "sys/udp_gso.h"
#include "sys/udp_socket.h"
#include "tun_io.h"
#include "wire/ip_packet.h"

namespace ipseckit::espd {

// espd's own counters, beside the SAs' (stats.h gives them their published names).
struct PathCounters {
  std::uint64_t bad_spi = 0, rx_malformed = 0, selector_mismatch = 0, keepalives = 0, ike_on_natt = 0;
  std::uint64_t permitted = 0, blocked = 0, no_sa_dropped = 0, held = 0, acquires = 0;
  std::uint64_t early_held = 0;  // inbound packets kept until their SA arrived (EarlyPacket)
  std::uint64_t tun_malformed = 0, not_ipv4 = 0, tx_failed = 0, send_errors = 0, tun_write_errors = 0;
  std::uint64_t v6_link_scope = 0;  // IPv6 from the TUN not looked up (esp/tun_v6.h)
  std::uint64_t raw_trains = 0;  // peers' UDP GSO trains split after arriving whole on a raw socket (esp/udp_train.h)
  std::uint64_t udp_gro_trains = 0;  // NAT-T receives that carried several datagrams (UDP_GRO)
};

// A negotiation asked of IKE: acquire/<id> in the store.
struct Acquire {
  std::string id;
  wire::FiveTuple tuple;
  std::string rule;
  std::uint64_t since_ms = 0;
  std::vector<Bytes> held;
};

// An inbound packet whose SPI is not (yet) installed. Through the store, a Quick Mode
// responder's SA reaches espd a few milliseconds after the initiator has sent its message 3 and
// may already be sending ESP (RFC 2409 §5.5 leaves this window open unless the commit bit is
// used, which strongSwan does not). A few such packets are kept briefly and retried when SAs
// change; those still unknown after kEarlyMs count as "Bad SPI Pkts".
struct EarlyPacket {
  std::uint32_t spi = 0;
  bool ah = false;
  std::uint64_t since_ms = 0;
  Bytes packet;  // the whole outer IP packet, as inbound() takes it
};

struct Sockets {
  sys::UdpSocket* udp = nullptr;      // ESP-in-UDP
  sys::RawSocket* raw_out = nullptr;  // IPPROTO_RAW, marked
  int tun = -1;
  std::uint16_t natt_port = 4500;  // the UDP socket's port
  bool tun_vnet = false;           // the TUN has IFF_VNET_HDR + TSO (tun_io.h)
  bool udp_gso = false;            // ESP-in-UDP trains leave with UDP_SEGMENT (sys/udp_gso.h)
  sys::UdpSocket* udp6 = nullptr;      // ESP-in-UDP over IPv6 (datapath_v6.cpp)
  sys::RawSocket* raw_out6 = nullptr;  // IPv6 IPPROTO_RAW, marked
};

class Datapath {
 public:
  static constexpr std::size_t kHold = 4;                  // packets held per acquire
  static constexpr std::uint64_t kAcquireRetryMs = 30000;  // an unanswered acquire is re-posted after this
  static constexpr std::size_t kMmsg = 32;                 // datagrams per recvmmsg/sendmmsg
  static constexpr std::size_t kMmsgSlot = 65536;          // bytes per datagram slot (any UDP payload)
  static constexpr std::size_t kEarly = 8;                 // unknown-SPI packets kept (EarlyPacket)
  static constexpr std::uint64_t kEarlyMs = 500;           // ... for at most this long

  // `ports` is shared by all workers (it locks itself): a flow's inbound and outbound packets
  // may be served by different workers.
  Datapath(Sockets s, SaTable& table, PortMap& ports)
      : m_s(s),
        m_table(table),
        m_buf(esp::kHeadroom + 65536 + esp::kTailroom),
        m_batch(kMmsg, kMmsgSlot),
        m_tun(s.tun, s.tun_vnet),
        m_ports(ports) {}

  void set_spd(std::optional<policy::SpdMatcher> spd) { m_spd = std::move(spd); }
  // Worker `index` of `count` (espd --workers): acquire ids index+1, index+1+count, ... stay
  // unique across the workers.
  void set_worker(unsigned index, unsigned count) {
    m_next_id = index + 1;
    m_id_step = count;
  }
  // IPv6 sockets, when the host has IPv6 (datapath_v6.cpp).
  void set_v6(sys::UdpSocket* udp6, sys::RawSocket* raw_out6) {
    m_s.udp6 = udp6;
    m_s.raw_out6 = raw_out6;
  }
  const policy::SpdMatcher* spd() const { return m_spd ? &*m_spd : nullptr; }

  // Drain one readiness of each source (up to a batch of packets).
  void from_tun();
  void from_udp();
  void from_raw(sys::RawSocket& sock);
  // IPv6 sources (datapath_v6.cpp): the NAT-T port's IPv6 socket, raw IPv6 sockets.
  void from_udp6();
  void from_raw_v6(sys::RawSocket& sock);

  // After SAs changed: send what acquires held for which an SA now exists. Returns the ids
  // of the acquires that were satisfied (their store keys can go).
  std::vector<std::string> flush_held();
  // Acquires to post (new or re-posted), taken by the daemon; and expired ones to delete.
  std::vector<nlohmann::json> take_posts();
  std::vector<std::string> expire(std::uint64_t now_ms);

  const PathCounters& counters() const { return m_c; }
  const TunIo& tun_io() const { return m_tun; }
  const sys::UdpGsoQueue& udp_gso() const { return m_gso; }
  const esp::Reassembler& reassembler(bool v6) const { return v6 ? m_frag.reasm6 : m_frag.reasm; }
  std::size_t pending_acquires() const { return m_acq.size(); }
  const PortMap& ports() const { return m_ports; }

 private:
  // Through the marked raw socket; a reassembled datagram in fragments again (fragments.cpp).
  Status send_clear(ByteView packet);
  void outbound(esp::PacketBuf& pkt, bool held);
  bool send_protected(OutEntry& e, esp::PacketBuf& pkt);
  void flush_tx();  // sendmmsg of the ESP-in-UDP datagrams queued by send_protected
  void receive_datagram(const sys::Datagram& d);
  // A buffer of datagrams of `stride` bytes each, the last maybe shorter (a UDP_GRO receive, or a
  // peer's GSO train from the raw socket), through receive_datagram one by one. True when it was
  // such a train; false when `stride` is 0 or covers it all: one datagram, received whole.
  bool receive_train(sys::Datagram d, std::size_t stride);
  void inbound(esp::PacketBuf& pkt);
  bool split_raw_train(const esp::PacketBuf& pkt);
  void keep_early(const esp::PacketBuf& pkt, std::uint32_t spi, bool ah);
  void drop_early(const EarlyPacket& p);
  void retry_early();
  void hold(esp::PacketBuf& pkt, const wire::FiveTuple& t, const policy::SpdFilter& f);
  // IPv6 (datapath_v6.cpp): whether a TUN packet goes to the SPD; clear and protected sends.
  // A fragment is reassembled here and its datagram taken by outbound().
  bool admit_v6(esp::PacketBuf& pkt, bool held);
  Status send_clear_v6(ByteView packet);
  Status send_outer_v6(const esp::SaConfig& c, esp::PacketBuf& pkt, std::size_t l4_offset);
  Status send_fragments_v6(ByteView packet, std::size_t mtu);  // RFC 8200 §4.5, as the source
  void flush_tx_v6();  // the IPv6 ESP-in-UDP datagrams queued by send_outer_v6
  void receive_datagram_v6(const sys::Datagram& d);
  std::uint64_t now_ms() const;

  Sockets m_s;
  SaTable& m_table;
  std::optional<policy::SpdMatcher> m_spd;
  std::vector<std::uint8_t> m_buf;
  std::vector<std::uint8_t> m_train = std::vector<std::uint8_t>(65536);  // split_raw_train's copy
  sys::UdpBatch m_batch;  // preallocated mmsg state: batched UDP I/O, no allocation per packet
  TunIo m_tun;            // TUN reads/writes, with TSO segmentation and GRO when offloads are on
  sys::UdpGsoQueue m_gso;  // ESP-in-UDP trains (Sockets::udp_gso)
  sys::UdpBatch m_batch6{kMmsg, 9216};  // IPv6 ESP-in-UDP sends: sendmmsg of up to jumbo-sized datagrams
  std::vector<Acquire> m_acq;
  std::deque<EarlyPacket> m_early;
  std::vector<nlohmann::json> m_posts;
  std::uint64_t m_next_id = 1;
  std::uint64_t m_id_step = 1;
  PathCounters m_c;
  OutEntry* m_seg_sa = nullptr;  // the SA of the current TSO super-packet's segment 0 (outbound)
  PortMap& m_ports;  // transport-mode NAT-T port translation (shared by the workers)
  TunFragments m_frag;  // IPv4 and IPv6 reassembly before the SPD lookup (fragments.h)
  PathMtu m_pmtu{m_s.raw_out ? m_s.raw_out->fd() : -1};  // ICMP frag needed (pmtu.h)
};

}  // namespace ipseckit::espd
