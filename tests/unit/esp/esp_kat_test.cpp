// Known-answer ESP packets: RFC 3602 §4 (AES-CBC; raw cipher cases 1-4, full packets 5-8 in
// transport and tunnel mode, sent by an OutboundSa and received by an InboundSa) and
// draft-mcgrew-gcm-test-01 §4 (AES-GCM-16 ESP packets, with and without ESN).
#include <doctest/doctest.h>

#include <cstring>

#include "crypto/cipher.h"
#include "esp/esp_crypto.h"
#include "esp/ip_headers.h"
#include "support.h"
#include "wire/esp.h"
#include "wire/ip_packet.h"

using namespace esptest;

TEST_CASE("RFC 3602 cases 1-4: AES-128-CBC") {
  int n = 0;
  for (const auto& r : load_vectors("esp_cbc.vec")) {
    if (r.has("mode")) continue;
    INFO(r.where());
    auto c = ipseckit::crypto::CbcCipher::create(ipseckit::crypto::CbcAlg::aes128, r.bytes("key"));
    REQUIRE(c.ok());
    const Bytes pt = r.bytes("pt"), ct = r.bytes("ct");
    Bytes out(pt.size());
    REQUIRE(c->encrypt(r.bytes("iv"), pt, out.data()));
    CHECK(to_hex(out) == to_hex(ct));
    REQUIRE(c->decrypt(r.bytes("iv"), ct, out.data()));
    CHECK(out == pt);
    ++n;
  }
  CHECK(n == 4);
}

TEST_CASE("RFC 3602 cases 5-8: ESP packets, byte exact, both directions") {
  int n = 0;
  for (const auto& r : load_vectors("esp_cbc.vec")) {
    if (!r.has("mode")) continue;
    INFO(r.where());
    const bool tunnel = r.str("mode") == "tunnel";
    esp::SaConfig c;
    c.mode = tunnel ? esp::Mode::tunnel : esp::Mode::transport;
    c.esp = esp::EspParams{static_cast<std::uint32_t>(r.hexnum("spi")),
                           policy::EspTransform{policy::Cipher::aes128, policy::Integrity::none},
                           ipseckit::SecureBytes(r.bytes("key"))};
    c.replay_window = 0;  // no integrity, no anti-replay (RFC 4303 §3.4.3)
    c.seq_start = r.num("seq") - 1;
    if (tunnel) {
      c.local = addr(r.str("local").c_str());
      c.remote = addr(r.str("remote").c_str());
    }
    ScriptRng rng;
    rng.queue(tunnel ? r.bytes("outer_id") : hex("0000"));  // drawn once: the IPv4 ID counter
    rng.queue(r.bytes("iv"));
    auto out = esp::OutboundSa::create(clone(c), esp::SaEnv{nullptr, &rng, {}});
    REQUIRE_MESSAGE(out.ok(), out.error().message);
    const Bytes inner = r.bytes("inner"), want_esp = r.bytes("esp");
    Buf buf;
    auto pkt = buf.load(inner);
    auto res = out->protect(pkt);
    REQUIRE(res.status == esp::TxStatus::ok);
    REQUIRE(res.l4_offset == 20);
    const ByteView got = pkt.view();
    CHECK(to_hex(got.subspan(20)) == to_hex(want_esp));
    if (r.has("outer_header")) {
      CHECK(to_hex(got.first(20)) == r.str("outer_header"));
    } else {
      auto h = ipseckit::wire::parse_ipv4_header(got);
      REQUIRE(h.ok());
      CHECK(h->protocol == 50);
      CHECK(h->total_length == got.size());
      CHECK(h->ttl == 64);
      CHECK(h->src == (tunnel ? c.local : addr("192.168.123.3")));
      if (tunnel) CHECK(h->id == r.hexnum("outer_id"));
    }
    // Receive the very packet and get the original back.
    auto in = esp::InboundSa::create(tunnel ? mirrored(c) : clone(c), esp::SaEnv{});
    REQUIRE(in.ok());
    Bytes received(got.begin(), got.end());
    Buf rbuf;
    auto rpkt = rbuf.load(received, 0);
    REQUIRE(in->unprotect(rpkt) == esp::RxStatus::ok);
    CHECK(to_hex(rpkt.view()) == to_hex(inner));
    ++n;
  }
  CHECK(n == 4);
}

namespace {

esp::EspSuite gcm_suite(std::size_t keymat) {
  const auto cipher = keymat == 20 ? policy::Cipher::aes_gcm128
                                   : keymat == 28 ? policy::Cipher::aes_gcm192 : policy::Cipher::aes_gcm256;
  auto s = esp::esp_suite(policy::EspTransform{cipher, policy::Integrity::none});
  REQUIRE(s.ok());
  return *s;
}

}  // namespace

TEST_CASE("draft-mcgrew-gcm-test-01: AES-GCM ESP packets (seal, open, tamper, receive)") {
  auto recs = load_vectors("esp_gcm.vec");
  REQUIRE(recs.size() == 14);
  int received = 0;
  for (const auto& r : recs) {
    INFO(r.where());
    const Bytes keymat = r.bytes("keymat"), pt = r.bytes("plaintext"), want = r.bytes("esp");
    const bool esn = r.str("seq").size() == 16;
    const std::uint64_t seq = r.hexnum("seq");
    const auto seq_hi = static_cast<std::uint32_t>(seq >> 32);
    const esp::EspSuite suite = gcm_suite(keymat.size());
    auto crypto = esp::EspCrypto::create(suite, keymat);
    REQUIRE(crypto.ok());
    Bytes pkt(8 + 8 + pt.size() + 16);
    ipseckit::wire::write_esp_header(pkt, {static_cast<std::uint32_t>(r.hexnum("spi")), static_cast<std::uint32_t>(seq)});
    const Bytes iv = r.bytes("iv");
    std::memcpy(pkt.data() + 8, iv.data(), 8);
    std::memcpy(pkt.data() + 16, pt.data(), pt.size());
    REQUIRE(crypto->seal(pkt, esn, seq_hi));
    CHECK(to_hex(pkt) == to_hex(want));
    Bytes open = want;
    REQUIRE(crypto->verify_and_decrypt(open, esn, seq_hi) == esp::OpenResult::ok);
    CHECK(to_hex(ByteView(open).subspan(16, pt.size())) == to_hex(pt));
    for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{9}, want.size() / 2, want.size() - 1}) {
      Bytes bad = want;
      bad[at] ^= 0x01;
      CHECK(crypto->verify_and_decrypt(bad, esn, seq_hi) == esp::OpenResult::auth_failed);
    }
    if (esn) {  // the high half is authenticated though never sent
      Bytes other = want;
      CHECK(crypto->verify_and_decrypt(other, esn, seq_hi + 1) == esp::OpenResult::auth_failed);
    }
    if (r.hexnum("spi") == 0) continue;  // SPI 0 is not valid on the wire (RFC 4303 §2.1)
    // Through a transport-mode InboundSa whose window sits just below the vector's number.
    esp::SaConfig c;
    c.esp = esp::EspParams{static_cast<std::uint32_t>(r.hexnum("spi")), suite.transform,
                           ipseckit::SecureBytes(Bytes(keymat))};
    c.esn = esn;
    c.replay_top = seq - 1;
    auto in = esp::InboundSa::create(std::move(c), esp::SaEnv{});
    REQUIRE(in.ok());
    ipseckit::wire::Ipv4Header oh;
    oh.total_length = static_cast<std::uint16_t>(20 + want.size());
    oh.protocol = 50;
    oh.src = addr("192.0.2.1");
    oh.dst = addr("192.0.2.2");
    Bytes ippkt = ipseckit::wire::serialize_ipv4_header(oh);
    ippkt.insert(ippkt.end(), want.begin(), want.end());
    Buf buf;
    auto p = buf.load(ippkt);
    REQUIRE(in->unprotect(p) == esp::RxStatus::ok);
    auto tr = ipseckit::wire::parse_esp_trailer(pt, false);
    REQUIRE(tr.ok());
    CHECK(to_hex(p.view().subspan(20)) == to_hex(ByteView(pt).first(tr->payload_length)));
    CHECK(p.view()[9] == tr->next_header);
    CHECK(in->esp_window().top() == seq);
    ++received;
  }
  CHECK(received == 13);
}
