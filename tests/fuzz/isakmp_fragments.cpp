// Fuzz target: IKE fragment reassembly (CVE-2016-10396 class). The input is a sequence of
// records [dt, id, number, flags, len, data...]; each becomes a FRAGMENT payload fed to one
// reassembler at a clock that advances by dt x 100 ms. Invariants (abort on violation): the
// buffered bytes and fragment count never exceed the limits, a completed message is never
// larger than max_bytes, and nothing crashes. The input is also cut with fragment_message()
// when it is a valid ISAKMP message, and reassembling those pieces in reverse order must give
// back exactly the input.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wire/isakmp_fragment.h"
#include "wire/isakmp_message.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "isakmp_fragments: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ReassemblyLimits lim;
  lim.max_fragments = 8;
  lim.max_bytes = 512;
  lim.timeout = std::chrono::milliseconds(1000);
  FragmentReassembler r(lim);
  auto now = FragmentReassembler::Clock::time_point{} + std::chrono::hours(1);
  ByteReader in(ByteView(data, size), "fuzz");
  while (in.remaining() >= 6) {
    now += std::chrono::milliseconds(100) * in.u8();
    FragmentPayload f;
    f.id = static_cast<std::uint16_t>(in.u8() & 0x07);
    f.number = in.u8();
    f.flags = in.u8();
    const std::uint8_t len = in.u8();
    const ByteView d = in.bytes(std::min<std::size_t>(len, in.remaining()));
    f.data.assign(d.begin(), d.end());
    // Through the codec as well: what is written parses back the same.
    ByteWriter w;
    write_fragment(w, f);
    auto parsed = parse_fragment(w.data());
    if (parsed.ok() && !(*parsed == f)) fail("fragment codec round trip");
    auto out = r.add(f, now);
    if (r.buffered_bytes() > lim.max_bytes || r.fragments() > lim.max_fragments) fail("limits exceeded");
    if (out.ok() && out->has_value() && (*out)->size() > lim.max_bytes) fail("oversized message");
  }
  // Split-and-reassemble of a real message.
  if (decode_message(ByteView(data, size)).ok()) {
    auto pieces = fragment_message(ByteView(data, size), 7, 64);
    if (!pieces.ok()) return 0;
    FragmentReassembler big(ReassemblyLimits{255, 1 << 20, std::chrono::milliseconds(1000)});
    std::optional<Bytes> whole;
    for (auto it = pieces->rbegin(); it != pieces->rend(); ++it) {
      auto m = decode_message(*it);
      if (!m.ok() || m->payloads.size() != 1 || !m->payloads[0].as<FragmentPayload>()) fail("fragment message invalid");
      auto out = big.add(*m->payloads[0].as<FragmentPayload>(), now);
      if (!out.ok()) fail("own fragments refused");
      if (out->has_value()) whole = std::move(**out);
    }
    if (!whole || *whole != Bytes(data, data + size)) fail("reassembly does not give back the message");
  }
  return 0;
}
