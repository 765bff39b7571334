// Each receive failure lands in its own counter, in the order framing -> SPI -> replay -> ICV
// -> window -> decrypt/padding; sequence numbers never wrap; lifetimes fire soft and hard
// events once each on a hand-driven clock; configurations the RFCs forbid are refused.
#include <doctest/doctest.h>

#include <cstring>

#include "esp/esp_crypto.h"
#include "support.h"
#include "wire/esp.h"
#include "wire/ip_packet.h"

using namespace esptest;
using policy::Cipher;
using policy::Integrity;

namespace {

esp::SaConfig cbc_sha1(esp::Mode mode = esp::Mode::tunnel) {
  return make_config(mode, policy::EspTransform{Cipher::aes128, Integrity::sha1}, {}, "192.0.2.1", "198.51.100.2");
}

Bytes protect(Pair& p, const Bytes& inner) {
  Buf buf;
  auto pkt = buf.load(inner);
  REQUIRE(p.out->protect(pkt).status == esp::TxStatus::ok);
  return Bytes(pkt.view().begin(), pkt.view().end());
}

esp::RxStatus receive(Pair& p, const Bytes& wire_bytes) {
  Buf buf;
  auto pkt = buf.load(wire_bytes, 0);
  return p.in->unprotect(pkt);
}

void fix_ipv4_checksum(Bytes& w) {
  w[10] = w[11] = 0;
  const std::uint16_t c = ipseckit::wire::inet_checksum(ByteView(w).first(std::size_t{w[0] & 0xFu} * 4));
  w[10] = static_cast<std::uint8_t>(c >> 8);
  w[11] = static_cast<std::uint8_t>(c);
}

// An outer IPv4 packet whose ESP payload (next header, padding) the test chooses, sealed with
// the SA's real keys: authentic, but with contents a correct sender would not produce.
Bytes forge_authentic(const esp::SaConfig& c, std::uint32_t seq, const Bytes& plaintext_with_trailer) {
  auto suite = esp::esp_suite(c.esp->transform);
  auto crypto = esp::EspCrypto::create(*suite, ByteView(c.esp->keymat.data(), c.esp->keymat.size()));
  REQUIRE(crypto.ok());
  Bytes e(8 + suite->iv + plaintext_with_trailer.size() + suite->icv);
  ipseckit::wire::write_esp_header(e, {c.esp->spi, seq});
  std::memset(e.data() + 8, 0x5A, suite->iv);
  std::memcpy(e.data() + 8 + suite->iv, plaintext_with_trailer.data(), plaintext_with_trailer.size());
  REQUIRE(crypto->seal(e, false, 0));
  ipseckit::wire::Ipv4Header h;
  h.total_length = static_cast<std::uint16_t>(20 + e.size());
  h.protocol = 50;
  h.src = c.local;
  h.dst = c.remote;
  Bytes w = ipseckit::wire::serialize_ipv4_header(h);
  w.insert(w.end(), e.begin(), e.end());
  return w;
}

}  // namespace

TEST_CASE("every receive failure has its own counter, and the outcomes add up") {
  const esp::SaConfig c = cbc_sha1();
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 64);
  const Bytes good = protect(*p, inner);
  const Bytes second = protect(*p, inner);
  const auto& k = p->in->counters();

  SUBCASE("malformed") {
    CHECK(receive(*p, Bytes(good.begin(), good.begin() + 20 + 7)) == esp::RxStatus::malformed);  // no ESP header
    Bytes bad_len = good;
    bad_len.resize(good.size() - 3);  // total length beyond the data
    CHECK(receive(*p, bad_len) == esp::RxStatus::malformed);
    Bytes proto = good;
    proto[9] = 51;
    fix_ipv4_checksum(proto);
    CHECK(receive(*p, proto) == esp::RxStatus::malformed);  // AH where ESP is expected
    Bytes csum = good;
    csum[10] ^= 1;
    CHECK(receive(*p, csum) == esp::RxStatus::malformed);  // IPv4 header checksum
    Bytes frag = good;
    frag[6] |= 0x20;
    fix_ipv4_checksum(frag);
    CHECK(receive(*p, frag) == esp::RxStatus::malformed);  // outer fragment
    Bytes unaligned = good;
    unaligned.resize(good.size() - 1);
    unaligned[3] = static_cast<std::uint8_t>(unaligned.size());
    unaligned[2] = static_cast<std::uint8_t>(unaligned.size() >> 8);
    fix_ipv4_checksum(unaligned);
    CHECK(receive(*p, unaligned) == esp::RxStatus::malformed);  // CBC body not a block multiple
    CHECK(k.malformed == 6);
  }
  SUBCASE("bad SPI") {
    Bytes w = good;
    w[23] ^= 0x01;
    CHECK(receive(*p, w) == esp::RxStatus::bad_spi);
    CHECK(k.bad_spi == 1);
  }
  SUBCASE("replayed: duplicate, and old once the window moved on") {
    CHECK(receive(*p, good) == esp::RxStatus::ok);
    CHECK(receive(*p, good) == esp::RxStatus::replayed);
    for (int i = 0; i < 70; ++i) REQUIRE(receive(*p, protect(*p, inner)) == esp::RxStatus::ok);
    CHECK(receive(*p, second) == esp::RxStatus::replayed);  // seq 2 fell out of a 64 window
    CHECK(k.replayed == 2);
  }
  SUBCASE("authentication failed, and the window does not move for it") {
    for (std::size_t at : {std::size_t{24}, std::size_t{28}, std::size_t{40}, good.size() - 13, good.size() - 1}) {
      Bytes w = good;
      w[at] ^= 0x80;
      CHECK(receive(*p, w) == esp::RxStatus::auth_failed);
    }
    Bytes forged_seq = good;
    forged_seq[27] = 0x77;  // a far-future sequence number with a stale ICV
    CHECK(receive(*p, forged_seq) == esp::RxStatus::auth_failed);
    CHECK(p->in->esp_window().top() == 0);
    CHECK(receive(*p, good) == esp::RxStatus::ok);  // the genuine packet still gets in
    CHECK(k.auth_failed == 6);
  }
  SUBCASE("decryption failed: authentic packet with bad padding") {
    // 16 bytes: 13 of payload, padding "01 09" (not 1, 2), pad length 1, next header 4.
    Bytes pt = {0x45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x01, 0x04};
    CHECK(receive(*p, forge_authentic(c, 9, pt)) == esp::RxStatus::decrypt_failed);
    // Pad length beyond the payload.
    Bytes pt2(16, 0);
    pt2[14] = 40;
    pt2[15] = 4;
    CHECK(receive(*p, forge_authentic(c, 10, pt2)) == esp::RxStatus::decrypt_failed);
    CHECK(k.decrypt_failed == 2);
    CHECK(p->in->esp_window().top() == 10);  // the ICV was good: the window moved (§3.4.3)
  }
  SUBCASE("dummy packets (next header 59) are dropped and counted") {
    Bytes pt(16, 0);
    pt[14] = 0;
    pt[15] = 59;
    CHECK(receive(*p, forge_authentic(c, 11, pt)) == esp::RxStatus::dummy);
    CHECK(k.dummy == 1);
  }
  SUBCASE("tunnel mode: an authentic payload that is not an IP packet is malformed") {
    Bytes pt(16, 0xEE);
    pt[14] = 0;
    pt[15] = 4;
    CHECK(receive(*p, forge_authentic(c, 12, pt)) == esp::RxStatus::malformed);
    pt[15] = 6;  // TCP in a tunnel SA
    CHECK(receive(*p, forge_authentic(c, 13, pt)) == esp::RxStatus::malformed);
  }
  CHECK(k.outcomes() == k.ok + k.malformed + k.bad_spi + k.replayed + k.auth_failed + k.decrypt_failed + k.dummy +
                            k.expired);
}

TEST_CASE("no integrity: a wrong key shows up as a decryption (padding) failure") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::none}, {},
                                "192.0.2.1", "198.51.100.2");
  esp::SaConfig r = mirrored(c);
  r.esp->keymat = key_bytes(16, 99);
  auto p = make_pair(c, r);
  int failed = 0;
  for (int i = 0; i < 8; ++i)
    if (receive(*p, protect(*p, ipv4_udp("10.1.0.5", "10.2.0.7", static_cast<std::size_t>(30 + i)))) == esp::RxStatus::decrypt_failed) ++failed;
  // Garbage padding passes the 1,2,3... check only by chance (at most 1 in 256 for pad length 0).
  CHECK(failed >= 7);
  CHECK(p->in->counters().ok + p->in->counters().malformed + p->in->counters().decrypt_failed == 8);
}

TEST_CASE("the sequence number never wraps: soft event near the end, hard at the end") {
  esp::SaConfig c = cbc_sha1();
  c.seq_start = 0xFFFFFFFFull - 2;
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 10);
  Buf b1, b2, b3, b4;
  auto k1 = b1.load(inner);
  auto k2 = b2.load(inner);
  auto k3 = b3.load(inner);
  CHECK(p->out->protect(k1).status == esp::TxStatus::ok);
  CHECK(p->out->protect(k2).status == esp::TxStatus::ok);
  CHECK(p->out->last_seq() == 0xFFFFFFFFull);
  CHECK(p->out->protect(k3).status == esp::TxStatus::seq_exhausted);
  auto k4 = b4.load(inner);
  CHECK(p->out->protect(k4).status == esp::TxStatus::expired);  // the hard event ended the SA
  CHECK(p->out->counters().seq_exhausted == 1);
  CHECK(p->out->counters().expired == 1);
  REQUIRE(p->events.size() == 2);
  CHECK(p->events[0].kind == esp::EventKind::soft);
  CHECK(p->events[0].cause == esp::EventCause::sequence);
  CHECK(p->events[1].kind == esp::EventKind::hard);
  CHECK(p->events[1].outbound);
  CHECK(p->events[1].spi == c.esp->spi);
  // The last packet sent carries 0xFFFFFFFF, never 0.
  CHECK(receive(*p, Bytes(k2.view().begin(), k2.view().end())) == esp::RxStatus::ok);
}

TEST_CASE("ESN: the sender crosses 2^32 and the receiver follows (RFC 4303 §2.2.1)") {
  esp::SaConfig c = cbc_sha1();
  c.esn = true;
  c.seq_start = 0xFFFFFFFFull - 3;
  esp::SaConfig r = mirrored(c);
  r.replay_top = c.seq_start;
  auto p = make_pair(c, r);
  std::vector<Bytes> sent;
  for (int i = 0; i < 8; ++i) sent.push_back(protect(*p, ipv4_udp("10.1.0.5", "10.2.0.7", 20)));
  CHECK(p->out->last_seq() == 0x100000004ull);
  // Out of order across the boundary: the 3 after the wrap first, then the ones before.
  for (int i : {5, 7, 4, 0, 2, 1, 3, 6}) CHECK(receive(*p, sent[static_cast<std::size_t>(i)]) == esp::RxStatus::ok);
  CHECK(p->in->esp_window().top() == 0x100000004ull);
  CHECK(receive(*p, sent[1]) == esp::RxStatus::replayed);
  // The low 32 bits on the wire are the same for seq 2^32+1 and 1, but the ICV covers the high
  // half: a receiver that inferred the wrong subspace would count an authentication failure.
  esp::SaConfig fresh = mirrored(c);
  fresh.replay_top = 0;
  auto q = make_pair(c, fresh);
  CHECK(receive(*q, sent[5]) == esp::RxStatus::auth_failed);
}

TEST_CASE("lifetimes: bytes, packets and seconds; soft then hard, once each, on both sides") {
  SUBCASE("packets and bytes") {
    esp::SaConfig c = cbc_sha1();
    c.lifetime.soft_packets = 3;
    c.lifetime.hard_packets = 5;
    c.lifetime.soft_bytes = 150;  // the soft byte limit comes second: no second soft event
    auto p = make_pair(c, mirrored(c));
    const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 22);  // 50 bytes
    std::vector<Bytes> sent;
    for (int i = 1; i <= 5; ++i) {
      sent.push_back(protect(*p, inner));
      CHECK(receive(*p, sent.back()) == esp::RxStatus::ok);
    }
    Buf b;
    auto k = b.load(inner);
    CHECK(p->out->protect(k).status == esp::TxStatus::expired);
    CHECK(p->out->counters().expired == 1);
    CHECK(receive(*p, sent[0]) == esp::RxStatus::expired);  // checked before anything else
    int soft = 0, hard = 0;
    for (const auto& e : p->events) {
      if (e.kind == esp::EventKind::soft) ++soft;
      if (e.kind == esp::EventKind::hard) {
        ++hard;
        CHECK(e.cause == esp::EventCause::packets);
      }
    }
    CHECK(soft == 2);  // one per SA
    CHECK(hard == 2);
    CHECK(p->in->counters().expired == 1);
  }
  SUBCASE("seconds, with the clock driven by hand and poll() without traffic") {
    esp::SaConfig c = cbc_sha1();
    c.lifetime.soft_seconds = 60;
    c.lifetime.hard_seconds = 90;
    auto p = make_pair(c, mirrored(c));
    p->clock.advance_s(59);
    CHECK(p->out->poll());
    CHECK(p->events.empty());
    p->clock.advance_s(1);
    CHECK(p->out->poll());
    CHECK(p->in->poll());
    REQUIRE(p->events.size() == 2);
    CHECK(p->events[0].kind == esp::EventKind::soft);
    CHECK(p->events[0].cause == esp::EventCause::seconds);
    CHECK(p->out->poll());
    CHECK(p->events.size() == 2);  // no repeat
    const Bytes w = protect(*p, ipv4_udp("10.1.0.5", "10.2.0.7", 5));
    p->clock.advance_s(30);
    CHECK(receive(*p, w) == esp::RxStatus::expired);  // hard limit reached while in flight
    CHECK_FALSE(p->out->poll());
    CHECK(p->out->expired());
    CHECK(p->events.size() == 4);
    CHECK(p->events.back().kind == esp::EventKind::hard);
  }
}

TEST_CASE("configurations the RFCs do not allow are refused") {
  using T = policy::EspTransform;
  ScriptRng rng;
  const esp::SaEnv env{nullptr, &rng, {}};
  auto bad = [&](esp::SaConfig c) { return !esp::OutboundSa::create(std::move(c), env).ok(); };
  const char* l = "192.0.2.1";
  const char* r = "198.51.100.2";
  CHECK_FALSE(esp::esp_suite(T{Cipher::aes_gcm128, Integrity::sha1}).ok());      // GCM is combined
  CHECK_FALSE(esp::esp_suite(T{Cipher::aes128, Integrity::aes_gmac128}).ok());   // GMAC has no cipher
  CHECK_FALSE(esp::esp_suite(T{Cipher::none, Integrity::none}).ok());            // RFC 4303 §3.2
  CHECK_FALSE(esp::ah_suite(Integrity::none).ok());
  esp::SaConfig c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, r);
  c.esp->spi = 0;
  CHECK(bad(std::move(c)));
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, r);
  c.esp->keymat = key_bytes(35, 1);
  CHECK(bad(std::move(c)));
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, "2001:db8::1");
  CHECK(bad(std::move(c)));
  c = make_config(esp::Mode::tunnel, {}, Integrity::sha1, l, r);
  c.udp_encap = esp::UdpEncapParams{};
  CHECK(bad(std::move(c)));  // AH cannot be UDP-encapsulated
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, r);
  c.replay_window = 32;
  CHECK(bad(std::move(c)));
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::none}, {}, l, r);
  c.replay_window = 64;
  CHECK(bad(std::move(c)));  // anti-replay needs integrity
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, r);
  c.lifetime.hard_seconds = 10;
  CHECK(bad(std::move(c)));  // no clock
  c = make_config(esp::Mode::tunnel, T{Cipher::aes128, Integrity::sha1}, {}, l, r);
  CHECK_FALSE(esp::OutboundSa::create(std::move(c), esp::SaEnv{}).ok());  // CBC needs an RNG
}

TEST_CASE("outbound refusals: no room, malformed inner packets") {
  const esp::SaConfig c = cbc_sha1();
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 100);
  Buf buf;
  auto tight = buf.load(inner, 10);
  CHECK(p->out->protect(tight).status == esp::TxStatus::no_room);
  std::array<std::uint8_t, 300> small{};
  std::copy(inner.begin(), inner.end(), small.begin() + esp::kHeadroom);
  esp::PacketBuf no_tail(std::span<std::uint8_t>(small).first(esp::kHeadroom + inner.size() + 4), esp::kHeadroom,
                         inner.size());
  CHECK(p->out->protect(no_tail).status == esp::TxStatus::no_room);
  auto junk = buf.load(hex("4500001400000000"));
  CHECK(p->out->protect(junk).status == esp::TxStatus::malformed);
  CHECK(p->out->counters().no_room == 2);
  CHECK(p->out->counters().malformed == 1);
  CHECK(p->out->counters().outcomes() == 3);
  CHECK(p->out->last_seq() == 0);  // refused packets consume no sequence number
}
