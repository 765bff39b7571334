#include "esp/outbound.h"

#include <cstring>

#include "esp/ip_headers.h"
#include "esp/pmtu.h"
#include "esp/sa_common.h"
#include "wire/ah.h"
#include "wire/esp.h"
#include "wire/ipv6.h"
#include "wire/udp.h"

namespace ipseckit::esp {
namespace {

constexpr std::uint8_t kProtoIpip = 4, kProtoIpv6 = 41, kProtoUdp = 17, kProtoEsp = 50, kProtoAh = 51;

void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}

}  // namespace

OutboundSa::OutboundSa(SaConfig config, SaEnv env, std::optional<EspCrypto> esp, std::optional<AhCrypto> ah)
    : m_config(std::move(config)),
      m_env(std::move(env)),
      m_esp(std::move(esp)),
      m_ah(std::move(ah)),
      m_life(m_config.lifetime, m_env.clock ? m_env.clock->now_ms() : 0),
      m_seq(m_config.seq_start) {
  if (m_env.rng) {
    std::uint8_t id[2];
    m_env.rng->fill(id);
    m_ip_id = static_cast<std::uint16_t>((id[0] << 8) | id[1]);
  }
}

Result<OutboundSa> OutboundSa::create(SaConfig config, SaEnv env) {
  auto crypto = build_sa_crypto(config);
  if (!crypto) return crypto.error();
  const bool cbc = crypto->esp && crypto->esp->suite().kind == CipherKind::cbc;
  if (!env.rng && (cbc || (config.mode == Mode::tunnel && config.local.is_v4())))
    return Error::make("config", "SA: a random source is needed for CBC IVs and IPv4 IDs");
  if (!env.clock && (config.lifetime.soft_seconds || config.lifetime.hard_seconds))
    return Error::make("config", "SA: lifetimes in seconds need a clock");
  if (!config.esn && config.seq_start >= 0xFFFFFFFFu)
    return Error::make("config", "SA: the 32-bit sequence number space is already used up");
  return OutboundSa(std::move(config), std::move(env), std::move(crypto->esp), std::move(crypto->ah));
}

void OutboundSa::fire(EventKind kind, EventCause cause) {
  if (m_env.on_event) m_env.on_event(SaEvent{kind, cause, event_spi(m_config), true});
}

TxResult OutboundSa::fail(TxStatus s) {
  switch (s) {
    case TxStatus::malformed: ++m_counters.malformed; break;
    case TxStatus::no_room: ++m_counters.no_room; break;
    case TxStatus::too_big: ++m_counters.too_big; break;
    case TxStatus::seq_exhausted: ++m_counters.seq_exhausted; break;
    case TxStatus::expired: ++m_counters.expired; break;
    case TxStatus::crypto_failed: ++m_counters.crypto_failed; break;
    case TxStatus::ok: break;
  }
  return TxResult{s, 0};
}

bool OutboundSa::poll() {
  if (!m_env.clock) return !m_life.expired();
  return m_life.poll(m_env.clock->now_ms(), [this](EventKind k, EventCause c) { fire(k, c); });
}

bool OutboundSa::next_seq(std::uint64_t& seq) {
  // RFC 4303 §3.3.3: "the sender's counter ... MUST NOT be allowed to cycle"; a new SA must be
  // made first. Soft event when 15/16 of the space is used, hard event at the end.
  const std::uint64_t limit = m_config.esn ? ~std::uint64_t{0} : 0xFFFFFFFFu;
  auto f = [this](EventKind k, EventCause c) { fire(k, c); };
  if (m_seq >= limit) {
    m_life.sequence(EventKind::hard, f);
    return false;
  }
  seq = ++m_seq;
  if (seq >= limit - (limit >> 4)) m_life.sequence(EventKind::soft, f);
  return true;
}

std::size_t OutboundSa::front_bytes(bool outer_v6) const {
  std::size_t n = m_config.udp_encap ? wire::kUdpHeaderSize : 0;
  if (m_ah) n += wire::ah_header_length(m_ah->suite().icv, outer_v6);
  if (m_esp) n += wire::kEspHeaderSize + m_esp->suite().iv;
  return n;
}

std::size_t OutboundSa::outer_size(std::size_t inner_len, std::size_t inner_header_len) const {
  const bool tunnel = m_config.mode == Mode::tunnel;
  const bool outer_v6 = tunnel ? m_config.local.is_v6() : inner_header_len >= wire::kIpv6HeaderSize;
  const std::size_t kept = tunnel ? (outer_v6 ? wire::kIpv6HeaderSize : 20) : inner_header_len;
  const std::size_t payload = tunnel ? inner_len : inner_len - inner_header_len;
  std::size_t esp_tail = 0;
  if (m_esp)
    esp_tail = wire::esp_pad_length(payload, m_esp->suite().block) + wire::kEspTrailerSize + m_esp->suite().icv;
  return kept + front_bytes(outer_v6) + payload + esp_tail;
}

std::size_t OutboundSa::max_inner_size(std::size_t mtu, std::size_t inner_header_len) const {
  const bool tunnel = m_config.mode == Mode::tunnel;
  const bool outer_v6 = tunnel ? m_config.local.is_v6() : inner_header_len >= wire::kIpv6HeaderSize;
  const std::size_t kept = tunnel ? (outer_v6 ? wire::kIpv6HeaderSize : 20) : inner_header_len;
  std::size_t fixed = kept + front_bytes(outer_v6);
  std::size_t block = 1;
  if (m_esp) {
    fixed += m_esp->suite().icv;
    block = m_esp->suite().block < 4 ? 4 : m_esp->suite().block;
  }
  if (mtu <= fixed + wire::kEspTrailerSize) return 0;
  std::size_t payload = mtu - fixed;
  if (m_esp) payload = payload / block * block - wire::kEspTrailerSize;
  return tunnel ? payload : payload + inner_header_len;
}

std::uint64_t OutboundSa::now() const {
  // The clock is read only when a lifetime in seconds needs it (once per packet then).
  const LifetimeLimits& l = m_config.lifetime;
  return m_env.clock && (l.soft_seconds || l.hard_seconds) ? m_env.clock->now_ms() : 0;
}

TxResult OutboundSa::protect(PacketBuf& pkt) {
  const std::uint64_t now_ms = now();
  auto fire_fn = [this](EventKind k, EventCause c) { fire(k, c); };
  if (m_life.expired() || !m_life.poll(now_ms, fire_fn)) return fail(TxStatus::expired);
  IpInfo info;
  if (!inspect_packet(pkt.view(), false, info) || info.fragment) return fail(TxStatus::malformed);
  pkt.trim(info.total_len);
  if (m_config.clamp_mss) clamp_tcp_mss(pkt.span(), m_config.clamp_mss);

  const bool tunnel = m_config.mode == Mode::tunnel;
  const bool outer_v6 = tunnel ? m_config.local.is_v6() : info.v6;
  const std::size_t inner_len = pkt.size();
  const std::size_t kept = tunnel ? 0 : info.header_len;
  const std::size_t payload_len = inner_len - kept;
  const std::size_t outer_hdr = tunnel ? (outer_v6 ? wire::kIpv6HeaderSize : 20) : kept;
  const std::uint8_t inner_proto = tunnel ? (info.v6 ? kProtoIpv6 : kProtoIpip) : info.proto;

  const std::size_t ahl = m_ah ? wire::ah_header_length(m_ah->suite().icv, outer_v6) : 0;
  const std::size_t udp = m_config.udp_encap ? wire::kUdpHeaderSize : 0;
  std::size_t esp_front = 0, esp_back = 0, pad = 0;
  if (m_esp) {
    const EspSuite& s = m_esp->suite();
    pad = wire::esp_pad_length(payload_len, s.block);
    esp_front = wire::kEspHeaderSize + s.iv;
    esp_back = pad + wire::kEspTrailerSize + s.icv;
  }
  const std::size_t total = outer_hdr + udp + ahl + esp_front + payload_len + esp_back;
  if (total > (outer_v6 ? 0xFFFF + wire::kIpv6HeaderSize : 0xFFFF)) return fail(TxStatus::too_big);
  if (m_config.path_mtu && total > m_config.path_mtu) {
    // RFC 4301 §8.2: a packet that may not be fragmented is refused with the usable MTU.
    // Outer IPv6 packets are never fragmented here; an inner IPv6 packet is answered with
    // "packet too big" unless that would report less than the IPv6 minimum MTU (RFC 8200 §5).
    const bool outer_df = tunnel && m_config.df == DfPolicy::set;
    const bool inner_df = info.v6 ? max_inner_size(m_config.path_mtu, info.header_len) >= 1280 : info.df;
    if (outer_v6 || outer_df || (m_config.df != DfPolicy::clear && inner_df)) return fail(TxStatus::too_big);
  }
  if (pkt.headroom() + kept < outer_hdr + udp + ahl + esp_front || pkt.tailroom() < esp_back)
    return fail(TxStatus::no_room);
  std::uint64_t seq = 0;
  if (!next_seq(seq)) return fail(TxStatus::seq_exhausted);
  const auto seq_lo = static_cast<std::uint32_t>(seq);
  const auto seq_hi = static_cast<std::uint32_t>(seq >> 32);

  // Transport mode: lift the kept headers off; they go back in front at the end.
  std::uint8_t saved[kMaxKeptHeaders];
  std::memcpy(saved, pkt.data(), kept);
  pkt.pull(kept);

  if (m_esp) {
    const EspSuite& s = m_esp->suite();
    const std::size_t end = pkt.size();
    pkt.put(esp_back);
    wire::write_esp_trailer(pkt.span().subspan(end), pad, inner_proto);
    pkt.push(esp_front);
    wire::write_esp_header(pkt.span(), wire::EspHeader{m_config.esp->spi, seq_lo});
    std::uint8_t* iv = pkt.data() + wire::kEspHeaderSize;
    if (s.kind == CipherKind::cbc) {
      m_env.rng->fill(std::span<std::uint8_t>(iv, s.iv));  // RFC 3602 §3: unpredictable
    } else if (s.iv == 8) {
      put_u64(iv, seq);  // RFC 4106 §3.1: unique per key; the sequence number is
    }
    if (!m_esp->seal(pkt.span(), m_config.esn, seq_hi)) return fail(TxStatus::crypto_failed);
  }
  if (m_ah) {
    pkt.push(ahl);
    wire::write_ah_header(pkt.span(), m_esp ? kProtoEsp : inner_proto, ahl, m_config.ah->spi, seq_lo);
    if (m_ah->iv_size()) put_u64(pkt.data() + wire::kAhFixedSize, seq);
  }
  if (udp) {
    pkt.push(udp);
    wire::write_udp_header(pkt.span(), wire::UdpHeader{m_config.udp_encap->local_port,
                                                       m_config.udp_encap->remote_port,
                                                       static_cast<std::uint16_t>(pkt.size()), 0});
  }
  const std::uint8_t outer_proto = udp ? kProtoUdp : (m_ah ? kProtoAh : kProtoEsp);
  IpInfo outer;
  if (tunnel) {
    pkt.push(outer_hdr);
    OuterHeader h;
    h.src = m_config.local;
    h.dst = m_config.remote;
    h.proto = outer_proto;
    h.ttl = m_config.outer_ttl;
    h.tos = info.tos;  // DSCP copied (RFC 4301 §5.1.2.1), ECN copied (RFC 6040 §4.1)
    h.df = m_config.df == DfPolicy::set || (m_config.df == DfPolicy::copy && !info.v6 && info.df);
    h.id = m_ip_id++;
    write_outer_header(pkt.span(), h, pkt.size());
    outer.v6 = outer_v6;
    outer.header_len = outer_hdr;
    outer.next_header_off = outer_v6 ? 6 : 9;
  } else {
    pkt.push(kept);
    std::memcpy(pkt.data(), saved, kept);
    outer = info;
    patch_ip_header(pkt.span(), outer, outer_proto);
  }
  if (m_ah) {
    // RFC 4302 §3.3.3: the ICV covers the IP header(s) with mutable fields zeroed, the AH header
    // with a zero authenticator (a GMAC IV stays), the rest, and the implicit ESN high bits.
    std::uint8_t hdrs[kMaxKeptHeaders];
    std::memcpy(hdrs, pkt.data(), outer.header_len);
    auto z = outer.v6 ? wire::ah_zero_mutable_ipv6(std::span<std::uint8_t>(hdrs, outer.header_len))
                      : wire::ah_zero_mutable_ipv4(std::span<std::uint8_t>(hdrs, outer.header_len));
    if (!z) return fail(TxStatus::malformed);
    std::uint8_t* ah = pkt.data() + outer.header_len;
    std::uint8_t hi[4] = {static_cast<std::uint8_t>(seq_hi >> 24), static_cast<std::uint8_t>(seq_hi >> 16),
                          static_cast<std::uint8_t>(seq_hi >> 8), static_cast<std::uint8_t>(seq_hi)};
    const ByteView pieces[4] = {ByteView(hdrs, outer.header_len), ByteView(ah, ahl),
                                ByteView(ah + ahl, pkt.size() - outer.header_len - ahl),
                                m_config.esn ? ByteView(hi, 4) : ByteView()};
    const std::size_t ivs = m_ah->iv_size();
    if (!m_ah->authenticate(ByteView(ah + wire::kAhFixedSize, ivs), pieces,
                            std::span<std::uint8_t>(ah + wire::kAhFixedSize + ivs, m_ah->tag_size())))
      return fail(TxStatus::crypto_failed);
  }
  if (udp && outer.v6)  // RFC 8200 §8.1: IPv6 has no zero-checksum UDP (RFC 3948 §2.1 is IPv4)
    wire::set_udp_checksum(pkt.span().subspan(outer.header_len), tunnel ? m_config.local : info.src,
                           tunnel ? m_config.remote : info.dst);
  ++m_counters.ok;
  m_counters.bytes += inner_len;
  m_life.add(inner_len, now_ms, fire_fn);
  return TxResult{TxStatus::ok, outer.header_len};
}

}  // namespace ipseckit::esp
