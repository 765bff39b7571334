#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_fragment.h"
#include "wire/isakmp_message.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;
using Clock = FragmentReassembler::Clock;
using namespace std::chrono_literals;

namespace {

Bytes big_message(std::size_t cert_bytes) {
  Header h;
  h.initiator_cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  h.responder_cookie = {8, 7, 6, 5, 4, 3, 2, 1};
  h.exchange = ExchangeType::main_mode;
  Bytes cert(cert_bytes);
  for (std::size_t i = 0; i < cert.size(); ++i) cert[i] = static_cast<std::uint8_t>(i * 7);
  std::vector<Payload> p{make_payload(IdPayload::fqdn("gw.example")), make_payload(CertPayload{CertEncoding::x509_signature, cert})};
  auto m = encode_message(h, p);
  REQUIRE(m.ok());
  return *m;
}

FragmentPayload frag_of(const Bytes& datagram) {
  auto m = decode_message(datagram);
  REQUIRE(m.ok());
  REQUIRE(m->payloads.size() == 1);
  const auto* f = m->payloads[0].as<FragmentPayload>();
  REQUIRE(f);
  return *f;
}

}  // namespace

TEST_CASE("FRAGMENT payload codec") {
  const Bytes b = hex_bytes("0007" "02" "01" "aabbcc");
  auto f = parse_fragment(b);
  REQUIRE(f.ok());
  CHECK(f->id == 7);
  CHECK(f->number == 2);
  CHECK(f->last());
  ByteWriter w;
  write_fragment(w, *f);
  CHECK(w.data() == b);
  CHECK(parse_fragment(hex_bytes("00070001aa")).error().proto == 16);  // number 0
  CHECK(parse_fragment(hex_bytes("00070101")).error().proto == 16);    // no data
  CHECK(parse_fragment(hex_bytes("000701")).error().proto == 16);
}

TEST_CASE("fragment_message and reassembly, in and out of order, with duplicates") {
  const Bytes msg = big_message(3000);
  auto frags = fragment_message(msg, 5, 576);
  REQUIRE(frags.ok());
  REQUIRE(frags->size() == 6);
  for (const auto& d : *frags) {
    CHECK(d.size() <= 576);
    auto m = decode_message(d);
    REQUIRE(m.ok());
    CHECK(m->header.next_payload == PayloadType::fragment);
    CHECK(m->header.exchange == ExchangeType::main_mode);
    CHECK_FALSE(m->header.encrypted());
  }
  CHECK(frag_of(frags->back()).last());
  CHECK_FALSE(frag_of(frags->front()).last());

  const auto t0 = Clock::time_point{} + 1h;
  FragmentReassembler r;
  std::vector<std::size_t> order{5, 0, 3, 3, 1, 4, 0};  // the last fragment first, duplicates
  for (const std::size_t i : order) {
    auto out = r.add(frag_of((*frags)[i]), t0);
    REQUIRE(out.ok());
    CHECK_FALSE(out->has_value());
  }
  CHECK(r.fragments() == 5);
  auto done = r.add(frag_of((*frags)[2]), t0 + 1s);
  REQUIRE(done.ok());
  REQUIRE(done->has_value());
  CHECK(**done == msg);
  CHECK_FALSE(r.active());
  CHECK(r.buffered_bytes() == 0);
}

TEST_CASE("reassembly bounds: count, bytes, ids, last flag, timeout") {
  const auto t0 = Clock::time_point{} + 1h;
  ReassemblyLimits lim;
  lim.max_fragments = 4;
  lim.max_bytes = 100;
  lim.timeout = 5s;
  FragmentReassembler r(lim);
  auto frag = [](std::uint16_t id, std::uint8_t n, bool last, std::size_t size) {
    return FragmentPayload{id, n, static_cast<std::uint8_t>(last ? 1 : 0), Bytes(size, n)};
  };
  CHECK(r.add(frag(1, 5, false, 10), t0).error().proto == 16);  // above max_fragments
  CHECK(r.add(frag(1, 0, false, 10), t0).error().proto == 16);
  CHECK(r.add(frag(1, 1, false, 0), t0).error().proto == 16);
  REQUIRE(r.add(frag(1, 1, false, 60), t0).ok());
  // Too many bytes: the whole partial message is dropped.
  CHECK(r.add(frag(1, 2, false, 50), t0).error().proto == 16);
  CHECK_FALSE(r.active());
  CHECK(r.buffered_bytes() == 0);
  // A higher id replaces a lower one; an older id is refused.
  REQUIRE(r.add(frag(2, 1, false, 10), t0).ok());
  REQUIRE(r.add(frag(3, 2, false, 10), t0).ok());
  CHECK(r.id() == 3);
  CHECK(r.fragments() == 1);
  CHECK(r.add(frag(2, 1, false, 10), t0).error().proto == 16);
  // Last-fragment rules.
  REQUIRE(r.add(frag(3, 3, true, 10), t0).ok());
  CHECK(r.add(frag(3, 4, false, 10), t0).error().proto == 16);  // beyond the last
  CHECK(r.add(frag(3, 2, true, 10), t0).error().proto == 16);   // a second "last"
  // Timeout: a stale partial message is dropped; the fragment starts a fresh one.
  REQUIRE(r.add(frag(3, 1, false, 10), t0 + 6s).ok());
  CHECK(r.fragments() == 1);
  auto rest = r.add(frag(3, 2, true, 10), t0 + 7s);
  REQUIRE(rest.ok());
  REQUIRE(rest->has_value());
  CHECK((*rest)->size() == 20);
  // "last" arrives after higher numbers were already buffered: refused.
  REQUIRE(r.add(frag(9, 3, false, 5), t0).ok());
  CHECK(r.add(frag(9, 2, true, 5), t0).error().proto == 16);
}

TEST_CASE("fragment_message refuses impossible splits") {
  const Bytes msg = big_message(3000);
  CHECK_FALSE(fragment_message(msg, 1, 36).ok());
  CHECK_FALSE(fragment_message(msg, 1, 40).ok());  // 4 bytes per fragment: > 255 fragments
  CHECK_FALSE(fragment_message(hex_bytes("00"), 1, 500).ok());
  auto one = fragment_message(msg, 1, 100000);
  REQUIRE(one.ok());
  CHECK(one->size() == 1);
}
