// ICMP "fragmentation needed" for protected traffic (pmtu.h).
#include "pmtu.h"

#include "base/log.h"
#include "esp/ip_headers.h"
#include "esp/pmtu.h"
#include "esp/tun_v6.h"
#include "sys/route_mtu.h"

namespace ipseckit::espd {

unsigned PathMtu::mtu_to(const wire::IpAddr& dst, std::uint64_t now_ms) {
  if (!m_mark) m_mark = sys::socket_mark(m_mark_fd);
  Entry* e = nullptr;
  for (auto& c : m_cache)
    if (c.dst == dst) e = &c;
  if (e && now_ms - e->at_ms < kRefreshMs) return e->mtu;
  if (!e) {
    if (m_cache.size() >= 256) m_cache.clear();
    e = &m_cache.emplace_back(Entry{dst, 0, 0});
  }
  e->at_ms = now_ms;
  auto r = sys::route_mtu(dst, *m_mark);
  e->mtu = r ? *r : 0;
  if (!r) log::msg(log::Subsys::net, log::Level::diag, "path MTU: {}", r.error().message);
  return e->mtu;
}

// RFC 4301 §8.2, RFC 8200 §5, RFC 4443 §3.2: an inner IPv6 packet is never fragmented in
// transit, so one that does not fit once protected is answered with Packet Too Big — unless
// the room left is below 1280 bytes, when it is protected anyway (tun_v6.h).
std::optional<ByteView> PathMtu::too_big_v6(const esp::OutboundSa& sa, ByteView pkt, std::uint64_t now_ms) {
  const auto& c = sa.config();
  esp::IpInfo info;
  if (!esp::inspect_packet(pkt, false, info)) return std::nullopt;
  const unsigned mtu = mtu_to(c.remote, now_ms);
  if (!mtu) return std::nullopt;
  const std::size_t fits = sa.max_inner_size(mtu, info.header_len);
  const std::uint32_t report = esp::v6_too_big_mtu(pkt.size(), fits);
  if (!report) return std::nullopt;
  // The error comes from the peer, or (IPv6 in an IPv4 tunnel) from the packet's destination.
  auto n = esp::build_icmp_too_big(pkt, report, c.remote.is_v6() ? c.remote : info.dst, m_icmp);
  if (!n) return std::nullopt;
  ++m_refused;
  log::msg(log::Subsys::esp, log::Level::diag, "{} -> {}: {} bytes of IPv6, path MTU {}: ICMPv6 packet too big (mtu {})",
           c.local.str(), c.remote.str(), pkt.size(), mtu, report);
  return ByteView(m_icmp.data(), *n);
}

std::optional<ByteView> PathMtu::too_big(const esp::OutboundSa& sa, ByteView pkt, std::uint64_t now_ms) {
  if (pkt.size() >= 40 && (pkt[0] >> 4) == 6) return too_big_v6(sa, pkt, now_ms);
  // IPv4 with DF set only (RFC 1191); without DF the outer packet is fragmented (RFC 4301 §8.1).
  if (pkt.size() < 20 || (pkt[0] >> 4) != 4 || !(pkt[6] & 0x40)) return std::nullopt;
  const auto& c = sa.config();
  const unsigned mtu = mtu_to(c.remote, now_ms);
  if (!mtu) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(pkt[0] & 0x0f) * 4;
  const std::size_t fits = sa.max_inner_size(mtu, header);
  if (pkt.size() <= fits || fits < 68) return std::nullopt;
  // RFC 4301 §8.2.1: the reported MTU is what is left for the inner packet.
  auto n = esp::build_icmp_too_big(pkt, static_cast<std::uint32_t>(fits), c.remote, m_icmp);
  if (!n) return std::nullopt;
  ++m_refused;
  log::msg(log::Subsys::esp, log::Level::diag, "{} -> {}: {} bytes with DF, path MTU {}: ICMP frag needed (mtu {})",
           c.local.str(), c.remote.str(), pkt.size(), mtu, fits);
  return ByteView(m_icmp.data(), *n);
}

}  // namespace ipseckit::espd
