// Shared helpers of the ESP/AH unit tests: the vector-file reader (format:
// tests/vectors/esp/README.md), injected clock and RNG, packet builders, and SA pairs.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "esp/inbound.h"
#include "esp/outbound.h"

namespace esptest {

using ipseckit::Bytes;
using ipseckit::ByteView;
namespace esp = ipseckit::esp;
namespace wire = ipseckit::wire;
namespace policy = ipseckit::policy;

Bytes hex(std::string_view s);
using ipseckit::to_hex;

struct VecRecord {
  std::map<std::string, std::string> fields;
  int line = 0;
  bool has(const std::string& k) const { return fields.count(k) != 0; }
  const std::string& str(const std::string& k) const;
  Bytes bytes(const std::string& k) const;  // hex, or a quoted string as its ASCII bytes
  std::uint64_t hexnum(const std::string& k) const;
  std::uint64_t num(const std::string& k) const;
  std::string where() const;  // "source (line N)" for failure messages
};
std::vector<VecRecord> load_vectors(const std::string& file);

// Hands out queued bytes first, then a fixed pattern (never random): IVs and IPv4 IDs are
// predictable in tests.
class ScriptRng final : public esp::Rng {
 public:
  void queue(ByteView b) { m_q.insert(m_q.end(), b.begin(), b.end()); }
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::deque<std::uint8_t> m_q;
  std::uint8_t m_next = 0x40;
};

class ManualClock final : public esp::Clock {
 public:
  std::uint64_t now_ms() const override { return m_now; }
  void advance_s(std::uint64_t s) { m_now += s * 1000; }
  void set_ms(std::uint64_t ms) { m_now = ms; }

 private:
  std::uint64_t m_now = 1000000;
};

// Packet builders (valid checksums). payload bytes are 0x00, 0x01, ... 0xff, 0x00, ...
Bytes ipv4_udp(const char* src, const char* dst, std::size_t payload, bool df = false, std::uint8_t tos = 0);
Bytes ipv6_udp(const char* src, const char* dst, std::size_t payload, std::uint8_t tclass = 0);
Bytes ipv4_tcp_syn(const char* src, const char* dst, std::uint16_t mss);
Bytes ipv6_tcp_syn(const char* src, const char* dst, std::uint16_t mss);
wire::IpAddr addr(const char* s);
// True when the TCP/UDP checksum of an IPv4/IPv6 packet verifies.
bool l4_checksum_ok(ByteView packet);

ipseckit::SecureBytes key_bytes(std::size_t n, std::uint8_t seed);
esp::SaConfig clone(const esp::SaConfig& c);
// A config with freshly derived key material for the given suites (either may be absent).
esp::SaConfig make_config(esp::Mode mode, std::optional<policy::EspTransform> esp_t,
                          std::optional<policy::Integrity> ah, const char* local, const char* remote);

// A buffer with room around a packet.
struct Buf {
  std::array<std::uint8_t, 70000 + esp::kHeadroom + esp::kTailroom> mem{};
  esp::PacketBuf load(ByteView pkt, std::size_t headroom = esp::kHeadroom);
};

// Outbound SA on the sender and the matching inbound SA on the receiver, sharing one config.
struct Pair {
  ScriptRng rng;
  ManualClock clock;
  std::vector<esp::SaEvent> events;
  std::unique_ptr<esp::OutboundSa> out;
  std::unique_ptr<esp::InboundSa> in;
};
std::unique_ptr<Pair> make_pair(const esp::SaConfig& sender, const esp::SaConfig& receiver);
// The receiver's view of a sender config (local and remote swapped).
esp::SaConfig mirrored(const esp::SaConfig& c);

}  // namespace esptest
