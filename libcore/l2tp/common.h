// Shared vocabulary of the L2TP engine: time, the injected environment, peer addresses,
// sequence-number arithmetic (RFC 2661 §5.8) and errors that carry L2TP result codes.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"
#include "wire/l2tp_header.h"
#include "wire/l2tp_types.h"

namespace ipseckit::l2tp {

// Milliseconds on a monotonic clock with an arbitrary epoch; the engine never reads a clock
// itself (STYLE.md #10): tests drive it by hand, the daemon passes steady_clock.
using Millis = std::chrono::milliseconds;

// What the engine needs from the world besides sending datagrams.
struct Env {
  std::function<Millis()> now;
  std::function<void(std::uint8_t*, std::size_t)> random;
};

struct PeerAddr {
  wire::IpAddr addr;
  std::uint16_t port = wire::kL2tpPort;
  std::string str() const;
  friend bool operator==(const PeerAddr&, const PeerAddr&) = default;
  friend auto operator<=>(const PeerAddr&, const PeerAddr&) = default;
};

// §5.8: Ns/Nr are compared modulo 2^16; "a is before b" when b - a is in 1..32767.
constexpr bool seq_before(std::uint16_t a, std::uint16_t b) {
  return a != b && static_cast<std::uint16_t>(b - a) < 0x8000;
}
constexpr std::uint16_t seq_distance(std::uint16_t from, std::uint16_t to) {
  return static_cast<std::uint16_t>(to - from);
}

// wire::AvpMd5 backed by crypto (hidden AVPs, §4.3).
std::array<std::uint8_t, 16> avp_md5(std::initializer_list<ByteView> parts);

// Errors of the engine. `code` is one of:
//   l2tp.timeout      the peer stopped acknowledging, or a setup did not complete in time
//   l2tp.auth         tunnel authentication failed (challenge response, missing secret)
//   l2tp.peer_stop    the peer sent StopCCN (proto = its result/error)
//   l2tp.peer_cdn     the peer sent CDN (proto = its result/error)
//   l2tp.fsm          a message that is not expected in the current state
//   l2tp.resources    a limit was reached (tunnels, sessions, queue)
//   l2tp.closed       closed locally (administrative)
//   l2tp.malformed / l2tp.unknown_mandatory / l2tp.hidden / l2tp.missing_avp   from the codec
// proto is wire::l2tp_proto(result, error) of the StopCCN/CDN that was sent or received.
Error make_error(std::string code, std::string message, std::uint16_t result, std::uint16_t error = 0);

}  // namespace ipseckit::l2tp
