// Transport-mode NAT-T port translation (port_map.h).
#include "port_map.h"

#include "base/log.h"
#include "wire/udp.h"

namespace ipseckit::espd {

namespace {

constexpr std::uint8_t kTcp = 6, kUdp = 17;

// The offset of the TCP/UDP header of an unfragmented (or first-fragment) IPv4 packet with
// room for the whole header, or 0.
std::size_t l4_offset(std::span<const std::uint8_t> ip, std::uint8_t& proto) {
  if (ip.size() < 20 || (ip[0] >> 4) != 4) return 0;
  const std::size_t hl = std::size_t{ip[0] & 0x0Fu} * 4;
  proto = ip[9];
  if (proto != kTcp && proto != kUdp) return 0;
  if (hl < 20 || ((ip[6] & 0x1Fu) | ip[7]) != 0) return 0;  // a later fragment: no ports
  if (ip.size() < hl + (proto == kTcp ? 20u : 8u)) return 0;
  return hl;
}

// Replaces the 16-bit port at `at` (0: source, 2: destination) and updates the checksum.
void set_port(std::span<std::uint8_t> l4, std::uint8_t proto, std::size_t at, std::uint16_t port) {
  const std::uint8_t to[2] = {static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port)};
  const std::size_t ck = proto == kTcp ? 16 : 6;
  const auto cur = static_cast<std::uint16_t>((l4[ck] << 8) | l4[ck + 1]);
  if (proto == kTcp || cur != 0) {  // a zero UDP checksum means none (RFC 768)
    std::uint16_t sum = wire::checksum_replace(cur, ByteView(l4.data() + at, 2), ByteView(to, 2));
    if (proto == kUdp && sum == 0) sum = 0xFFFF;
    l4[ck] = static_cast<std::uint8_t>(sum >> 8);
    l4[ck + 1] = static_cast<std::uint8_t>(sum);
  }
  l4[at] = to[0];
  l4[at + 1] = to[1];
}

}  // namespace

bool port_translated(const esp::SaConfig& c) {
  return c.mode == esp::Mode::transport && c.udp_encap && c.udp_encap->remote_port != c.udp_encap->local_port;
}

int encap_rank(const esp::SaConfig& c, std::optional<std::uint16_t> mapped) {
  if (!port_translated(c)) return mapped ? -1 : 1;
  if (mapped) return c.udp_encap->remote_port == *mapped ? 1 : -1;
  return 0;
}

void PortMap::on_inbound(const esp::SaConfig& c, std::span<std::uint8_t> ip, std::uint64_t now_ms) {
  if (!port_translated(c)) return;
  std::uint8_t proto = 0;
  const std::size_t hl = l4_offset(ip, proto);
  if (!hl) return;
  std::lock_guard g(m_mu);
  auto l4 = ip.subspan(hl);
  const auto orig = static_cast<std::uint16_t>((l4[0] << 8) | l4[1]);
  const std::uint16_t port = c.udp_encap->remote_port;
  const Key k{c.remote, proto, port};
  auto it = m_map.find(k);
  if (it == m_map.end()) {
    if (m_map.size() >= kMaxEntries) prune(now_ms);
    if (m_map.size() >= kMaxEntries) return;  // untranslated: the flow may reach the wrong SA's peer
    it = m_map.emplace(k, Entry{orig, now_ms}).first;
    log::msg(log::Subsys::esp, log::Level::control, "{} port {} arrives through NAT-T port {}: presented as {}:{}",
             c.remote.str(), orig, port, c.remote.str(), port);
  } else if (it->second.orig != orig) {
    log::msg(log::Subsys::esp, log::Level::control, "{} NAT-T port {}: its inner port is now {} (was {})",
             c.remote.str(), port, orig, it->second.orig);
    it->second.orig = orig;
  }
  it->second.used_ms = now_ms;
  if (orig != port) set_port(l4, proto, 0, port);
  ++m_in;
  m_size.store(m_map.size(), std::memory_order_relaxed);
}

std::optional<std::uint16_t> PortMap::on_outbound(std::span<std::uint8_t> ip, wire::FiveTuple& t) {
  if (m_size.load(std::memory_order_relaxed) == 0) return std::nullopt;
  std::uint8_t proto = 0;
  const std::size_t hl = l4_offset(ip, proto);
  if (!hl) return std::nullopt;
  std::lock_guard g(m_mu);
  auto it = m_map.find(Key{t.dst, proto, t.dst_port});
  if (it == m_map.end()) return std::nullopt;
  const std::uint16_t port = t.dst_port;
  if (it->second.orig != port) set_port(ip.subspan(hl), proto, 2, it->second.orig);
  t.dst_port = it->second.orig;
  ++m_out;
  return port;
}

void PortMap::forget(const wire::IpAddr& peer, std::uint8_t proto, std::uint16_t port) {
  std::lock_guard g(m_mu);
  m_map.erase(Key{peer, proto, port});
  m_size.store(m_map.size(), std::memory_order_relaxed);
}

void PortMap::prune(std::uint64_t now_ms) {
  for (auto it = m_map.begin(); it != m_map.end();)
    it = now_ms - it->second.used_ms > kIdleMs ? m_map.erase(it) : std::next(it);
}

}  // namespace ipseckit::espd
