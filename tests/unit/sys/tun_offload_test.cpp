// TUN offloads (sys/tun_offload.h): segmentation of TSO super-packets checked header by header
// against from-scratch computations (wire::parse_ipv4_header, wire::transport_checksum), and
// coalescing checked by round trip (segment -> coalesce -> segment gives the same packets).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sys/tun_offload.h"
#include "wire/ip_packet.h"
#include "wire/udp.h"

using namespace ipseckit;
using namespace ipseckit::sys::offload;
using V = std::vector<std::uint8_t>;

namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) { return (std::uint32_t{be16(p)} << 16) | be16(p + 2); }
void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, v >> 16);
  put16(p + 2, v & 0xFFFF);
}

// A TCP packet: IPv4 192.0.2.1:40000 -> 203.0.113.1:5201 (or IPv6 2001:db8::1 -> ::2), with a
// 12-byte timestamp option, ACK|flags, payload bytes (i * 7 + seed) % 251. Checksums valid.
V tcp_packet(bool v6, std::size_t payload, std::uint32_t seq, std::uint8_t flags, std::uint16_t id = 0x1234,
             std::uint8_t seed = 0, std::uint16_t sport = 40000) {
  const std::size_t l4 = v6 ? 40 : 20, thl = 32;
  V p(l4 + thl + payload);
  if (v6) {
    p[0] = 0x60;
    put16(&p[4], static_cast<std::uint32_t>(thl + payload));
    p[6] = 6;
    p[7] = 64;
    p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
    p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
  } else {
    p[0] = 0x45;
    put16(&p[2], static_cast<std::uint32_t>(p.size()));
    put16(&p[4], id);
    put16(&p[6], 0x4000);  // DF
    p[8] = 64;
    p[9] = 6;
    p[12] = 192, p[14] = 2, p[15] = 1, p[16] = 203, p[18] = 113, p[19] = 1;
    put16(&p[10], wire::inet_checksum(ByteView(p.data(), 20)));
  }
  std::uint8_t* t = &p[l4];
  put16(t, sport);
  put16(t + 2, 5201);
  put32(t + 4, seq);
  put32(t + 8, 0xabcdef01);
  t[12] = (thl / 4) << 4;
  t[13] = static_cast<std::uint8_t>(0x10 | flags);
  put16(t + 14, 502);
  t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10;  // NOP NOP TS
  put32(t + 24, 1000), put32(t + 28, 2000);
  for (std::size_t i = 0; i < payload; ++i) t[thl + i] = static_cast<std::uint8_t>((i * 7 + seed) % 251);
  const auto src = v6 ? *wire::IpAddr::parse("2001:db8::1") : *wire::IpAddr::parse("192.0.2.1");
  const auto dst = v6 ? *wire::IpAddr::parse("2001:db8::2") : *wire::IpAddr::parse("203.0.113.1");
  put16(t + 16, wire::transport_checksum(src, dst, 6, ByteView(t, p.size() - l4)));
  return p;
}

// The frame a TUN with TSO hands over: virtio header, the super-packet, and in the TCP
// checksum field the pseudo-header sum only (CHECKSUM_PARTIAL).
V tso_frame(bool v6, std::size_t payload, std::uint16_t mss, std::uint8_t flags) {
  V p = tcp_packet(v6, payload, 1000000, flags);
  const std::size_t l4 = v6 ? 40 : 20;
  put16(&p[l4 + 16], csum_fold(pseudo_header_sum(p, 6, p.size() - l4)));
  V f(kVnetHdrLen);
  VnetHdr h{kNeedsCsum, v6 ? kGsoTcpV6 : kGsoTcpV4, static_cast<std::uint16_t>(l4 + 32), mss,
            static_cast<std::uint16_t>(l4), 16};
  write_vnet_hdr(std::span<std::uint8_t, kVnetHdrLen>(f.data(), kVnetHdrLen), h);
  f.insert(f.end(), p.begin(), p.end());
  return f;
}

std::vector<V> segment(const V& frame) {
  auto s = Segmenter::parse(frame);
  REQUIRE(s.has_value());
  std::vector<V> out;
  for (std::size_t i = 0; i < s->count(); ++i) {
    V b(s->segment_size_max());
    const std::size_t n = s->write(i, b);
    REQUIRE(n > 0);
    b.resize(n);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<std::pair<V, V>> coalesce(const std::vector<V>& pkts) {
  std::vector<std::pair<V, V>> out;
  Coalescer c([&](ByteView h, ByteView p) { out.emplace_back(V(h.begin(), h.end()), V(p.begin(), p.end())); });
  for (const auto& p : pkts) c.add(p);
  c.flush();
  return out;
}

void check_segments(bool v6) {
  const std::size_t l4 = v6 ? 40 : 20, hl = l4 + 32;
  const std::size_t payload = 65535 - hl - (v6 ? 0 : 0) - (v6 ? 40 : 0);
  const std::uint16_t mss = 1348;
  const V frame = tso_frame(v6, payload, mss, 0x08 | 0x80);  // PSH | CWR
  const V orig(frame.begin() + kVnetHdrLen, frame.end());
  const auto segs = segment(frame);
  REQUIRE(segs.size() == (payload + mss - 1) / mss);
  const auto src = v6 ? *wire::IpAddr::parse("2001:db8::1") : *wire::IpAddr::parse("192.0.2.1");
  const auto dst = v6 ? *wire::IpAddr::parse("2001:db8::2") : *wire::IpAddr::parse("203.0.113.1");
  V data;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const V& s = segs[i];
    const bool last = i + 1 == segs.size();
    const std::size_t want = last ? payload - i * mss : mss;
    REQUIRE(s.size() == hl + want);
    if (v6) {
      CHECK(be16(&s[4]) == s.size() - 40);
      CHECK(std::memcmp(s.data(), orig.data(), 4) == 0);
    } else {
      auto ip = wire::parse_ipv4_header(s);  // validates version, IHL and the header checksum
      REQUIRE_MESSAGE(ip.ok(), ip.error().message);
      CHECK(ip->total_length == s.size());
      CHECK(ip->id == 0x1234 + i);
      CHECK(ip->flags_frag == 0x4000);
    }
    const std::uint8_t* t = &s[l4];
    CHECK(be32(t + 4) == 1000000 + i * mss);
    CHECK(be32(t + 8) == 0xabcdef01);
    CHECK(t[13] == (0x10 | (last ? 0x08 : 0) | (i == 0 ? 0x80 : 0)));
    CHECK(std::memcmp(t + 20, &orig[l4 + 20], 12) == 0);  // options copied
    CHECK(wire::transport_checksum(src, dst, 6, ByteView(t, s.size() - l4)) == 0);
    data.insert(data.end(), s.begin() + static_cast<std::ptrdiff_t>(hl), s.end());
  }
  CHECK(data == V(orig.begin() + static_cast<std::ptrdiff_t>(hl), orig.end()));
}

}  // namespace

TEST_CASE("virtio_net_hdr round trip and checksum pieces") {
  VnetHdr h{kNeedsCsum, kGsoTcpV4, 52, 1348, 20, 16};
  std::uint8_t b[kVnetHdrLen];
  write_vnet_hdr(b, h);
  CHECK(b[4] == (1348 & 0xFF));  // little-endian
  CHECK(parse_vnet_hdr(ByteView(b, kVnetHdrLen)) == h);
  CHECK_FALSE(parse_vnet_hdr(ByteView(b, 9)).has_value());
  V d(1501);
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (std::size_t n : {0u, 1u, 2u, 3u, 5u, 64u, 1499u, 1500u, 1501u})
    CHECK(static_cast<std::uint16_t>(~csum_fold(csum_partial(ByteView(d.data(), n)))) ==
          wire::inet_checksum(ByteView(d.data(), n)));
}

TEST_CASE("a 64 KiB IPv4 TSO super-packet segments into valid MSS-sized packets") { check_segments(false); }
TEST_CASE("a 64 KiB IPv6 TSO super-packet segments into valid MSS-sized packets") { check_segments(true); }

TEST_CASE("non-GSO frames: checksum completion, and frames a kernel would not produce are refused") {
  // UDP 192.0.2.1:1 -> 203.0.113.1:2 with the pseudo-header sum in the checksum field.
  V p(20 + 8 + 13);
  p[0] = 0x45, put16(&p[2], static_cast<std::uint32_t>(p.size())), p[8] = 64, p[9] = 17;
  p[12] = 192, p[14] = 2, p[15] = 1, p[16] = 203, p[18] = 113, p[19] = 1;
  put16(&p[10], wire::inet_checksum(ByteView(p.data(), 20)));
  put16(&p[20], 1), put16(&p[22], 2), put16(&p[24], 21);
  for (std::size_t i = 28; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i);
  put16(&p[26], csum_fold(pseudo_header_sum(p, 17, 21)));
  V f(kVnetHdrLen);
  write_vnet_hdr(std::span<std::uint8_t, kVnetHdrLen>(f.data(), kVnetHdrLen), VnetHdr{kNeedsCsum, kGsoNone, 0, 0, 20, 6});
  f.insert(f.end(), p.begin(), p.end());
  const auto segs = segment(f);
  REQUIRE(segs.size() == 1);
  CHECK(wire::transport_checksum(*wire::IpAddr::parse("192.0.2.1"), *wire::IpAddr::parse("203.0.113.1"), 17,
                                 ByteView(segs[0]).subspan(20)) == 0);
  // Plain frame: copied as is.
  V plain(kVnetHdrLen, 0);
  plain.insert(plain.end(), p.begin(), p.end());
  CHECK(segment(plain)[0] == p);

  V bad = f;
  bad[1] = kGsoUdp;  // GSO on UDP
  CHECK_FALSE(Segmenter::parse(bad).has_value());
  bad = f;
  bad[8] = 40;  // csum_offset past the end
  CHECK_FALSE(Segmenter::parse(bad).has_value());
  bad = f;
  bad.push_back(0);  // length disagrees with the IP header
  CHECK_FALSE(Segmenter::parse(bad).has_value());
  V tso = tso_frame(false, 5000, 1000, 0);
  tso[kVnetHdrLen + 7] = 1;  // a fragment
  CHECK_FALSE(Segmenter::parse(tso).has_value());
  tso = tso_frame(false, 5000, 1000, 0);
  tso[1] = kGsoTcpV6;  // GSO type against the IP version
  CHECK_FALSE(Segmenter::parse(tso).has_value());
  CHECK_FALSE(Segmenter::parse(ByteView(f.data(), kVnetHdrLen)).has_value());
}

TEST_CASE("segment -> coalesce -> segment reproduces the packets (IPv4 and IPv6)") {
  for (bool v6 : {false, true}) {
    const V frame = tso_frame(v6, 40000, 1348, 0x08);
    const auto segs = segment(frame);
    const auto out = coalesce(segs);
    REQUIRE(out.size() == 1);
    auto h = parse_vnet_hdr(out[0].first);
    REQUIRE(h.has_value());
    CHECK(h->gso_type == (v6 ? kGsoTcpV6 : kGsoTcpV4));
    CHECK(h->flags == kNeedsCsum);
    CHECK(h->gso_size == 1348);
    CHECK(h->hdr_len == (v6 ? 72 : 52));
    CHECK(out[0].second == V(frame.begin() + kVnetHdrLen, frame.end()));  // the super-packet, pseudo sum included
    V again = out[0].first;
    again.insert(again.end(), out[0].second.begin(), out[0].second.end());
    CHECK(segment(again) == segs);
  }
}

TEST_CASE("coalescing keeps per-flow order and refuses what must not merge") {
  // Flow A: 3 segments, a gap, 2 more, then a FIN; flow B interleaved; a UDP packet; a segment
  // with a bad checksum.
  std::vector<V> in;
  in.push_back(tcp_packet(false, 1000, 100, 0, 1));
  in.push_back(tcp_packet(false, 500, 7, 0, 50, 0, 40001));  // flow B
  in.push_back(tcp_packet(false, 1000, 1100, 0, 2));
  in.push_back(tcp_packet(false, 1000, 2100, 0, 3));
  in.push_back(tcp_packet(false, 1000, 9100, 0, 4));  // gap: new frame
  in.push_back(tcp_packet(false, 500, 507, 0, 51, 0, 40001));
  V bad = tcp_packet(false, 1000, 10100, 0, 5);
  bad[100] ^= 1;  // payload corrupted: checksum wrong, passes alone
  in.push_back(bad);
  in.push_back(tcp_packet(false, 0, 11100, 0x01, 6));  // FIN
  V udp = tcp_packet(false, 10, 0, 0, 7);
  udp[9] = 17;
  in.push_back(udp);
  const auto out = coalesce(in);
  // Frames: A(100..3100) flushed by the gap; A(9100) flushed by the bad one; bad; FIN; UDP; B at flush.
  REQUIRE(out.size() == 6);
  auto seq = [](const V& p) { return be32(&p[24]); };
  CHECK(parse_vnet_hdr(out[0].first)->gso_type == kGsoTcpV4);
  CHECK(seq(out[0].second) == 100);
  CHECK(out[0].second.size() == 52 + 3000);
  CHECK(parse_vnet_hdr(out[1].first)->gso_type == kGsoNone);  // single segment: unchanged
  CHECK(out[1].second == in[4]);
  CHECK(out[2].second == bad);
  CHECK(out[3].second == in[7]);
  CHECK(out[4].second == udp);
  CHECK(seq(out[5].second) == 7);
  CHECK(out[5].second.size() == 52 + 1000);
  CHECK(out[5].first[1] == kGsoTcpV4);
  // IDs must be consecutive for IPv4.
  const auto ids = coalesce({tcp_packet(false, 100, 0, 0, 1), tcp_packet(false, 100, 100, 0, 3)});
  CHECK(ids.size() == 2);
}
