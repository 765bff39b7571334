// Fuzz target: IPv4/IPv6 reassembly and IPv6 fragmentation (esp/reassembly.h, esp/fragment_v6.h)
// on arbitrary bytes. The input is a list of packets (2-byte big-endian length, then bytes):
// each is handed to one Reassembler, which must never write past its output or return more
// than it holds; every IPv6 packet the fragmenter accepts is cut (MTU from the input) and put
// back together by a fresh Reassembler, which must give back the same bytes (round-trip oracle).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "esp/fragment_v6.h"
#include "esp/reassembly.h"

using namespace ipseckit;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "oracle failed: %s\n", what);
    std::abort();
  }
}

void round_trip(ByteView pkt, std::size_t mtu) {
  esp::FragmentPlanV6 plan;
  if (!esp::plan_ipv6_fragments(pkt, mtu, 0x01020304, plan)) return;
  // Our reassembler keeps at most kMaxHeader bytes of Unfragmentable Part (and refuses more).
  if (plan.unfrag > esp::Reassembler::kMaxHeader) return;
  esp::Reassembler r;
  std::vector<std::uint8_t> frag(mtu), out(65535 + 40);
  std::size_t whole = 0;
  for (std::size_t i = 0; i < plan.count; ++i) {
    const auto n = esp::build_ipv6_fragment(pkt, plan, i, frag);
    check(n != 0 && n <= mtu, "fragment size");
    if (plan.count == 1) return;  // it fits: sent as is
    whole = r.add(ByteView(frag.data(), n), 0, out);
    check((whole != 0) == (i + 1 == plan.count), "completion on the last fragment");
  }
  check(whole == plan.unfrag + plan.data_len, "reassembled length");
  check(std::memcmp(out.data(), pkt.data(), whole) == 0, "reassembled bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  esp::Reassembler r;
  std::vector<std::uint8_t> out(65535);
  std::uint64_t now = 0;
  for (std::size_t off = 0; off + 2 <= size;) {
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(data[off] << 8 | data[off + 1]), size - off - 2);
    const ByteView pkt(data + off + 2, n);
    off += 2 + n;
    const auto whole = r.add(pkt, now, out);
    check(whole <= out.size(), "output bound");
    check(r.pending() <= esp::Reassembler::kSlots, "slots bound");
    now += n % 7 * 1000;  // some datagrams time out
    round_trip(pkt, 1280 + n % 200);
  }
  return 0;
}
