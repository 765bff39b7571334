// Transport-mode NAT-T port translation: several hosts behind one NAT, each with its own
// transport-mode ESP-in-UDP SA (RFC 3948), e.g. Windows L2TP/IPsec clients.
//
// The problem. In transport mode there is no inner IP header: after decapsulation the packet
// carries the outer source address, the NAT's public address (RFC 3948 §3.1.2 fixes the TCP
// and UDP checksums for it). Two clients behind one NAT that both talk L2TP from UDP 1701 to
// our 1701 therefore arrive as the same five-tuple NAT:1701 -> us:1701, and an answer from
// l2tpd to NAT:1701 matches both clients' outbound SAs (same selectors). Linux needed the
// out-of-tree "SAref" patches (IPSEC_SAREF socket option) for this; without them xl2tpd
// serves one client per NAT.
//
// What tells the clients apart is the NAT itself: each inside host has its own mapping, so
// its ESP-in-UDP datagrams come from a distinct public UDP source port, and that port is
// stable for the life of the mapping (IKE keeps it open with keepalives, RFC 3948 §4) and
// across Quick Mode rekeys. espd uses it as the flow's identity, like a port-translating
// NAT of its own between the SA and the local stack:
//   inbound   an SA whose peer's port was translated (transport mode, UDP-encapsulated,
//             remote encapsulation port != local one: the peer sent from 4500 and its NAT
//             changed that) gets the inner TCP/UDP source port replaced by the encapsulation
//             port, checksum updated incrementally (RFC 1624); the original port is
//             remembered under (peer address, protocol, encapsulation port);
//   outbound  before the SPD lookup, a TCP/UDP packet to a remembered (peer, protocol, port)
//             gets its original destination port back, and only an SA with that
//             encapsulation port may carry it (SaTable::outbound, encap_rank()).
// l2tpd thus sees the second client as NAT:<its NAT-T port> and answers there; nothing in
// l2tpd knows about it. A peer whose NAT kept port 4500 (at most one per public address) is
// left alone, so one client behind a port-preserving NAT and every client not behind a NAT
// look exactly as before; untranslated packets prefer the untranslated SA.
// Limits: a NAT rebinding that changes the port changes the flow's port (the L2TP tunnel
// then times out and the client reconnects); a peer host whose own inner source port equals
// another host's NAT-T port cannot be told apart; a server behind a port-forwarding NAT
// that maps 4500 to another public port would be translated from the client's side.
#pragma once

#include <cstdint>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <tuple>

#include "esp/config.h"
#include "wire/ip_address.h"
#include "wire/ip_packet.h"

namespace ipseckit::espd {

// Whether an SA's peer is behind a port-translating NAT (see above).
bool port_translated(const esp::SaConfig& c);

// How well an outbound SA suits a packet whose port mapping gave `mapped` (the encapsulation
// port it must use; nullopt: no mapping): -1 never, 0 only when nothing better, 1 yes.
int encap_rank(const esp::SaConfig& c, std::optional<std::uint16_t> mapped);

// Shared by espd's workers: every member takes the map's lock (on_outbound only when the
// map is not empty, so untranslated traffic never waits on it).
class PortMap {
 public:
  static constexpr std::size_t kMaxEntries = 65536;
  static constexpr std::uint64_t kIdleMs = 600000;  // pruned when full and idle this long

  // After the SA unprotected the packet and its selectors were checked.
  void on_inbound(const esp::SaConfig& c, std::span<std::uint8_t> ip, std::uint64_t now_ms);
  // Before the SPD lookup of a packet from the TUN: restores the original destination port
  // of a mapped flow (packet and tuple) and returns the encapsulation port its SA must have.
  std::optional<std::uint16_t> on_outbound(std::span<std::uint8_t> ip, wire::FiveTuple& t);
  // No SA carries the mapped port any more.
  void forget(const wire::IpAddr& peer, std::uint8_t proto, std::uint16_t port);

  std::size_t size() const { return m_size.load(std::memory_order_relaxed); }
  std::uint64_t translated_in() const {
    std::lock_guard g(m_mu);
    return m_in;
  }
  std::uint64_t translated_out() const {
    std::lock_guard g(m_mu);
    return m_out;
  }

 private:
  using Key = std::tuple<wire::IpAddr, std::uint8_t, std::uint16_t>;  // peer, protocol, NAT-T port
  struct Entry {
    std::uint16_t orig = 0;  // the peer's own source port
    std::uint64_t used_ms = 0;
  };
  void prune(std::uint64_t now_ms);
  std::map<Key, Entry> m_map;
  std::uint64_t m_in = 0, m_out = 0;
  mutable std::mutex m_mu;
  std::atomic<std::size_t> m_size{0};  // m_map.size(), read without the lock
};

}  // namespace ipseckit::espd
