// Outer fragmentation and PMTU (DF, ICMP "fragmentation needed" / "packet too big", MSS
// clamping), inbound demultiplexing, and the RFC 3948 transport-mode checksum fix-up behind NAT.
#include <doctest/doctest.h>

#include "esp/demux.h"
#include "esp/fragment.h"
#include "esp/pmtu.h"
#include "support.h"
#include "wire/ip_packet.h"
#include "wire/udp.h"

using namespace esptest;
using policy::Cipher;
using policy::Integrity;

TEST_CASE("path MTU: DF packets that would not fit are refused; the usable MTU is exact") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::sha1}, {},
                                "192.0.2.1", "198.51.100.2");
  c.path_mtu = 1400;
  auto p = make_pair(c, mirrored(c));
  const std::size_t max = p->out->max_inner_size(1400, 20);
  CHECK(p->out->outer_size(max, 0) <= 1400);
  CHECK(p->out->outer_size(max + 1, 0) > 1400);
  CHECK(max == 1400 - 20 - 8 - 16 - 12 - 2);  // 1342: 1344 bytes of ciphertext = 84 blocks
  for (std::size_t len : {max, max + 1}) {
    const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", len - 28, true);
    Buf buf;
    auto pkt = buf.load(inner);
    const auto st = p->out->protect(pkt).status;
    CHECK(st == (len == max ? esp::TxStatus::ok : esp::TxStatus::too_big));
    if (st == esp::TxStatus::too_big) {
      std::array<std::uint8_t, 1500> icmp{};
      auto n = esp::build_icmp_too_big(inner, static_cast<std::uint32_t>(max), addr("10.1.0.1"), icmp);
      REQUIRE(n.ok());
      const ByteView msg(icmp.data(), *n);
      auto h = ipseckit::wire::parse_ipv4_header(msg);
      REQUIRE(h.ok());
      CHECK(h->protocol == 1);
      CHECK(h->dst == addr("10.1.0.5"));
      CHECK(msg[20] == 3);
      CHECK(msg[21] == 4);
      CHECK(((msg[26] << 8) | msg[27]) == static_cast<int>(max));
      CHECK(ipseckit::wire::inet_checksum(msg.subspan(20)) == 0);
      CHECK(*n == 20 + 8 + 548);  // quote capped so the error fits in 576 bytes
    }
  }
  // Without DF the packet goes out, larger than the MTU, for the caller to fragment.
  const Bytes big = ipv4_udp("10.1.0.5", "10.2.0.7", 1372, false);
  Buf buf;
  auto pkt = buf.load(big);
  REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
  const Bytes outer(pkt.view().begin(), pkt.view().end());
  CHECK(outer.size() > 1400);
  auto plan = esp::plan_ipv4_fragments(outer, 1400);
  REQUIRE(plan.ok());
  CHECK(plan->count == 2);
  // Reassemble by hand and hand the result to the receiver.
  Bytes reassembled(outer.begin(), outer.begin() + 20);
  std::size_t expect_off = 0;
  for (std::size_t i = 0; i < plan->count; ++i) {
    std::array<std::uint8_t, 1500> f{};
    const std::size_t n = esp::build_ipv4_fragment(outer, *plan, i, f);
    REQUIRE(n > 0);
    CHECK(n <= 1400);
    auto fh = ipseckit::wire::parse_ipv4_header(ByteView(f.data(), n));
    REQUIRE(fh.ok());
    CHECK(fh->id == ipseckit::wire::parse_ipv4_header(outer)->id);
    CHECK(fh->frag_offset() * 8u == expect_off);
    CHECK(fh->more_fragments() == (i + 1 < plan->count));
    reassembled.insert(reassembled.end(), f.begin() + 20, f.begin() + static_cast<std::ptrdiff_t>(n));
    expect_off += n - 20;
  }
  CHECK(reassembled == outer);
  Buf rbuf;
  auto r = rbuf.load(reassembled, 0);
  CHECK(p->in->unprotect(r) == esp::RxStatus::ok);
  CHECK(to_hex(r.view()) == to_hex(big));
  // DF and tiny MTUs cannot be fragmented.
  CHECK_FALSE(esp::plan_ipv4_fragments(ipv4_udp("10.1.0.5", "10.2.0.7", 100, true), 60).ok());
  CHECK_FALSE(esp::plan_ipv4_fragments(ipv4_udp("10.1.0.5", "10.2.0.7", 100, false), 60).ok());
}

TEST_CASE("fragmentation copies only options with the copied flag into later fragments") {
  // IHL 7: Security-like option 0x82 (copied) len 4 + Record Route 0x07 (not copied) len 4.
  Bytes p = hex("470000000001000040110000c0000201c0000202" "82040000" "07040400");
  p.resize(28 + 200, 0xAB);
  p[2] = static_cast<std::uint8_t>(p.size() >> 8);
  p[3] = static_cast<std::uint8_t>(p.size());
  const std::uint16_t c = ipseckit::wire::inet_checksum(ByteView(p).first(28));
  p[10] = static_cast<std::uint8_t>(c >> 8);
  p[11] = static_cast<std::uint8_t>(c);
  auto plan = esp::plan_ipv4_fragments(p, 100);
  REQUIRE(plan.ok());
  CHECK(plan->header_len == 28);
  CHECK(plan->later_header == 24);
  std::array<std::uint8_t, 128> f{};
  const std::size_t n = esp::build_ipv4_fragment(p, *plan, 1, f);
  REQUIRE(n > 0);
  CHECK(f[0] == 0x46);
  CHECK(to_hex(ByteView(f.data() + 20, 4)) == "82040000");
  CHECK(ipseckit::wire::parse_ipv4_header(ByteView(f.data(), n)).ok());
}

TEST_CASE("IPv6 inner packets get \"packet too big\" with at least 1280 (RFC 4443 §3.2)") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes_gcm128, Integrity::none}, {},
                                "2001:db8::1", "2001:db8::2");
  c.path_mtu = 1500;
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv6_udp("fd00::5", "fd00::7", 1452);  // 1500 bytes
  Buf buf;
  auto pkt = buf.load(inner);
  CHECK(p->out->protect(pkt).status == esp::TxStatus::too_big);
  std::array<std::uint8_t, 1500> out{};
  const std::size_t mtu = p->out->max_inner_size(1500, 40);
  auto n = esp::build_icmp_too_big(inner, static_cast<std::uint32_t>(mtu), addr("fd00::1"), out);
  REQUIRE(n.ok());
  CHECK(*n == 1280);
  const ByteView msg(out.data(), *n);
  CHECK(msg[6] == 58);
  CHECK(msg[40] == 2);
  CHECK(((std::uint32_t{msg[44]} << 24) | (std::uint32_t{msg[45]} << 16) | (std::uint32_t{msg[46]} << 8) | msg[47]) == mtu);
  CHECK(ipseckit::wire::transport_checksum(addr("fd00::1"), addr("fd00::5"), 58, msg.subspan(40)) == 0);
  // Never about an ICMP error, never to a multicast source.
  std::array<std::uint8_t, 1500> again{};
  CHECK_FALSE(esp::build_icmp_too_big(msg, 1280, addr("fd00::1"), again).ok());
  Bytes mc = ipv6_udp("ff02::1", "fd00::7", 10);
  CHECK_FALSE(esp::build_icmp_too_big(mc, 1280, addr("fd00::1"), again).ok());
}

TEST_CASE("TCP MSS clamping (RFC 6691): SYNs only, checksum stays valid, both directions") {
  for (bool v6 : {false, true}) {
    Bytes syn = v6 ? ipv6_tcp_syn("fd00::5", "fd00::7", 1460) : ipv4_tcp_syn("10.1.0.5", "10.2.0.7", 1460);
    const std::size_t opt = (v6 ? 40 : 20) + 22;
    CHECK(esp::clamp_tcp_mss(syn, 1360));
    CHECK(((syn[opt] << 8) | syn[opt + 1]) == 1360);
    CHECK(l4_checksum_ok(syn));
    CHECK_FALSE(esp::clamp_tcp_mss(syn, 1400));  // already below
    Bytes ack = syn;
    ack[(v6 ? 40 : 20) + 13] = 0x10;  // not a SYN
    CHECK_FALSE(esp::clamp_tcp_mss(ack, 500));
  }
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::sha256}, {},
                                "192.0.2.1", "198.51.100.2");
  c.clamp_mss = 1300;
  auto p = make_pair(c, mirrored(c));
  Buf buf;
  auto pkt = buf.load(ipv4_tcp_syn("10.1.0.5", "10.2.0.7", 1460));
  REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
  Buf rbuf;
  auto r = rbuf.load(pkt.view(), 0);
  REQUIRE(p->in->unprotect(r) == esp::RxStatus::ok);
  CHECK(((r.view()[42] << 8) | r.view()[43]) == 1300);
  CHECK(l4_checksum_ok(r.view()));
}

TEST_CASE("demux: ESP, AH, ESP-in-UDP, IKE behind the non-ESP marker, keepalives, other") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::sha1}, {},
                                "192.0.2.1", "198.51.100.2");
  auto p = make_pair(c, mirrored(c));
  Buf buf;
  auto pkt = buf.load(ipv4_udp("10.1.0.5", "10.2.0.7", 10));
  REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
  auto d = esp::demux_inbound(pkt.view());
  REQUIRE(d.ok());
  CHECK(d->carrier == esp::Carrier::esp);
  CHECK(d->spi == c.esp->spi);
  CHECK(d->offset == 20);
  CHECK(d->dst == addr("198.51.100.2"));

  auto udp_pkt = [](const Bytes& data, std::uint16_t port) {
    Bytes u(8);
    ipseckit::wire::write_udp_header(u, {4500, port, static_cast<std::uint16_t>(8 + data.size()), 0});
    u.insert(u.end(), data.begin(), data.end());
    ipseckit::wire::Ipv4Header h;
    h.total_length = static_cast<std::uint16_t>(20 + u.size());
    h.protocol = 17;
    h.src = addr("192.0.2.1");
    h.dst = addr("198.51.100.2");
    Bytes w = ipseckit::wire::serialize_ipv4_header(h);
    w.insert(w.end(), u.begin(), u.end());
    return w;
  };
  auto e = esp::demux_inbound(udp_pkt(hex("12345678 00000001 aabbccdd"), 4500));
  REQUIRE(e.ok());
  CHECK(e->carrier == esp::Carrier::esp_in_udp);
  CHECK(e->spi == 0x12345678);
  CHECK(e->offset == 28);
  CHECK(esp::demux_inbound(udp_pkt(hex("00000000 0102030405060708"), 4500))->carrier == esp::Carrier::ike_in_udp);
  CHECK(esp::demux_inbound(udp_pkt(hex("ff"), 4500))->carrier == esp::Carrier::nat_keepalive);
  CHECK(esp::demux_inbound(udp_pkt(hex("ff"), 53))->carrier == esp::Carrier::other);
  CHECK_FALSE(esp::demux_inbound(udp_pkt(hex("1234"), 4500)).ok());
  CHECK(esp::demux_inbound(ipv4_udp("10.1.0.5", "10.2.0.7", 3))->carrier == esp::Carrier::other);
  CHECK_FALSE(esp::demux_inbound(hex("45")).ok());
}

TEST_CASE("NAT-T transport mode: checksums fixed from NAT-OA, or recomputed (RFC 3948 §3.1.2)") {
  // The peer 10.0.0.5 (behind NAT, seen as 203.0.113.9) sends to 198.51.100.2 (no NAT here).
  esp::SaConfig sender = make_config(esp::Mode::transport, policy::EspTransform{Cipher::aes_gcm128, Integrity::none},
                                     {}, "10.0.0.5", "198.51.100.2");
  sender.udp_encap = esp::UdpEncapParams{4500, 4500, {}, {}};
  for (bool with_oa : {true, false}) {
    esp::SaConfig receiver = mirrored(sender);
    receiver.remote = addr("203.0.113.9");
    if (with_oa) {
      receiver.udp_encap->orig_src = addr("10.0.0.5");
      receiver.udp_encap->orig_dst = addr("198.51.100.2");
    }
    auto p = make_pair(sender, receiver);
    for (bool tcp : {false, true}) {
      const Bytes inner = tcp ? ipv4_tcp_syn("10.0.0.5", "198.51.100.2", 1460) : ipv4_udp("10.0.0.5", "198.51.100.2", 40);
      Buf buf;
      auto pkt = buf.load(inner);
      REQUIRE(p->out->protect(pkt).status == esp::TxStatus::ok);
      Bytes w(pkt.view().begin(), pkt.view().end());
      // The NAT rewrites the outer source address and port, fixing only the IP checksum.
      const Bytes nat = {203, 0, 113, 9};
      std::copy(nat.begin(), nat.end(), w.begin() + 12);
      w[20] = 0x9C;
      w[21] = 0x40;
      w[10] = w[11] = 0;
      const std::uint16_t s = ipseckit::wire::inet_checksum(ByteView(w).first(20));
      w[10] = static_cast<std::uint8_t>(s >> 8);
      w[11] = static_cast<std::uint8_t>(s);
      Buf rbuf;
      auto r = rbuf.load(w, 0);
      REQUIRE(p->in->unprotect(r) == esp::RxStatus::ok);
      CHECK(r.view()[12] == 203);
      CHECK(l4_checksum_ok(r.view()));
      CHECK(std::equal(r.view().begin() + 20 + (tcp ? 18 : 8), r.view().end(), inner.begin() + 20 + (tcp ? 18 : 8)));
    }
  }
}
