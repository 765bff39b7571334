// Fuzz target: the TUN offload code (sys/tun_offload.h) on arbitrary bytes. The input is a
// frame as read from an IFF_VNET_HDR TUN: the virtio header parser and the Segmenter must
// refuse or accept it without crashing; every segment of an accepted GSO frame must carry
// valid IPv4 header and TCP checksums (oracle); the segments, coalesced again, must segment
// back into the same packets (round-trip oracle). The bytes after the header are also given
// to the Coalescer as one received packet.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sys/tun_offload.h"

using namespace ipseckit;
using namespace ipseckit::sys::offload;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "oracle failed: %s\n", what);
    std::abort();
  }
}

std::vector<std::vector<std::uint8_t>> segments(const Segmenter& s) {
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < s.count(); ++i) {
    std::vector<std::uint8_t> b(s.segment_size_max());
    const std::size_t n = s.write(i, b);
    check(n > 0 && n <= b.size(), "segment written");
    b.resize(n);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  std::size_t frames = 0;
  {
    Coalescer c([&](ByteView h, ByteView p) {
      check(h.size() == kVnetHdrLen && p.size() == size - kVnetHdrLen, "pass-through");
      ++frames;
    });
    if (size > kVnetHdrLen) c.add(in.subspan(kVnetHdrLen));
    c.flush();
  }
  auto s = Segmenter::parse(in);
  if (!s) return 0;
  check(s->count() >= 1 && s->count() <= 65535, "count");
  const auto segs = segments(*s);
  if (!s->gso()) return 0;
  for (const auto& p : segs) {
    const bool v6 = (p[0] >> 4) == 6;
    const std::size_t l4 = v6 ? 40 : std::size_t{p[0] & 0xFu} * 4;
    if (!v6) check(csum_fold(csum_partial(ByteView(p.data(), l4))) == 0xFFFF, "IPv4 header checksum");
    const ByteView t = ByteView(p).subspan(l4);
    check(csum_fold(csum_partial(t, pseudo_header_sum(p, 6, t.size()))) == 0xFFFF, "TCP checksum");
  }
  std::vector<std::vector<std::uint8_t>> again;
  Coalescer c([&](ByteView h, ByteView p) {
    std::vector<std::uint8_t> f(h.begin(), h.end());
    f.insert(f.end(), p.begin(), p.end());
    auto r = Segmenter::parse(f);
    check(r.has_value(), "coalesced frame parses");
    for (auto& q : segments(*r)) again.push_back(std::move(q));
  });
  for (const auto& p : segs) c.add(p);
  c.flush();
  check(again == segs, "segment -> coalesce -> segment round trip");
  return 0;
}
