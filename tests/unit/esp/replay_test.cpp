// The anti-replay window (RFC 4303 §3.4.3, Appendix A): edges, duplicates, far-future jumps,
// sizes, and ESN inference across the 2^32 boundary (Appendix A2.2, cases A and B).
#include <doctest/doctest.h>

#include "esp/replay.h"

using ipseckit::esp::ReplayCheck;
using ipseckit::esp::ReplayWindow;

namespace {

// check() then update(), as the receive path does once the ICV is verified.
ReplayCheck accept(ReplayWindow& w, std::uint64_t seq) {
  const ReplayCheck c = w.check(seq);
  if (c == ReplayCheck::ok) w.update(seq);
  return c;
}

}  // namespace

TEST_CASE("window sizes: 64..1024, rounded up to 64; 0 disables") {
  CHECK(ReplayWindow(64).size() == 64);
  CHECK(ReplayWindow(65).size() == 128);
  CHECK(ReplayWindow(1000).size() == 1024);
  CHECK(ReplayWindow(1024).size() == 1024);
  CHECK(ReplayWindow(0).enabled() == false);
  CHECK(ReplayWindow(64).enabled());
}

TEST_CASE("window edges, duplicates, and the left edge for every size") {
  for (std::uint32_t size : {64u, 128u, 320u, 1024u}) {
    CAPTURE(size);
    ReplayWindow w(size);
    CHECK(w.check(0) == ReplayCheck::too_old);  // sequence numbers start at 1
    CHECK(accept(w, 1) == ReplayCheck::ok);
    CHECK(accept(w, 1) == ReplayCheck::duplicate);
    const std::uint64_t top = 5000;
    CHECK(accept(w, top) == ReplayCheck::ok);
    CHECK(w.top() == top);
    // The window holds [top - size + 1, top].
    CHECK(w.check(top - size + 1) == ReplayCheck::ok);
    CHECK(w.check(top - size) == ReplayCheck::too_old);
    CHECK(accept(w, top - size + 1) == ReplayCheck::ok);
    CHECK(accept(w, top - size + 1) == ReplayCheck::duplicate);
    CHECK(accept(w, top) == ReplayCheck::duplicate);
    // Every number inside the window is accepted exactly once, in any order.
    for (std::uint64_t s = top - 1; s > top - size + 1; s -= 3) CHECK(accept(w, s) == ReplayCheck::ok);
    for (std::uint64_t s = top - 1; s > top - size + 1; s -= 3) CHECK(accept(w, s) == ReplayCheck::duplicate);
    // Sliding by one keeps the old bits except the one that fell out.
    CHECK(accept(w, top + 1) == ReplayCheck::ok);
    CHECK(w.check(top - size + 1) == ReplayCheck::too_old);
    CHECK(w.check(top - 1) == ReplayCheck::duplicate);
    CHECK(w.check(top - 2) == ReplayCheck::ok);
  }
}

TEST_CASE("far-future jump clears the window; a check alone never moves it") {
  ReplayWindow w(64);
  for (std::uint64_t s = 1; s <= 64; ++s) REQUIRE(accept(w, s) == ReplayCheck::ok);
  CHECK(w.check(1000000) == ReplayCheck::ok);
  CHECK(w.top() == 64);  // check() does not slide
  CHECK(accept(w, 1000000) == ReplayCheck::ok);
  CHECK(w.check(64) == ReplayCheck::too_old);
  CHECK(w.check(999999) == ReplayCheck::ok);  // bits from before the jump are gone
  CHECK(w.check(1000000 - 63) == ReplayCheck::ok);
  CHECK(w.check(1000000 - 64) == ReplayCheck::too_old);
  // A jump of exactly one ring's worth of words also clears.
  ReplayWindow v(128);
  REQUIRE(accept(v, 100) == ReplayCheck::ok);
  REQUIRE(accept(v, 100 + 3 * 64) == ReplayCheck::ok);
  CHECK(v.check(100 + 3 * 64 - 100) == ReplayCheck::ok);
}

TEST_CASE("32-bit numbers: the top of the space, no wrap") {
  ReplayWindow w(64, false, 0xFFFFFFF0u);
  CHECK(w.infer(0xFFFFFFFFu) == 0xFFFFFFFFu);
  CHECK(accept(w, 0xFFFFFFFFu) == ReplayCheck::ok);
  CHECK(w.infer(1) == 1);  // without ESN a small number is simply too old
  CHECK(w.check(w.infer(1)) == ReplayCheck::too_old);
}

TEST_CASE("ESN inference across the 2^32 boundary (RFC 4303 Appendix A2.2)") {
  // Case A: the window lies within one subspace; a low number below the window is the next one.
  ReplayWindow a(64, true, 0x00000001FFFFFFF0ull);
  CHECK(a.infer(0xFFFFFFF5u) == 0x00000001FFFFFFF5ull);
  CHECK(a.infer(0xFFFFFFB1u) == 0x00000001FFFFFFB1ull);  // inside the window (bottom edge)
  CHECK(a.infer(0x00000003u) == 0x0000000200000003ull);  // wrapped into the next subspace
  CHECK(accept(a, a.infer(0x00000003u)) == ReplayCheck::ok);
  CHECK(a.top() == 0x0000000200000003ull);
  // Now case B: the window spans the boundary; a high low-half is in the previous subspace.
  CHECK(a.infer(0xFFFFFFF5u) == 0x00000001FFFFFFF5ull);
  CHECK(accept(a, a.infer(0xFFFFFFF5u)) == ReplayCheck::ok);
  CHECK(accept(a, a.infer(0xFFFFFFF5u)) == ReplayCheck::duplicate);
  CHECK(a.infer(0x00000010u) == 0x0000000200000010ull);
  CHECK(a.infer(0xFFFFFF00u) == 0x00000002FFFFFF00ull);  // below Bl: read as ahead (A2.2 case B)
  // A new SA (top 0) reads large numbers in subspace 0, not -1.
  ReplayWindow fresh(64, true, 0);
  CHECK(fresh.infer(0xFFFFFFF0u) == 0xFFFFFFF0ull);
  CHECK(fresh.infer(1) == 1);
  // The last subspace never wraps to 0.
  ReplayWindow last(64, true, 0xFFFFFFFFFFFFFFF0ull);
  CHECK(last.infer(5) == 0);
  CHECK(last.check(last.infer(5)) == ReplayCheck::too_old);
}

TEST_CASE("disabled window accepts duplicates but still tracks the top for ESN") {
  ReplayWindow w(0, true);
  CHECK(accept(w, 7) == ReplayCheck::ok);
  CHECK(accept(w, 7) == ReplayCheck::ok);
  CHECK(w.top() == 7);
  CHECK(w.check(0) == ReplayCheck::too_old);
}
