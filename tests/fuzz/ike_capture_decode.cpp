// Fuzz target: `ikeview decode`'s decoder (ike/capture_decoder.h, ike/describe.h). The input
// is [k, key (8/16/24/32 bytes by k & 3), records...], each record [len_hi, len_lo,
// datagram...]; the datagrams go in order to one CaptureDecoder that holds the key for the
// initiator cookie of the first record, so the IV chains and decryption run too (the corpus
// holds real negotiations with their Ka).
// Properties (abort on violation): nothing crashes; every decoded message has a header and is
// either readable ("payloads") or marked encrypted; render_message and dump_json never throw.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "ike/capture_decoder.h"
#include "ike/describe.h"

using namespace ipseckit;

namespace {
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "ike_capture_decode: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ike::CaptureDecoder dec;
  const ByteView in(data, size);
  static constexpr std::size_t kLens[] = {8, 16, 24, 32};
  const std::size_t klen = size ? kLens[data[0] & 3] : 0;
  std::size_t off = 1 + klen;
  if (size >= off + 2 + 8) {
    wire::isakmp::Cookie c{};
    std::copy(data + off + 2, data + off + 10, c.begin());
    dec.add_key(c, Bytes(data + 1, data + 1 + klen));
  }
  auto now = ike::CaptureDecoder::Clock::time_point{};
  while (off + 2 <= size) {
    const std::size_t len = (std::size_t{data[off]} << 8) | data[off + 1];
    off += 2;
    const ByteView d = in.subspan(off, std::min(len, size - off));
    off += d.size();
    now += std::chrono::milliseconds(100);
    auto o = dec.decode(d, now);
    if (!o) continue;
    if (!o->contains("cky_i") || !o->contains("exchange")) fail("a message object without its header");
    if (!o->contains("payloads") && !o->value("encrypted", false)) fail("a clear message without payloads");
    try {
      (void)ike::render_message(*o);
      (void)ike::dump_json(*o);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      fail("rendering threw");
    }
  }
  return 0;
}
