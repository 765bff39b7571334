#include "esp/inbound.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "esp/demux.h"
#include "esp/pmtu.h"
#include "esp/sa_common.h"
#include "wire/ah.h"
#include "wire/esp.h"
#include "wire/udp.h"

namespace ipseckit::esp {
namespace {

constexpr std::uint8_t kProtoIpip = 4, kProtoIpv6 = 41, kProtoUdp = 17, kProtoEsp = 50, kProtoAh = 51;
constexpr std::size_t kMaxAhHeader = 64;  // 12 + ICV (at most 32, GMAC 24) + IPv6 padding

}  // namespace

InboundSa::InboundSa(SaConfig config, SaEnv env, std::optional<EspCrypto> esp, std::optional<AhCrypto> ah)
    : m_config(std::move(config)),
      m_env(std::move(env)),
      m_esp(std::move(esp)),
      m_ah(std::move(ah)),
      m_esp_window(m_config.replay_window, m_config.esn, m_config.replay_top),
      m_ah_window(m_config.replay_window, m_config.esn, m_config.replay_top),
      m_life(m_config.lifetime, m_env.clock ? m_env.clock->now_ms() : 0) {}

Result<InboundSa> InboundSa::create(SaConfig config, SaEnv env) {
  auto crypto = build_sa_crypto(config);
  if (!crypto) return crypto.error();
  if (!env.clock && (config.lifetime.soft_seconds || config.lifetime.hard_seconds))
    return Error::make("config", "SA: lifetimes in seconds need a clock");
  return InboundSa(std::move(config), std::move(env), std::move(crypto->esp), std::move(crypto->ah));
}

void InboundSa::fire(EventKind kind, EventCause cause) {
  if (m_env.on_event) m_env.on_event(SaEvent{kind, cause, event_spi(m_config), false});
}

bool InboundSa::poll() {
  if (!m_env.clock) return !m_life.expired();
  return m_life.poll(m_env.clock->now_ms(), [this](EventKind k, EventCause c) { fire(k, c); });
}

RxStatus InboundSa::count(RxStatus s) {
  switch (s) {
    case RxStatus::ok: ++m_counters.ok; break;
    case RxStatus::malformed: ++m_counters.malformed; break;
    case RxStatus::bad_spi: ++m_counters.bad_spi; break;
    case RxStatus::replayed: ++m_counters.replayed; break;
    case RxStatus::auth_failed: ++m_counters.auth_failed; break;
    case RxStatus::decrypt_failed: ++m_counters.decrypt_failed; break;
    case RxStatus::dummy: ++m_counters.dummy; break;
    case RxStatus::expired: ++m_counters.expired; break;
  }
  return s;
}

std::uint64_t InboundSa::now() const {
  const LifetimeLimits& l = m_config.lifetime;
  return m_env.clock && (l.soft_seconds || l.hard_seconds) ? m_env.clock->now_ms() : 0;
}

RxStatus InboundSa::unprotect(PacketBuf& pkt) {
  m_now = now();
  if (m_life.expired() || !m_life.poll(m_now, [this](EventKind k, EventCause c) { fire(k, c); }))
    return count(RxStatus::expired);
  IpInfo info;
  if (!inspect_packet(pkt.view(), true, info) || info.fragment) return count(RxStatus::malformed);
  pkt.trim(info.total_len);
  const std::uint8_t outer_tos = info.tos;
  std::uint8_t next = info.proto;
  std::size_t at = info.header_len;
  if (m_config.udp_encap) {
    // RFC 3948 §3.1: ESP arrives inside UDP; IKE (non-ESP marker) and keepalives are demuxed
    // by the caller before an SA is involved.
    if (next != kProtoUdp) return count(RxStatus::malformed);
    // RFC 768 length field = the rest of the packet (the UDP header is not authenticated and is
    // only checked for framing; its checksum is not verified, RFC 3948 §2.1).
    const ByteView udp = pkt.view().subspan(at);
    if (udp.size() < wire::kUdpHeaderSize || ((std::size_t{udp[4]} << 8) | udp[5]) != udp.size())
      return count(RxStatus::malformed);
    at += wire::kUdpHeaderSize;
    if (wire::classify_udp_encap(pkt.view().subspan(at)) != wire::UdpEncapKind::esp)
      return count(RxStatus::malformed);
    next = kProtoEsp;
  }
  if (m_ah) {
    if (next != kProtoAh) return count(RxStatus::malformed);
    const RxStatus s = strip_ah(pkt, info, next);
    if (s != RxStatus::ok) return count(s);
    at = info.header_len;
  }
  if (m_esp) {
    if (next != kProtoEsp) return count(RxStatus::malformed);
    const RxStatus s = strip_esp(pkt, info, at, next);
    if (s != RxStatus::ok) return count(s);
  }
  return count(finish(pkt, info, next, outer_tos));
}

RxStatus InboundSa::unprotect_udp_payload(PacketBuf& pkt) {
  m_now = now();
  if (m_life.expired() || !m_life.poll(m_now, [this](EventKind k, EventCause c) { fire(k, c); }))
    return count(RxStatus::expired);
  if (!takes_udp_payload() || wire::classify_udp_encap(pkt.view()) != wire::UdpEncapKind::esp)
    return count(RxStatus::malformed);
  IpInfo info;  // no header in front of the ESP packet: header_len 0
  std::uint8_t next = kProtoEsp;
  const RxStatus s = strip_esp(pkt, info, 0, next);
  if (s != RxStatus::ok) return count(s);
  return count(finish(pkt, info, next, 0));
}

RxStatus InboundSa::strip_ah(PacketBuf& pkt, IpInfo& info, std::uint8_t& next) {
  const std::size_t hl = info.header_len;
  auto h = wire::parse_ah_header(pkt.view().subspan(hl));
  if (!h) return RxStatus::malformed;
  if (h->spi != m_config.ah->spi) return RxStatus::bad_spi;
  const std::size_t ahl = wire::ah_header_length(m_ah->suite().icv, info.v6);
  if (h->length != ahl || ahl > kMaxAhHeader || hl > kMaxKeptHeaders) return RxStatus::malformed;
  // RFC 4302 §3.4.3: the replay check comes before the ICV.
  const std::uint64_t seq = m_ah_window.infer(h->seq);
  if (m_ah_window.check(seq) != ReplayCheck::ok) return RxStatus::replayed;
  std::uint8_t hdrs[kMaxKeptHeaders];
  std::memcpy(hdrs, pkt.data(), hl);
  auto z = info.v6 ? wire::ah_zero_mutable_ipv6(std::span<std::uint8_t>(hdrs, hl))
                   : wire::ah_zero_mutable_ipv4(std::span<std::uint8_t>(hdrs, hl));
  if (!z) return RxStatus::malformed;
  const std::size_t ivs = m_ah->iv_size(), tag = m_ah->tag_size();
  std::uint8_t ah[kMaxAhHeader];
  std::memcpy(ah, pkt.data() + hl, ahl);
  std::fill(ah + wire::kAhFixedSize + ivs, ah + ahl, std::uint8_t{0});  // §3.3.3.2: ICV zeroed
  const auto seq_hi = static_cast<std::uint32_t>(seq >> 32);
  const std::uint8_t hi[4] = {static_cast<std::uint8_t>(seq_hi >> 24), static_cast<std::uint8_t>(seq_hi >> 16),
                              static_cast<std::uint8_t>(seq_hi >> 8), static_cast<std::uint8_t>(seq_hi)};
  const ByteView pieces[4] = {ByteView(hdrs, hl), ByteView(ah, ahl), pkt.view().subspan(hl + ahl),
                              m_config.esn ? ByteView(hi, 4) : ByteView()};
  if (!m_ah->check(ByteView(pkt.data() + hl + wire::kAhFixedSize, ivs), pieces,
                   ByteView(pkt.data() + hl + wire::kAhFixedSize + ivs, tag)))
    return RxStatus::auth_failed;
  m_ah_window.update(seq);
  next = h->next_header;
  // Take AH out: the IP header(s) move forward over it.
  std::memmove(pkt.data() + ahl, pkt.data(), hl);
  pkt.pull(ahl);
  pkt.data()[info.next_header_off] = next;
  return RxStatus::ok;
}

RxStatus InboundSa::strip_esp(PacketBuf& pkt, IpInfo& info, std::size_t at, std::uint8_t& next) {
  std::span<std::uint8_t> esp = pkt.span().subspan(at);
  wire::EspHeader h;
  if (!wire::read_esp_header(esp, h)) return RxStatus::malformed;
  if (h.spi != m_config.esp->spi) return RxStatus::bad_spi;
  const EspSuite& s = m_esp->suite();
  if (esp.size() < wire::kEspHeaderSize + s.iv + wire::kEspTrailerSize + s.icv) return RxStatus::malformed;
  const std::size_t body = esp.size() - wire::kEspHeaderSize - s.iv - s.icv;
  if (s.kind == CipherKind::cbc && body % s.block != 0) return RxStatus::malformed;
  // RFC 4303 §3.4.3: replay check (no state change), then the ICV, then the window moves.
  std::uint64_t seq = m_esp_window.infer(h.seq);
  if (m_esp_window.check(seq) != ReplayCheck::ok) return RxStatus::replayed;
  // RFC 4303 Appendix A3: out of step after many failures, Seqh + 1 is tried too (replay.h).
  // GCM decrypts in place before its tag check, so the packet is kept for the second try.
  std::uint64_t higher = 0;
  const bool resync = m_esp_window.resync_candidate(seq, higher);
  std::vector<std::uint8_t> copy;
  if (resync && s.kind == CipherKind::gcm) copy.assign(esp.begin(), esp.end());
  auto r = m_esp->verify_and_decrypt(esp, m_config.esn, static_cast<std::uint32_t>(seq >> 32));
  if (r == OpenResult::auth_failed && resync) {
    if (!copy.empty()) std::copy(copy.begin(), copy.end(), esp.begin());
    r = m_esp->verify_and_decrypt(esp, m_config.esn, static_cast<std::uint32_t>(higher >> 32));
    if (r == OpenResult::ok) seq = higher;
  }
  m_esp_window.auth_result(r != OpenResult::auth_failed);
  switch (r) {
    case OpenResult::ok: break;
    case OpenResult::auth_failed: return RxStatus::auth_failed;
    case OpenResult::decrypt_failed: return RxStatus::decrypt_failed;
  }
  m_esp_window.update(seq);
  const std::size_t payload_at = at + wire::kEspHeaderSize + s.iv;
  wire::EspTrailer t;
  if (!wire::read_esp_trailer(ByteView(pkt.data() + payload_at, body), t)) return RxStatus::decrypt_failed;
  next = t.next_header;
  if (next == wire::kNextHeaderNone) return RxStatus::dummy;  // RFC 4303 §2.6
  // Close the gap between the IP header(s) and the payload.
  const std::size_t hl = info.header_len, gap = payload_at - hl;
  std::memmove(pkt.data() + gap, pkt.data(), hl);
  pkt.pull(gap);
  pkt.trim(hl + t.payload_length);
  return RxStatus::ok;
}

RxStatus InboundSa::finish(PacketBuf& pkt, IpInfo& info, std::uint8_t next, std::uint8_t outer_tos) {
  if (m_config.mode == Mode::tunnel) {
    // RFC 4303 §2.3 / RFC 4301 §5.2: tunnel mode carries a whole IP packet.
    if (next != kProtoIpip && next != kProtoIpv6) return RxStatus::malformed;
    pkt.pull(info.header_len);
    IpInfo in;
    if (!inspect_packet(pkt.view(), true, in) || in.v6 != (next == kProtoIpv6)) return RxStatus::malformed;
    pkt.trim(in.total_len);  // TFC padding after the inner packet (RFC 4303 §2.7)
    propagate_ecn(pkt.span(), outer_tos);
  } else {
    patch_ip_header(pkt.span(), info, next);
    info.proto = next;
    info.total_len = pkt.size();
    if (m_config.udp_encap)
      fixup_transport_checksum(pkt.span(), info, m_config.udp_encap->orig_src, m_config.udp_encap->orig_dst);
  }
  if (m_config.clamp_mss) clamp_tcp_mss(pkt.span(), m_config.clamp_mss);
  m_counters.bytes += pkt.size();
  m_life.add(pkt.size(), m_now, [this](EventKind k, EventCause c) { fire(k, c); });
  return RxStatus::ok;
}

}  // namespace ipseckit::esp
