// ESN resynchronisation (RFC 4303 Appendix A3): a receiver whose window is a whole 2^32
// subspace behind the sender (2^32 or more packets lost) counts authentication failures, and
// after ReplayWindow::kResyncThreshold of them in a row verifies with Seqh + 1 as well and
// follows the sender; without ESN, or before the threshold, nothing changes.
#include <doctest/doctest.h>

#include "support.h"

using namespace esptest;
using policy::Cipher;
using policy::Integrity;

namespace {

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

}  // namespace

TEST_CASE("ESN resync: after the threshold of ICV failures the receiver follows the sender") {
  for (auto t : {policy::EspTransform{Cipher::aes128, Integrity::sha1}, policy::EspTransform{Cipher::aes_gcm128, {}}}) {
    CAPTURE(static_cast<int>(t.cipher));
    esp::SaConfig c = make_config(esp::Mode::tunnel, t, {}, "192.0.2.1", "198.51.100.2");
    c.esn = true;
    c.seq_start = (std::uint64_t{1} << 32) + 100;  // the sender is one subspace ahead
    esp::SaConfig r = mirrored(c);
    r.replay_top = 90;
    auto p = make_pair(c, r);
    const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 40);
    for (std::uint32_t i = 0; i < esp::ReplayWindow::kResyncThreshold; ++i)
      CHECK(receive(*p, protect(*p, inner)) == esp::RxStatus::auth_failed);
    CHECK(p->in->esp_window().top() == 90);
    const Bytes next = protect(*p, inner);
    CHECK(receive(*p, next) == esp::RxStatus::ok);
    CHECK(p->in->esp_window().top() == p->out->last_seq());
    CHECK(receive(*p, next) == esp::RxStatus::replayed);
    CHECK(receive(*p, protect(*p, inner)) == esp::RxStatus::ok);  // in step again
  }
}

TEST_CASE("ESN resync: a forged packet never moves the window; without ESN there is no resync") {
  esp::SaConfig c = make_config(esp::Mode::tunnel, policy::EspTransform{Cipher::aes128, Integrity::sha1}, {},
                                "192.0.2.1", "198.51.100.2");
  c.esn = true;
  auto p = make_pair(c, mirrored(c));
  const Bytes inner = ipv4_udp("10.1.0.5", "10.2.0.7", 40);
  Bytes good = protect(*p, inner);
  for (std::uint32_t i = 0; i <= esp::ReplayWindow::kResyncThreshold; ++i) {
    Bytes bad = good;
    bad.back() ^= 1;  // ICV damaged: fails in both subspaces
    CHECK(receive(*p, bad) == esp::RxStatus::auth_failed);
  }
  CHECK(p->in->esp_window().top() == 0);
  CHECK(receive(*p, good) == esp::RxStatus::ok);  // the right subspace still works
  CHECK(p->in->esp_window().top() == 1);

  esp::ReplayWindow plain(64, false, 5);
  std::uint64_t next = 0;
  for (int i = 0; i < 20; ++i) plain.auth_result(false);
  CHECK_FALSE(plain.resync_candidate(7, next));
  esp::ReplayWindow esn(64, true, 5);
  for (std::uint32_t i = 0; i + 1 < esp::ReplayWindow::kResyncThreshold; ++i) esn.auth_result(false);
  CHECK_FALSE(esn.resync_candidate(7, next));
  esn.auth_result(false);
  REQUIRE(esn.resync_candidate(7, next));
  CHECK(next == (std::uint64_t{1} << 32) + 7);
  esn.auth_result(true);
  CHECK_FALSE(esn.resync_candidate(7, next));
}
