#include "wire/ah.h"

#include <fmt/format.h>

#include <algorithm>

namespace ipseckit::wire {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

// RFC 4302 Appendix A1: options that are immutable and so kept in the ICV computation.
bool ipv4_option_immutable(std::uint8_t type) {
  switch (type) {
    case 0:    // End of Options List
    case 1:    // No Operation
    case 130:  // Security
    case 133:  // Extended Security
    case 134:  // Commercial Security
    case 148:  // Router Alert
    case 149:  // Sender Directed Multi-Destination Delivery
      return true;
    default:
      return false;
  }
}

// Zeroes the data of TLV options in [begin, end) whose type has the "may change" bit (RFC 8200
// §4.2: the third-highest bit of the option type).
Status zero_ipv6_options(std::span<std::uint8_t> opts) {
  std::size_t i = 0;
  while (i < opts.size()) {
    const std::uint8_t type = opts[i];
    if (type == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 2 > opts.size()) return malformed("IPv6 option: truncated");
    const std::size_t len = opts[i + 1];
    if (i + 2 + len > opts.size()) return malformed(fmt::format("IPv6 option {}: length {} overruns", type, len));
    if (type & 0x20) std::fill_n(opts.begin() + static_cast<std::ptrdiff_t>(i + 2), len, std::uint8_t{0});
    i += 2 + len;
  }
  return {};
}

}  // namespace

Result<AhHeader> parse_ah_header(ByteView data) {
  ByteReader r(data, "AH header");
  AhHeader h;
  h.next_header = r.u8();
  h.payload_len = r.u8();
  r.skip(2);  // RESERVED: covered by the ICV, otherwise ignored (§2.3)
  h.spi = r.u32be();
  h.seq = r.u32be();
  if (!r.ok()) return malformed(r.failure());
  h.length = (std::size_t{h.payload_len} + 2) * 4;
  if (h.length < kAhFixedSize) return malformed(fmt::format("AH header: payload length {} is too small", h.payload_len));
  h.icv = r.bytes(h.length - kAhFixedSize);
  if (!r.ok()) return malformed(r.failure());
  if (h.spi == 0) return malformed("AH header: SPI 0 is reserved");
  return h;
}

std::size_t ah_header_length(std::size_t icv_len, bool ipv6) {
  const std::size_t align = ipv6 ? 8 : 4;
  const std::size_t n = kAhFixedSize + icv_len;
  return (n + align - 1) / align * align;
}

bool write_ah_header(std::span<std::uint8_t> out, std::uint8_t next_header, std::size_t length,
                     std::uint32_t spi, std::uint32_t seq) {
  if (length < kAhFixedSize || length % 4 != 0 || length / 4 - 2 > 255 || out.size() < length) return false;
  out[0] = next_header;
  out[1] = static_cast<std::uint8_t>(length / 4 - 2);
  out[2] = out[3] = 0;
  for (int i = 0; i < 4; ++i) {
    out[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(spi >> (24 - 8 * i));
    out[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
  }
  std::fill(out.begin() + kAhFixedSize, out.begin() + static_cast<std::ptrdiff_t>(length), std::uint8_t{0});
  return true;
}

Status ah_zero_mutable_ipv4(std::span<std::uint8_t> h) {
  if (h.size() < 20 || (h[0] >> 4) != 4 || std::size_t{h[0] & 0xFu} * 4 != h.size())
    return malformed("AH: IPv4 header copy has the wrong length");
  // §3.3.3.1.1.1: mutable fields: DSCP/ECN (TOS), flags, fragment offset, TTL, checksum.
  h[1] = 0;
  h[6] = h[7] = 0;
  h[8] = 0;
  h[10] = h[11] = 0;
  // §3.3.3.1.1.2 options: immutable ones stay, every other option is zeroed whole.
  std::size_t i = 20;
  while (i < h.size()) {
    const std::uint8_t type = h[i];
    if (type == 0) break;  // End of Options List: the rest is padding, covered as is
    if (type == 1) {
      ++i;
      continue;
    }
    if (i + 2 > h.size() || h[i + 1] < 2 || i + h[i + 1] > h.size())
      return malformed(fmt::format("AH: IPv4 option {} at offset {} is malformed", type, i));
    const std::size_t len = h[i + 1];
    if (!ipv4_option_immutable(type)) std::fill_n(h.begin() + static_cast<std::ptrdiff_t>(i), len, std::uint8_t{0});
    i += len;
  }
  return {};
}

Status ah_zero_mutable_ipv6(std::span<std::uint8_t> h) {
  if (h.size() < 40 || (h[0] >> 4) != 6) return malformed("AH: IPv6 header copy is too short");
  // §3.3.3.1.2.1: Class and Flow Label and Hop Limit are mutable.
  h[0] = 0x60;
  h[1] = h[2] = h[3] = 0;
  h[7] = 0;
  std::uint8_t nh = h[6];
  std::size_t off = 40;
  while (off < h.size()) {
    if (nh == 43 || nh == 44)
      return malformed(nh == 43 ? "AH: IPv6 routing headers are not supported" : "AH: IPv6 fragment before AH");
    if (nh != 0 && nh != 60) return malformed(fmt::format("AH: IPv6 header {} before AH", nh));
    if (off + 2 > h.size()) return malformed("AH: IPv6 extension header truncated");
    const std::size_t len = (std::size_t{h[off + 1]} + 1) * 8;
    if (off + len > h.size()) return malformed("AH: IPv6 extension header overruns");
    const std::uint8_t next = h[off];
    // §3.3.3.1.2.2: options whose data may change en route are zeroed.
    auto st = zero_ipv6_options(h.subspan(off + 2, len - 2));
    if (!st) return st;
    nh = next;
    off += len;
  }
  return {};
}

}  // namespace ipseckit::wire
