// crypto::RandomPool (random.h): the bytes it hands out are exactly its source's stream, in
// order, across refills and for requests of any size; each is wiped from the pool once given.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "crypto/random.h"

using namespace ipseckit;
using namespace ipseckit::crypto;

namespace {

// A scripted source: a xorshift32 stream (no period that divides the pool size, so a wrong
// offset shows), and where the pool keeps its bytes, to look at them while the pool lives.
std::uint32_t g_stream_state = 0;
std::size_t g_refills = 0;
const std::uint8_t* g_pool_bytes = nullptr;

std::uint8_t stream_next(std::uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return static_cast<std::uint8_t>(s >> 24);
}

void scripted_source(std::uint8_t* out, std::size_t n) {
  ++g_refills;
  g_pool_bytes = out;
  for (std::size_t i = 0; i < n; ++i) out[i] = stream_next(g_stream_state);
}

void reset_script() {
  g_stream_state = 0x12345678;
  g_refills = 0;
  g_pool_bytes = nullptr;
}

std::vector<std::uint8_t> expected_stream(std::size_t n) {
  std::uint32_t s = 0x12345678;
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = stream_next(s);
  return v;
}

}  // namespace

TEST_CASE("RandomPool: hands out its source's stream in order, across refills and for any size") {
  reset_script();
  RandomPool pool(&scripted_source);
  constexpr std::size_t K = RandomPool::kSize;
  // Zero-length first (no refill), small ones, a pool's worth spanning a refill, one up to the
  // end of the pool exactly, ones larger than the pool from its start and from its middle.
  const std::size_t sizes[] = {0, 1, 15, 100, K, 0, K - 116, K + K / 2 + 3, 1, K / 2 - 4, 2 * K, 7, 2 * K + 5, 9};
  std::vector<std::uint8_t> got;
  for (const std::size_t n : sizes) {
    CAPTURE(n);
    std::vector<std::uint8_t> out(n + 2, 0xEE);  // a guard byte either side
    pool.fill(out.data() + 1, n);
    CHECK(out.front() == 0xEE);
    CHECK(out.back() == 0xEE);
    got.insert(got.end(), out.begin() + 1, out.end() - 1);
    if (got.empty()) CHECK(g_refills == 0);
  }
  CHECK(got == expected_stream(got.size()));
  CHECK(g_refills == (got.size() + K - 1) / K);  // refills only when empty
}

TEST_CASE("RandomPool: a handed-out byte is wiped from the pool, the unused rest is not") {
  reset_script();
  RandomPool pool(&scripted_source);
  std::uint8_t out[40];
  pool.fill(out, sizeof out);
  REQUIRE(g_pool_bytes != nullptr);
  const std::vector<std::uint8_t> stream = expected_stream(RandomPool::kSize);
  CHECK(std::equal(out, out + sizeof out, stream.begin()));
  CHECK(std::all_of(g_pool_bytes, g_pool_bytes + sizeof out, [](std::uint8_t b) { return b == 0; }));
  CHECK(std::equal(g_pool_bytes + sizeof out, g_pool_bytes + RandomPool::kSize, stream.begin() + sizeof out));
}

TEST_CASE("RandomPool over random_bytes: distinct draws, pools independent") {
  RandomPool a;
  RandomPool b;
  std::set<std::string> seen;  // as strings: GCC 12 -O3 warns on sorting vectors of bytes
  for (int i = 0; i < 300; ++i) {  // 300 x 32 bytes from each: more than two pools' worth
    std::uint8_t x[32], y[32];
    a.fill(x, sizeof x);
    b.fill(y, sizeof y);
    CHECK(seen.emplace(reinterpret_cast<const char*>(x), sizeof x).second);  // NOLINT
    CHECK(seen.emplace(reinterpret_cast<const char*>(y), sizeof y).second);  // NOLINT
  }
  std::uint8_t none[1] = {0xAB};
  a.fill(none, 0);
  CHECK(none[0] == 0xAB);
}
