#include "wire/esp.h"

#include <fmt/format.h>

namespace ipseckit::wire {
namespace {

Error malformed(std::string msg) { return Error::make("malformed", std::move(msg)); }

}  // namespace

bool read_esp_header(ByteView packet, EspHeader& out) {
  if (packet.size() < kEspHeaderSize) return false;
  const std::uint8_t* p = packet.data();
  out.spi = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
  out.seq = (std::uint32_t{p[4]} << 24) | (std::uint32_t{p[5]} << 16) | (std::uint32_t{p[6]} << 8) | p[7];
  return out.spi != 0;  // §2.1: SPI 0 is reserved
}

bool read_esp_trailer(ByteView plaintext, EspTrailer& out, bool check_padding) {
  const std::size_t n = plaintext.size();
  if (n < kEspTrailerSize) return false;
  const std::uint8_t pad = plaintext[n - 2];
  if (pad > n - kEspTrailerSize) return false;
  const std::size_t payload = n - kEspTrailerSize - pad;
  if (check_padding) {
    unsigned bad = 0;  // §2.4: 1, 2, 3, ...
    for (std::size_t i = 0; i < pad; ++i) bad |= plaintext[payload + i] ^ static_cast<unsigned>(i + 1);
    if (bad != 0) return false;
  }
  out.payload_length = payload;
  out.pad_length = pad;
  out.next_header = plaintext[n - 1];
  return true;
}

Result<EspHeader> parse_esp_header(ByteView packet) {
  EspHeader fast;
  if (read_esp_header(packet, fast)) return fast;
  ByteReader r(packet, "ESP header");
  EspHeader h;
  h.spi = r.u32be();
  h.seq = r.u32be();
  if (!r.ok()) return malformed(r.failure());
  // RFC 4303 §2.1: "The SPI value of zero (0) is reserved for local, implementation-specific
  // use and MUST NOT be sent on the wire."
  if (h.spi == 0) return malformed("ESP header: SPI 0 is reserved");
  return h;
}

bool write_esp_header(std::span<std::uint8_t> out, const EspHeader& h) {
  if (out.size() < kEspHeaderSize) return false;
  for (int i = 0; i < 4; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h.spi >> (24 - 8 * i));
    out[static_cast<std::size_t>(4 + i)] = static_cast<std::uint8_t>(h.seq >> (24 - 8 * i));
  }
  return true;
}

std::size_t esp_pad_length(std::size_t payload_len, std::size_t align) {
  // RFC 4303 §2.4: the ciphertext must end on a 4-byte boundary whatever the block size.
  if (align < 4) align = 4;
  const std::size_t used = (payload_len + kEspTrailerSize) % align;
  return used == 0 ? 0 : align - used;
}

bool write_esp_trailer(std::span<std::uint8_t> out, std::size_t pad_len, std::uint8_t next_header) {
  if (pad_len > 255 || out.size() < pad_len + kEspTrailerSize) return false;
  // §2.4: "the Padding bytes are initialized with a series of (unsigned, 1-byte) integer
  // values. The first padding byte appended to the plaintext is numbered 1".
  for (std::size_t i = 0; i < pad_len; ++i) out[i] = static_cast<std::uint8_t>(i + 1);
  out[pad_len] = static_cast<std::uint8_t>(pad_len);
  out[pad_len + 1] = next_header;
  return true;
}

Result<EspTrailer> parse_esp_trailer(ByteView plaintext, bool check_padding) {
  EspTrailer fast;
  if (read_esp_trailer(plaintext, fast, check_padding)) return fast;
  ByteReader r(plaintext, "ESP trailer");
  ByteView tail = r.bytes_from_end(kEspTrailerSize);
  if (!r.ok()) return malformed(r.failure());
  EspTrailer t;
  t.pad_length = tail[0];
  t.next_header = tail[1];
  ByteView padding = r.bytes_from_end(t.pad_length);
  if (!r.ok())
    return malformed(fmt::format("ESP trailer: pad length {} exceeds the {} bytes of payload", t.pad_length,
                                 plaintext.size() - kEspTrailerSize));
  if (check_padding) {
    unsigned bad = 0;
    for (std::size_t i = 0; i < padding.size(); ++i) bad |= padding[i] ^ static_cast<unsigned>((i + 1) & 0xFF);
    if (bad != 0) return malformed("ESP trailer: padding bytes are not 1, 2, 3, ...");
  }
  t.payload_length = r.remaining();
  return t;
}

}  // namespace ipseckit::wire
