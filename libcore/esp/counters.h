// Per-SA counters. Every packet handed to an SA lands in exactly one outcome counter, so the
// outcomes always add up to the packets offered (the fuzz targets check this). Windows' IPsec
// statistics names (espd maps them): packets/bytes -> "Confidential/Authenticated Bytes
// Sent/Received", auth_failed -> "Pkts not Authenticated", decrypt_failed -> "Pkts not
// Decrypted", replayed -> "Pkts with Replay Detection". "Bad SPI Pkts" is counted by the caller
// that looks SAs up by SPI; bad_spi here is an inner SPI that does not match the bundle.
#pragma once

#include <cstdint>

namespace ipseckit::esp {

enum class RxStatus : std::uint8_t {
  ok,              // delivered: the packet now holds the inner packet
  malformed,       // framing: lengths, headers, protocol/mode mismatch, fragments
  bad_spi,         // an SPI that is not this SA's (inner SA of a bundle, or misrouted)
  replayed,        // duplicate or left of the window (checked before the ICV, counted apart)
  auth_failed,     // ICV mismatch
  decrypt_failed,  // decryption or padding check failed (after the ICV, or without integrity)
  dummy,           // RFC 4303 §2.6 dummy packet (next header 59), silently dropped
  expired,         // hard lifetime reached
};

enum class TxStatus : std::uint8_t {
  ok,             // the packet now holds the outer packet
  malformed,      // the inner packet is not a valid IPv4/IPv6 packet (or the wrong family)
  no_room,        // the caller's buffer lacks headroom or tailroom
  too_big,        // exceeds the path MTU with DF set (or IPv6): send ICMP "too big"
  seq_exhausted,  // sequence numbers used up: rekey (never wraps, RFC 4303 §3.3.3)
  expired,        // hard lifetime reached
  crypto_failed,  // OpenSSL refused (should not happen)
};

struct RxCounters {
  std::uint64_t ok = 0, bytes = 0;  // bytes: inner packets delivered
  std::uint64_t malformed = 0, bad_spi = 0, replayed = 0, auth_failed = 0, decrypt_failed = 0, dummy = 0,
                expired = 0;
  std::uint64_t outcomes() const {
    return ok + malformed + bad_spi + replayed + auth_failed + decrypt_failed + dummy + expired;
  }
};

struct TxCounters {
  std::uint64_t ok = 0, bytes = 0;  // bytes: inner packets protected
  std::uint64_t malformed = 0, no_room = 0, too_big = 0, seq_exhausted = 0, expired = 0, crypto_failed = 0;
  std::uint64_t outcomes() const {
    return ok + malformed + no_room + too_big + seq_exhausted + expired + crypto_failed;
  }
};

const char* name(RxStatus s);
const char* name(TxStatus s);

}  // namespace ipseckit::esp
