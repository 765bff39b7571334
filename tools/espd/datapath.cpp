// espd's packet paths (datapath.h).
#include "datapath.h"

#include <errno.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/log.h"
#include "esp/demux.h"
#include "esp/udp_train.h"
#include "esp/ip_headers.h"
#include "wire/udp.h"

namespace ipseckit::espd {

namespace {

constexpr int kBatch = 64;            // packets per readiness before yielding to the other sources
constexpr std::size_t kRxFront = 64;  // room to rebuild the IP + UDP headers of an ESP-in-UDP datagram

std::int64_t unix_now() {
  return static_cast<std::int64_t>(::time(nullptr));
}

}  // namespace

std::uint64_t Datapath::now_ms() const {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // ms timers: a tick (<= 4 ms) is precise enough, and cheaper
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

// Several TUN packets per wakeup; their ESP-in-UDP datagrams leave together (flush_tx).
// With offloads a read may be a TCP super-packet: its segments go out one by one (tun_io.h).
void Datapath::from_tun() {
  for (int i = 0; i < kBatch; ++i)
    if (!m_tun.read(m_buf, [this](esp::PacketBuf& pkt) { outbound(pkt, false); })) break;
  m_seg_sa = nullptr;
  flush_tx();
}

void Datapath::flush_tx() {
  flush_tx_v6();  // datapath_v6.cpp
  if (m_s.udp && m_gso.queued()) {
    const auto queued = m_gso.queued();
    if (auto r = m_gso.send(*m_s.udp); !r) {
      m_c.send_errors += queued;
      log::msg(log::Subsys::net, log::Level::diag, "{}", r.error().message);
    }
  }
  if (!m_s.udp || m_batch.queued() == 0) return;
  const auto queued = m_batch.queued();
  auto r = m_batch.send(*m_s.udp);
  if (!r) {
    m_c.send_errors += queued;
    log::msg(log::Subsys::net, log::Level::diag, "sendmmsg: {}", r.error().message);
  }
}

// RFC 4301 §5.1: outbound IP traffic processing (protected-to-unprotected).
void Datapath::outbound(esp::PacketBuf& pkt, bool held) {
  if (m_tun.segment() == 0) m_seg_sa = nullptr;  // a new TUN frame
  const unsigned version = pkt.size() ? pkt.data()[0] >> 4 : 0;
  if (version == 6 ? !admit_v6(pkt, held) : version != 4) {  // IPv6 (and its fragments): datapath_v6.cpp
    if (version != 6) ++m_c.not_ipv4;
    return;
  }
  if (m_seg_sa && !m_seg_sa->expired()) {
    send_protected(*m_seg_sa, pkt);  // a later segment of one TSO super-packet: segment 0's SA
    return;
  }
  if (esp::is_ipv4_fragment(pkt.view())) {  // RFC 4301 §7: the SPD sees whole datagrams (fragments.h)
    if (auto whole = m_frag.reassemble(pkt.view(), now_ms())) outbound(*whole, held);
    m_frag.mtu = 0;
    return;
  }
  auto t = wire::extract_five_tuple(pkt.view());
  if (!t) {
    ++m_c.tun_malformed;
    return;
  }
  const auto mapped = m_ports.on_outbound(pkt.span(), *t);  // hosts behind one NAT (port_map.h)
  const policy::SpdFilter* f = m_spd ? m_spd->lookup(*t) : nullptr;
  const policy::CompiledSpd* spd = m_spd ? &m_spd->spd() : nullptr;
  auto action = f ? f->action_for(true) : policy::ActionType::permit;
  OutEntry* e = nullptr;
  if (!f) {
    // No filter (or no SPD yet): an SA whose selectors cover the packet still protects it.
    if ((e = m_table.outbound(*t, nullptr, nullptr, mapped))) action = policy::ActionType::negotiate;
  }
  switch (action) {
    case policy::ActionType::permit:
      if (auto s = send_clear(pkt.view()); !s)
        ++m_c.send_errors;
      else
        ++m_c.permitted;
      return;
    case policy::ActionType::block:
      ++m_c.blocked;
      return;
    case policy::ActionType::negotiate:
      break;
  }
  if (!e) e = m_table.outbound(*t, f, spd, mapped);
  if (e) {
    if (!mapped && !held) m_seg_sa = e;  // the rest of its super-packet skips the lookups
    send_protected(*e, pkt);
    return;
  }
  if (mapped) {  // that host's SAs are gone: never to another host behind its NAT
    m_ports.forget(t->dst, t->protocol, *mapped);
    ++m_c.no_sa_dropped;
    return;
  }
  if (held) return;
  hold(pkt, *t, *f);
}

bool Datapath::send_protected(OutEntry& e, esp::PacketBuf& pkt) {
  // RFC 4301 §8.2, RFC 1191 (pmtu.h); a reassembled datagram's source fragmented it already: its
  // outer packet is fragmented instead (fragments.h).
  if (auto icmp = m_frag.mtu ? std::nullopt : m_pmtu.too_big(e.sa, pkt.view(), now_ms())) {
    m_tun.write(*icmp);
    m_tun.flush();
    return false;
  }
  const auto r = e.protect(pkt);  // under the SA's lock (sa_table.h)
  if (r.status != esp::TxStatus::ok) {
    ++m_c.tx_failed;
    log::msg(log::Subsys::esp, log::Level::diag, "SA {}: not sent: {}", esp::spi_hex(esp::record_spi(e.sa.config())),
             esp::name(r.status));
    return false;
  }
  const auto& c = e.sa.config();
  Status s;
  // ESP-in-UDP through the NAT-T socket when espd owns it, else (like raw ESP/AH) the whole
  // outer packet, UDP header included (RFC 3948 §2.1: zero UDP checksum over IPv4).
  if (c.remote.is_v6()) {
    s = send_outer_v6(c, pkt, r.l4_offset);  // datapath_v6.cpp
  } else if (c.udp_encap && m_s.udp) {
    const auto payload = pkt.view().subspan(r.l4_offset + wire::kUdpHeaderSize);
    const sys::Endpoint to{c.remote, c.udp_encap->remote_port};
    if (m_frag.mtu) {  // a reassembled datagram: the kernel fragments the outer one (fragments.h)
      s = m_s.udp->send_to(payload, to);
    } else if (m_s.udp_gso) {  // equal-sized datagrams to one peer leave as one UDP_SEGMENT train
      if (m_gso.add(payload, to)) return true;
      flush_tx();
      if (m_gso.add(payload, to)) return true;
    } else if (m_batch.add(payload, to)) {
      if (m_batch.queued() == kMmsg) flush_tx();
      return true;
    }
    s = m_s.udp->send_to(payload, to);
  } else {
    s = send_clear(pkt.view());
  }
  if (!s) {
    ++m_c.send_errors;
    log::msg(log::Subsys::net, log::Level::diag, "send to {}: {}", c.remote.str(), s.error().message);
    return false;
  }
  return true;
}

void Datapath::hold(esp::PacketBuf& pkt, const wire::FiveTuple& t, const policy::SpdFilter& f) {
  for (auto& a : m_acq) {
    if (a.tuple != t) continue;
    if (a.held.size() < kHold) {
      a.held.emplace_back(pkt.view().begin(), pkt.view().end());
      ++m_c.held;
    } else {
      ++m_c.no_sa_dropped;
    }
    return;
  }
  Acquire a;
  a.id = fmt::format("{}-{}", ::getpid(), std::exchange(m_next_id, m_next_id + m_id_step));
  a.tuple = t;
  const auto* spd = m_spd ? &m_spd->spd() : nullptr;
  if (spd && f.rule < spd->rules.size()) a.rule = spd->rules[f.rule].rule;
  a.since_ms = now_ms();
  a.held.emplace_back(pkt.view().begin(), pkt.view().end());
  ++m_c.held;
  ++m_c.acquires;
  m_posts.push_back({{"id", a.id},
                     {"src", t.src.str()},
                     {"dst", t.dst.str()},
                     {"protocol", t.protocol},
                     {"src_port", t.src_port},
                     {"dst_port", t.dst_port},
                     {"rule", a.rule},
                     {"created", unix_now()}});
  log::msg(log::Subsys::esp, log::Level::control, "no SA for {} -> {} (protocol {}, rule '{}'): acquire {}",
           t.src.str(), t.dst.str(), t.protocol, a.rule, a.id);
  m_acq.push_back(std::move(a));
}

std::vector<nlohmann::json> Datapath::take_posts() {
  return std::exchange(m_posts, {});
}

void Datapath::keep_early(const esp::PacketBuf& pkt, std::uint32_t spi, bool ah) {
  if (m_early.size() >= kEarly) {  // bounded: a flood of unknown SPIs only replaces these
    drop_early(m_early.front());
    m_early.pop_front();
  }
  const auto v = pkt.view();
  m_early.push_back({spi, ah, now_ms(), Bytes(v.begin(), v.end())});
  ++m_c.early_held;
}

void Datapath::drop_early(const EarlyPacket& p) {
  ++m_c.bad_spi;
  const auto src = wire::extract_five_tuple(p.packet);
  log::msg(log::Subsys::esp, log::Level::diag, "bad SPI {} ({}) from {}", esp::spi_hex(p.spi), p.ah ? "AH" : "ESP",
           src ? src->src.str() : std::string("?"));
}

// After SAs changed: the kept packets whose SA now exists go through inbound() again.
void Datapath::retry_early() {
  bool any = false;
  for (auto it = m_early.begin(); it != m_early.end();) {
    if (!m_table.inbound(it->spi, it->ah)) {
      ++it;
      continue;
    }
    const EarlyPacket p = std::move(*it);
    it = m_early.erase(it);
    std::memcpy(m_buf.data() + esp::kHeadroom, p.packet.data(), p.packet.size());
    esp::PacketBuf pkt(m_buf, esp::kHeadroom, p.packet.size());
    inbound(pkt);
    any = true;
  }
  if (any) m_tun.flush();
}

std::vector<std::string> Datapath::flush_held() {
  retry_early();
  std::vector<std::string> done;
  for (auto it = m_acq.begin(); it != m_acq.end();) {
    const policy::SpdFilter* f = m_spd ? m_spd->lookup(it->tuple) : nullptr;
    OutEntry* e = m_table.outbound(it->tuple, f, m_spd ? &m_spd->spd() : nullptr);
    if (!e) {
      ++it;
      continue;
    }
    for (const auto& p : it->held) {
      std::memcpy(m_buf.data() + esp::kHeadroom, p.data(), p.size());
      esp::PacketBuf pkt(m_buf, esp::kHeadroom, p.size());
      send_protected(*e, pkt);
    }
    done.push_back(it->id);
    it = m_acq.erase(it);
  }
  flush_tx();
  return done;
}

std::vector<std::string> Datapath::expire(std::uint64_t now) {
  const std::uint64_t t = now_ms();  // the clock the packets were kept by
  while (!m_early.empty() && t - std::min(t, m_early.front().since_ms) >= kEarlyMs) {
    drop_early(m_early.front());
    m_early.pop_front();
  }
  std::vector<std::string> gone;
  for (auto it = m_acq.begin(); it != m_acq.end();) {
    if (now - it->since_ms < kAcquireRetryMs) {
      ++it;
      continue;
    }
    m_c.no_sa_dropped += it->held.size();
    gone.push_back(it->id);
    it = m_acq.erase(it);
  }
  return gone;
}

// RFC 3948 §3: a datagram on the NAT-T port is a keepalive, IKE (non-ESP marker) or ESP. The
// socket strips the IP and UDP headers; they are rebuilt so the SA sees the packet as received.
void Datapath::from_udp() {
  if (!m_s.udp) return;
  for (int round = 0; round < kBatch / static_cast<int>(kMmsg) + 1; ++round) {
    auto r = m_batch.recv(*m_s.udp);
    if (!r || r->empty()) break;
    for (const auto& d : *r)
      if (receive_train(d, d.gro_size)) ++m_c.udp_gro_trains;  // UDP_GRO: datagrams of gro_size bytes each
    if (r->size() < kMmsg) break;
  }
  m_tun.flush();
}

void Datapath::receive_datagram(const sys::Datagram& d) {
  const std::size_t n = d.data.size();
  if (n == 1 && d.data[0] == wire::kNatKeepalive) {
    ++m_c.keepalives;
    return;
  }
  if (n >= 4 && d.data[0] == 0 && d.data[1] == 0 && d.data[2] == 0 && d.data[3] == 0) {
    ++m_c.ike_on_natt;  // IKE is ikeview's (RFC 3948 §2.2)
    return;
  }
  if (d.peer.addr.is_v6()) {
    receive_datagram_v6(d);  // datapath_v6.cpp
    return;
  }
  if (!d.local || !d.peer.addr.is_v4() || !d.local->is_v4() || n > 65535) {
    ++m_c.rx_malformed;
    return;
  }
  // Tunnel-mode ESP (the common case): the SA decrypts the UDP payload where recvmmsg put it;
  // no copy, no rebuilt header to parse again. Other SAs and unknown SPIs take the path below.
  if (n >= 8) {  // SPI and sequence number (RFC 4303 §2)
    const std::uint8_t* b = d.data.data();
    const std::uint32_t spi =
        (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    InEntry* e = m_table.inbound(spi, false);
    if (e && e->sa.takes_udp_payload()) {
      esp::PacketBuf pkt(d.data, 0, n);
      if (e->unprotect_udp_payload(pkt) != esp::RxStatus::ok) return;
      auto t = wire::extract_five_tuple(pkt.view());
      if (!t || !selectors_match(e->meta.selectors, *t, false)) {
        ++m_c.selector_mismatch;
        return;
      }
      m_tun.write(pkt.view());  // tunnel mode: no transport-mode port translation (port_map.h)
      return;
    }
  }
  // The datagram is copied behind room for the rebuilt headers (one memcpy, no allocation).
  std::memcpy(m_buf.data() + kRxFront, d.data.data(), n);
  const std::size_t front = 20 + wire::kUdpHeaderSize;
  const std::size_t off = kRxFront - front;
  esp::OuterHeader h;
  h.src = d.peer.addr;
  h.dst = *d.local;
  h.proto = 17;
  if (esp::write_outer_header(std::span(m_buf).subspan(off, 20), h, front + n) != 20) {
    ++m_c.rx_malformed;
    return;
  }
  wire::UdpHeader u{d.peer.port, m_s.natt_port, static_cast<std::uint16_t>(wire::kUdpHeaderSize + n), 0};
  (void)wire::write_udp_header(std::span(m_buf).subspan(off + 20, wire::kUdpHeaderSize), u);
  esp::PacketBuf pkt(m_buf, off, front + n);
  inbound(pkt);
}

bool Datapath::receive_train(sys::Datagram d, std::size_t stride) {
  const std::span<std::uint8_t> all = d.data;
  if (stride == 0 || stride >= all.size()) {
    receive_datagram(d);
    return false;
  }
  for (std::size_t off = 0; off < all.size(); off += stride) {
    d.data = all.subspan(off, std::min(stride, all.size() - off));
    receive_datagram(d);
  }
  return true;
}

void Datapath::from_raw(sys::RawSocket& sock) {
  for (int i = 0; i < kBatch; ++i) {
    auto r = sock.recv(std::span(m_buf).subspan(esp::kHeadroom, 65535));
    if (!r || !*r) break;
    esp::PacketBuf pkt(m_buf, esp::kHeadroom, **r);
    if (!split_raw_train(pkt)) inbound(pkt);
  }
  m_tun.flush();
}

// An IPv4 ESP-in-UDP packet from the raw socket that is really a peer's whole UDP GSO train
// (esp/udp_train.h): its segments go through the NAT-T receive path one by one, like a UDP_GRO
// train. The payload moves to m_train first: receive_datagram() rebuilds headers in m_buf.
bool Datapath::split_raw_train(const esp::PacketBuf& pkt) {
  const ByteView b = pkt.view();
  if (b.size() < 28 || (b[0] >> 4) != 4 || b[9] != 17) return false;
  const std::size_t ihl = std::size_t{b[0] & 0x0Fu} * 4;
  if (ihl < 20 || b.size() < ihl + wire::kUdpHeaderSize) return false;
  const std::uint16_t sport = static_cast<std::uint16_t>((b[ihl] << 8) | b[ihl + 1]);
  const std::uint16_t dport = static_cast<std::uint16_t>((b[ihl + 2] << 8) | b[ihl + 3]);
  if (dport != m_s.natt_port) return false;
  const ByteView payload = b.subspan(ihl + wire::kUdpHeaderSize);
  const std::size_t stride = esp::esp_train_stride(payload);
  if (stride == 0) return false;
  ++m_c.raw_trains;
  std::copy(payload.begin(), payload.end(), m_train.begin());
  auto v4 = [&](std::size_t at) {
    return wire::IpAddr::v4((std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
                            (std::uint32_t{b[at + 2]} << 8) | b[at + 3]);
  };
  receive_train({std::span(m_train.data(), payload.size()), sys::Endpoint{v4(12), sport}, v4(16), 0}, stride);
  return true;
}

// RFC 4301 §5.2: inbound processing — SA by SPI, unprotect (the SA counts its own failures),
// then the inner packet must be inside the SA's selectors.
void Datapath::inbound(esp::PacketBuf& pkt) {
  auto d = esp::demux_inbound(pkt.view(), m_s.natt_port);
  if (!d) {
    ++m_c.rx_malformed;
    return;
  }
  bool ah = false;
  switch (d->carrier) {
    case esp::Carrier::esp:
    case esp::Carrier::esp_in_udp:
      break;
    case esp::Carrier::ah:
      ah = true;
      break;
    case esp::Carrier::nat_keepalive:
      ++m_c.keepalives;
      return;
    case esp::Carrier::ike_in_udp:
      ++m_c.ike_on_natt;
      return;
    case esp::Carrier::other:
      ++m_c.rx_malformed;
      return;
  }
  InEntry* e = m_table.inbound(d->spi, ah);
  if (!e) {
    keep_early(pkt, d->spi, ah);
    return;
  }
  if (e->unprotect(pkt) != esp::RxStatus::ok) return;
  auto t = wire::extract_five_tuple(pkt.view());
  if (!t || !selectors_match(e->meta.selectors, *t, false)) {
    ++m_c.selector_mismatch;
    return;
  }
  m_ports.on_inbound(e->sa.config(), pkt.span(), now_ms());
  m_tun.write(pkt.view());  // merged with its flow's segments when offloads are on (tun_io.h)
}

}  // namespace ipseckit::espd
