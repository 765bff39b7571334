// ESP packet framing (RFC 4303 §2): header, trailer and padding. Crypto lives in libcore/esp.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
//  |               Security Parameters Index (SPI)                 | ^Int.
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
//  |                      Sequence Number                          | |ered
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | ----
//  |                    Payload Data* (variable)                   | |   ^
//  ~                                                               ~ |   |
//  |                                                               | |Conf.
//  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
//  |               |     Padding (0-255 bytes)                     | |ered*
//  +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |   |
//  |                               |  Pad Length   | Next Header   | v   v
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ------
//  |         Integrity Check Value-ICV   (variable)                |
//  ~                                                               ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  * the Payload Data starts with the IV when the cipher needs one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/result.h"

namespace ipseckit::wire {

inline constexpr std::size_t kEspHeaderSize = 8;
inline constexpr std::size_t kEspTrailerSize = 2;       // Pad Length + Next Header
inline constexpr std::uint8_t kNextHeaderNone = 59;     // RFC 4303 §2.6: dummy packet

struct EspTrailer;

struct EspHeader {
  std::uint32_t spi = 0;
  std::uint32_t seq = 0;  // the low 32 bits when ESN is in use (§2.2.1)
  friend bool operator==(const EspHeader&, const EspHeader&) = default;
};

// The data path's form of the two parsers below: no error text, nothing allocated, the same
// checks (the parse_* functions call these and only then explain a failure).
bool read_esp_header(ByteView packet, EspHeader& out);
bool read_esp_trailer(ByteView plaintext, EspTrailer& out, bool check_padding = true);

// Reads SPI and Sequence Number from the first 8 bytes. §2.1: SPI 0 is reserved and refused
// (and 1..255 are reserved by IANA for future use; accepted here, the SA lookup decides).
Result<EspHeader> parse_esp_header(ByteView packet);
// Writes the 8-byte header into out[0..8); returns false when out is shorter.
bool write_esp_header(std::span<std::uint8_t> out, const EspHeader& h);

// §2.4: the number of padding bytes so that payload + padding + 2 is a multiple of `align`
// (the cipher block size, and at least 4 for the 32-bit alignment ESP requires).
std::size_t esp_pad_length(std::size_t payload_len, std::size_t align);
// Writes Padding (the monotonic 1, 2, 3, ... of §2.4), Pad Length and Next Header into
// out[0..pad_len + 2); false when out is shorter or pad_len > 255.
bool write_esp_trailer(std::span<std::uint8_t> out, std::size_t pad_len, std::uint8_t next_header);

struct EspTrailer {
  std::size_t payload_length = 0;  // bytes of Payload Data before the padding
  std::uint8_t pad_length = 0;
  std::uint8_t next_header = 0;
};
// Parses the trailer at the end of decrypted "Payload || Padding || Pad Length || Next Header".
// Fails when Pad Length exceeds what is there, or (check_padding) when the padding bytes are
// not 1, 2, 3, ... (§2.4: "the receiver MAY inspect the Padding field"; we do, so a wrong key
// or a tampered unauthenticated packet is caught).
Result<EspTrailer> parse_esp_trailer(ByteView plaintext, bool check_padding = true);

}  // namespace ipseckit::wire
