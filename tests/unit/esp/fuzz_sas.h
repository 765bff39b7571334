// The SAs the ESP/AH/UDP-encap fuzz targets attack, and the oracle they check (shared by
// tests/fuzz/esp_*.cpp; header-only so it needs no test framework).
//
// Each target builds a few SA pairs of different suites with fixed keys, protects a handful of
// fixed inner packets with the outbound halves (these are the only authentic packets), and then
// feeds input bytes to the inbound halves: byte 0 picks the SA, the rest is the packet. After
// every packet (byte 0: bits 0-5 pick the SA, bit 6 its twin without a replay window):
//   * the SA's outcome counters must have grown by exactly one (every packet accounted for);
//   * for SAs with integrity, an accepted packet must be one of the authentic ones: its authenticated bytes (ESP: from
//     the SPI on; AH: the IP header with mutable fields zeroed, and everything after it) must
//     match, and the inner packet must be the one that was sent.
// Anything else aborts. seeds() gives "SA index || authentic packet" inputs for the corpora.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "esp/inbound.h"
#include "esp/ip_headers.h"
#include "esp/outbound.h"
#include "esp/suite.h"
#include "wire/ah.h"
#include "wire/ip_packet.h"
#include "wire/ipv6.h"
#include "wire/udp.h"


namespace espfuzz {

namespace esp = ipseckit::esp;
namespace wire = ipseckit::wire;
namespace policy = ipseckit::policy;
using ipseckit::Bytes;
using ipseckit::ByteView;

enum class Target { esp, ah, udp };

class CounterRng final : public esp::Rng {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = m_next++;
  }

 private:
  std::uint8_t m_next = 1;
};

class FixedClock final : public esp::Clock {
 public:
  std::uint64_t now_ms() const override { return 5000; }
};

inline wire::IpAddr ip(const char* s) { return *wire::IpAddr::parse(s); }

inline ipseckit::SecureBytes keys(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 13);
  return ipseckit::SecureBytes(std::move(b));
}

struct Spec {
  esp::Mode mode;
  std::optional<policy::EspTransform> esp_t;
  std::optional<policy::Integrity> ah;
  const char* local;
  const char* remote;
  bool udp = false;
  bool esn = false;
  std::uint32_t window = 64;
};

inline esp::SaConfig config(const Spec& s, bool receiver, std::uint32_t index) {
  esp::SaConfig c;
  c.mode = s.mode;
  c.local = ip(receiver ? s.remote : s.local);
  c.remote = ip(receiver ? s.local : s.remote);
  c.esn = s.esn;
  c.replay_window = s.window;
  if (s.esp_t) {
    auto suite = esp::esp_suite(*s.esp_t);
    c.esp = esp::EspParams{0x3000 + 16 * index, *s.esp_t, keys(suite->keymat(), static_cast<std::uint8_t>(7 + index))};
    if (!suite->integrity() && !s.ah) c.replay_window = 0;
  }
  if (s.ah) {
    auto suite = esp::ah_suite(*s.ah);
    c.ah = esp::AhParams{0x4000 + 16 * index, *s.ah, keys(suite->key, static_cast<std::uint8_t>(29 + index))};
  }
  if (s.udp) c.udp_encap = esp::UdpEncapParams{4500, 4500, ip(s.local), ip(s.remote)};
  return c;
}

inline std::vector<Spec> specs(Target t) {
  using policy::Cipher;
  using policy::Integrity;
  using T = policy::EspTransform;
  const auto tun = esp::Mode::tunnel, tr = esp::Mode::transport;
  switch (t) {
    case Target::esp:
      return {{tun, T{Cipher::aes128, Integrity::sha1}, {}, "192.0.2.1", "198.51.100.2"},
              {tr, T{Cipher::aes_gcm128, Integrity::none}, {}, "10.0.0.1", "10.0.0.2", false, true},
              {tun, T{Cipher::none, Integrity::aes_gmac128}, {}, "2001:db8::1", "2001:db8::2"},
              {tr, T{Cipher::none, Integrity::sha256}, {}, "fd00::1", "fd00::2"},
              {tun, T{Cipher::des3, Integrity::md5}, {}, "192.0.2.1", "198.51.100.2", false, false, 1024},
              {tun, T{Cipher::aes256, Integrity::sha512}, {}, "192.0.2.1", "198.51.100.2", false, true},
              {tun, T{Cipher::aes128, Integrity::none}, {}, "192.0.2.1", "198.51.100.2", false, false, 0}};
    case Target::ah:
      return {{tr, {}, Integrity::sha1, "10.0.0.1", "10.0.0.2"},
              {tun, {}, Integrity::md5, "2001:db8::1", "2001:db8::2"},
              {tun, {}, Integrity::aes_gmac128, "192.0.2.1", "198.51.100.2", false, true},
              {tr, T{Cipher::des3, Integrity::sha1}, Integrity::sha1, "10.0.0.1", "10.0.0.2"},
              {tun, T{Cipher::aes_gcm128, Integrity::none}, Integrity::sha256, "2001:db8::1", "2001:db8::2"}};
    case Target::udp:
      return {{tun, T{Cipher::aes128, Integrity::sha1}, {}, "192.0.2.1", "198.51.100.2", true},
              {tr, T{Cipher::aes_gcm128, Integrity::none}, {}, "10.0.0.1", "10.0.0.2", true},
              {tun, T{Cipher::aes_gcm256, Integrity::none}, {}, "2001:db8::1", "2001:db8::2", true, true}};
  }
  return {};
}

// The bytes an SA authenticates, as the oracle compares them (as a string: a map key).
// For AH, the ICV padding (RFC 4302 §3.3.3.2.1: part of the ICV field, zeroed for the ICV, its
// contents at the sender's discretion) is left out too; ah_icv is the authenticator length.
inline std::string authenticated(ByteView pkt, bool ah, std::size_t ah_icv = 0) {
  auto info = esp::inspect_received(pkt);
  if (!info) return {};
  std::string key;
  if (ah) {
    Bytes hdr(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(info->header_len));
    auto z = info->v6 ? wire::ah_zero_mutable_ipv6(hdr) : wire::ah_zero_mutable_ipv4(hdr);
    if (!z) return {};
    key.assign(hdr.begin(), hdr.end());
  }
  std::size_t at = info->header_len;
  if (info->proto == 17) at += wire::kUdpHeaderSize;  // ESP-in-UDP: the UDP header is not covered
  if (at > info->total_len) return {};
  const std::size_t from = key.size();
  key.insert(key.end(), pkt.begin() + static_cast<std::ptrdiff_t>(at), pkt.begin() + static_cast<std::ptrdiff_t>(info->total_len));
  if (ah && key.size() >= from + 2) {
    const std::size_t ahl = (std::size_t{static_cast<std::uint8_t>(key[from + 1])} + 2) * 4;
    for (std::size_t i = from + wire::kAhFixedSize + ah_icv; i < from + ahl && i < key.size(); ++i) key[i] = 0;
  }
  return key;
}

inline Bytes inner_packet(bool v6, std::size_t payload, std::uint8_t salt) {
  Bytes l4(8 + payload);
  wire::write_udp_header(l4, wire::UdpHeader{1000, 2000, static_cast<std::uint16_t>(l4.size()), 0});
  for (std::size_t i = 0; i < payload; ++i) l4[8 + i] = static_cast<std::uint8_t>(salt + i);
  Bytes p;
  if (v6) {
    wire::Ipv6Header h;
    h.payload_length = static_cast<std::uint16_t>(l4.size());
    h.next_header = 17;
    h.src = ip("fd00:1::5");
    h.dst = ip("fd00:2::7");
    p.resize(40);
    wire::write_ipv6_header(p, h);
  } else {
    wire::Ipv4Header h;
    h.total_length = static_cast<std::uint16_t>(20 + l4.size());
    h.protocol = 17;
    h.src = ip("10.1.0.5");
    h.dst = ip("10.2.0.7");
    p = wire::serialize_ipv4_header(h);
  }
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

struct Sa {
  bool ah = false;
  bool integrity = true;  // without it (CBC, no ICV) garbage can decrypt to a valid packet
  std::size_t ah_icv = 0;
  bool tunnel = false;
  std::unique_ptr<esp::InboundSa> in;
  std::unique_ptr<esp::InboundSa> twin;  // same keys, no replay window
  std::uint64_t offered = 0, twin_offered = 0;
  std::map<std::string, Bytes> authentic;  // authenticated bytes -> the inner packet sent
  std::vector<Bytes> packets;        // the outer packets, for seeds
};

class Harness {
 public:
  explicit Harness(Target t) {
    std::uint32_t index = 0;
    for (const Spec& s : specs(t)) {
      ++index;  // distinct SPIs and keys per SA: no SA's packets are authentic for another
      auto out = esp::OutboundSa::create(config(s, false, index), esp::SaEnv{&m_clock, &m_rng, {}});
      auto in = esp::InboundSa::create(config(s, true, index), esp::SaEnv{&m_clock, &m_rng, {}});
      // A twin without a replay window, so that mutants of the (already received) authentic
      // packets reach the ICV and decryption instead of stopping at the replay check.
      esp::SaConfig twin_cfg = config(s, true, index);
      twin_cfg.replay_window = 0;
      auto twin = esp::InboundSa::create(std::move(twin_cfg), esp::SaEnv{&m_clock, &m_rng, {}});
      if (!out || !in || !twin) {
        std::fprintf(stderr, "fuzz harness: SA setup failed: %s\n",
                     (!out ? out.error() : !in ? in.error() : twin.error()).message.c_str());
        std::abort();
      }
      Sa sa;
      sa.ah = s.ah.has_value();
      sa.integrity = sa.ah || (s.esp_t && esp::esp_suite(*s.esp_t)->integrity());
      if (s.ah) sa.ah_icv = esp::ah_suite(*s.ah)->icv;
      sa.tunnel = s.mode == esp::Mode::tunnel;
      sa.in = std::make_unique<esp::InboundSa>(std::move(in).value());
      sa.twin = std::make_unique<esp::InboundSa>(std::move(twin).value());
      const bool inner_v6 = ip(s.local).is_v6();  // tunnels carry their own family here
      for (std::size_t n : {std::size_t{0}, std::size_t{17}, std::size_t{64}, std::size_t{300}}) {
        Bytes inner = inner_packet(inner_v6, n, static_cast<std::uint8_t>(n));
        if (!sa.tunnel) {  // transport: the packet's own addresses are the SA's
          if (inner_v6) {
            const wire::IpAddr src = ip(s.local), dst = ip(s.remote);
            std::copy(src.bytes().begin(), src.bytes().end(), inner.begin() + 8);
            std::copy(dst.bytes().begin(), dst.bytes().end(), inner.begin() + 24);
          } else {
            wire::Ipv4Header h = *wire::parse_ipv4_header(inner);
            h.src = ip(s.local);
            h.dst = ip(s.remote);
            Bytes hdr = wire::serialize_ipv4_header(h);
            std::copy(hdr.begin(), hdr.end(), inner.begin());
          }
        }
        std::array<std::uint8_t, 1024> buf{};
        std::copy(inner.begin(), inner.end(), buf.begin() + esp::kHeadroom);
        esp::PacketBuf pkt(buf, esp::kHeadroom, inner.size());
        if (out->protect(pkt).status != esp::TxStatus::ok) std::abort();
        Bytes wire_bytes(pkt.view().begin(), pkt.view().end());
        sa.authentic[authenticated(wire_bytes, sa.ah, sa.ah_icv)] = inner;
        sa.packets.push_back(std::move(wire_bytes));
      }
      m_sas.push_back(std::move(sa));
    }
  }

  ~Harness() {
    if (!std::getenv("IPSECKIT_FUZZ_STATS")) return;
    for (const Sa& s : m_sas) {
      auto c = s.in->counters();
      const auto& t = s.twin->counters();
      c.ok += t.ok, c.malformed += t.malformed, c.bad_spi += t.bad_spi, c.replayed += t.replayed;
      c.auth_failed += t.auth_failed, c.decrypt_failed += t.decrypt_failed, c.dummy += t.dummy;
      std::fprintf(stderr, "sa: ok %llu malformed %llu bad_spi %llu replayed %llu auth %llu decrypt %llu dummy %llu\n",
                   static_cast<unsigned long long>(c.ok), static_cast<unsigned long long>(c.malformed),
                   static_cast<unsigned long long>(c.bad_spi), static_cast<unsigned long long>(c.replayed),
                   static_cast<unsigned long long>(c.auth_failed), static_cast<unsigned long long>(c.decrypt_failed),
                   static_cast<unsigned long long>(c.dummy));
    }
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  std::size_t size() const { return m_sas.size(); }
  Sa& sa(std::size_t i) { return m_sas[i % m_sas.size()]; }

  // Runs one input through SA data[0] and checks the oracle. Returns the status.
  esp::RxStatus run(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return esp::RxStatus::malformed;
    Sa& s = sa(data[0] & 0x3F);
    const bool use_twin = data[0] & 0x40;
    esp::InboundSa& in = use_twin ? *s.twin : *s.in;
    std::uint64_t& offered = use_twin ? s.twin_offered : s.offered;
    const ByteView packet(data + 1, size - 1);
    std::array<std::uint8_t, 4200> buf{};
    const std::size_t n = std::min(packet.size(), buf.size());
    std::copy_n(packet.begin(), n, buf.begin());
    esp::PacketBuf pkt(std::span<std::uint8_t>(buf).first(n), 0, n);
    const esp::RxStatus st = in.unprotect(pkt);
    ++offered;
    if (in.counters().outcomes() != offered) {
      std::fprintf(stderr, "oracle: counters account for %llu of %llu packets\n",
                   static_cast<unsigned long long>(in.counters().outcomes()), static_cast<unsigned long long>(offered));
      std::abort();
    }
    if (st == esp::RxStatus::ok && s.integrity) {
      auto it = s.authentic.find(authenticated(packet.first(n), s.ah, s.ah_icv));
      if (it == s.authentic.end()) {
        std::fprintf(stderr, "oracle: a packet that was never sent was accepted\n");
        std::abort();
      }
      const Bytes& sent = it->second;
      const ByteView got = pkt.view();
      const std::size_t skip = s.tunnel ? 0 : (sent[0] >> 4 == 6 ? 40 : 20);
      bool same = got.size() == sent.size();
      for (std::size_t i = skip; same && i < got.size(); ++i) same = got[i] == sent[i];
      if (!same) {
        std::fprintf(stderr, "oracle: accepted packet decapsulated to something else than was sent\n");
        std::abort();
      }
    }
    return st;
  }

  // Seed inputs: SA index (| 0x40 for the windowless twin) || authentic packet.
  std::vector<Bytes> seeds() const {
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < m_sas.size(); ++i)
      for (const Bytes& p : m_sas[i].packets) {
        Bytes s{static_cast<std::uint8_t>(i | (out.size() % 2 ? 0x40u : 0u))};
        s.insert(s.end(), p.begin(), p.end());
        out.push_back(std::move(s));
      }
    return out;
  }

 private:
  CounterRng m_rng;
  FixedClock m_clock;
  std::vector<Sa> m_sas;
};

// With IPSECKIT_FUZZ_WRITE_SEEDS=DIR set, writes the harness's seeds there (seed-000 ...) once.
inline void maybe_write_seeds(const Harness& h) {
  const char* dir = std::getenv("IPSECKIT_FUZZ_WRITE_SEEDS");
  if (!dir) return;
  const auto seeds = h.seeds();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    char path[4096];
    std::snprintf(path, sizeof path, "%s/seed-%03zu", dir, i);
    if (FILE* f = std::fopen(path, "wb")) {
      std::fwrite(seeds[i].data(), 1, seeds[i].size(), f);
      std::fclose(f);
    }
  }
}

}  // namespace espfuzz
