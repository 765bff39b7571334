// bench_esp, part (a) of the data-plane benchmark: in-process ESP encrypt and decrypt through
// libcore/esp's SAs (tunnel mode, IPv4, whole packets: framing, padding, crypto, headers) for
// AES-128-GCM-16 and AES-128-CBC + HMAC-SHA1-96 at 64, 512 and 1400-byte inner packets, next to
// the raw OpenSSL primitive on buffers of the same sizes, measured in the same run
// (primitive.cpp), and `openssl speed` for reference. Target: the SA reaches >= 70 % of the
// primitive's packets/s at 1400 bytes, both directions, both suites.
//   bench_esp [--seconds S] [--no-openssl-speed] [--only gcm|cbc] [--size N]
// Rates are per CPU-second of the measuring thread (CLOCK_THREAD_CPUTIME_ID): the machine is
// shared, and time the thread spends descheduled is not counted. Exit 0 = PASS, 1 = FAIL.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "esp/inbound.h"
#include "esp/outbound.h"
#include "esp/suite.h"
#include "primitive.h"
#include "wire/ip_packet.h"

namespace {

using namespace ipseckit;
using policy::Cipher;
using policy::Integrity;

constexpr double kTarget = 0.70;
constexpr std::size_t kBatch = 256;  // distinct packets cycled through by the decrypt loops
constexpr int kRounds = 5;           // SA and primitive alternate; the best round of each counts

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Calls fn() (which processes kBatch packets and may do untimed set-up through `pause`) until
// min_s of thread CPU time were spent in it; returns packets per CPU-second.
template <class Fn>
double rate(double min_s, Fn&& fn) {
  double spent = 0;
  std::size_t packets = 0;
  while (spent < min_s) {
    spent += fn();
    packets += kBatch;
  }
  return static_cast<double>(packets) / spent;
}

Bytes inner_packet(std::size_t size) {
  wire::Ipv4Header h;
  h.total_length = static_cast<std::uint16_t>(size);
  h.protocol = 17;
  h.src = *wire::IpAddr::parse("10.1.0.5");
  h.dst = *wire::IpAddr::parse("10.2.0.7");
  Bytes p = wire::serialize_ipv4_header(h);
  p.resize(size, 0xA5);
  return p;
}

esp::SaConfig sa_config(bool gcm, bool receiver) {
  esp::SaConfig c;
  c.mode = esp::Mode::tunnel;
  c.local = *wire::IpAddr::parse(receiver ? "198.51.100.2" : "192.0.2.1");
  c.remote = *wire::IpAddr::parse(receiver ? "192.0.2.1" : "198.51.100.2");
  const policy::EspTransform t = gcm ? policy::EspTransform{Cipher::aes_gcm128, Integrity::none}
                                     : policy::EspTransform{Cipher::aes128, Integrity::sha1};
  Bytes keys(esp::esp_suite(t)->keymat());
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = static_cast<std::uint8_t>(i * 7 + 3);
  c.esp = esp::EspParams{0x1001, t, SecureBytes(std::move(keys))};
  return c;
}

template <class T>
T must(Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "bench_esp: %s\n", r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

struct Row {
  std::string suite;
  std::size_t size = 0;
  const char* dir = "";
  double sa = 0, prim = 0;
};

struct Env {
  esp::SystemRng rng;
  esp::SystemClock clock;
};

// SA encrypt: copy the inner packet into the buffer (as a read from TUN would put it there),
// protect() it. Primitive: the same cipher work on the same number of bytes.
Row measure_encrypt(bool gcm, std::size_t size, double min_s, Env& env) {
  Row row{gcm ? "aes-128-gcm-16" : "aes-128-cbc/hmac-sha1-96", size, "enc"};
  const Bytes inner = inner_packet(size);
  auto out = must(esp::OutboundSa::create(sa_config(gcm, false), esp::SaEnv{&env.clock, &env.rng, {}}));
  std::vector<std::uint8_t> buf(esp::kHeadroom + size + esp::kTailroom);
  // The bytes the cipher covers for this packet: payload + padding + trailer.
  const std::size_t block = gcm ? 4 : 16;
  const std::size_t body = (size + 2 + block - 1) / block * block;
  std::vector<std::uint8_t> in(body, 0xA5), ct(8 + 16 + body), tag(16);
  std::array<std::uint8_t, 12> iv{};
  std::array<std::uint8_t, 16> iv16{};
  espbench::GcmPrimitive g;
  espbench::CbcHmacPrimitive cbc;
  for (int round = 0; round < kRounds; ++round) {
    row.sa = std::max(row.sa, rate(min_s, [&] {
      const double t0 = thread_seconds();
      for (std::size_t i = 0; i < kBatch; ++i) {
        std::memcpy(buf.data() + esp::kHeadroom, inner.data(), size);
        esp::PacketBuf pkt(buf, esp::kHeadroom, size);
        if (out.protect(pkt).status != esp::TxStatus::ok) std::exit(1);
      }
      return thread_seconds() - t0;
    }));
    row.prim = std::max(row.prim, rate(min_s, [&] {
      const double t0 = thread_seconds();
      for (std::size_t i = 0; i < kBatch; ++i) {
        iv[11] = static_cast<std::uint8_t>(i);
        if (gcm) g.seal(iv.data(), ct.data(), in.data(), body, ct.data() + 8, tag.data());
        else cbc.seal(iv16.data(), in.data(), body, ct.data() + 24, ct.data(), ct.size(), tag.data());
      }
      return thread_seconds() - t0;
    }));
  }
  return row;
}

// SA decrypt: kBatch packets made by an outbound SA are copied into the work buffer (as a
// recvmmsg would put them there) and unprotect()ed by a fresh inbound SA per pass (its set-up
// is not timed; a fresh window lets the same packets in again).
Row measure_decrypt(bool gcm, std::size_t size, double min_s, Env& env) {
  Row row{gcm ? "aes-128-gcm-16" : "aes-128-cbc/hmac-sha1-96", size, "dec"};
  const Bytes inner = inner_packet(size);
  auto out = must(esp::OutboundSa::create(sa_config(gcm, false), esp::SaEnv{&env.clock, &env.rng, {}}));
  std::vector<Bytes> packets;
  std::vector<std::uint8_t> buf(esp::kHeadroom + size + esp::kTailroom);
  for (std::size_t i = 0; i < kBatch; ++i) {
    std::memcpy(buf.data() + esp::kHeadroom, inner.data(), size);
    esp::PacketBuf pkt(buf, esp::kHeadroom, size);
    if (out.protect(pkt).status != esp::TxStatus::ok) std::exit(1);
    packets.emplace_back(pkt.view().begin(), pkt.view().end());
  }
  std::vector<std::uint8_t> work(packets[0].size() + 64);
  const std::size_t block = gcm ? 4 : 16;
  const std::size_t body = (size + 2 + block - 1) / block * block;
  std::vector<std::uint8_t> plain(body), ct(8 + 16 + body), tag(16);
  std::array<std::uint8_t, 12> iv{};
  std::array<std::uint8_t, 16> iv16{};
  espbench::GcmPrimitive g;
  espbench::CbcHmacPrimitive cbc;
  if (gcm) g.seal(iv.data(), ct.data(), plain.data(), body, ct.data() + 8, tag.data());
  else cbc.seal(iv16.data(), plain.data(), body, ct.data() + 24, ct.data(), ct.size(), tag.data());
  for (int round = 0; round < kRounds; ++round) {
    row.sa = std::max(row.sa, rate(min_s, [&] {
      auto in = must(esp::InboundSa::create(sa_config(gcm, true), esp::SaEnv{&env.clock, &env.rng, {}}));
      const double t0 = thread_seconds();
      for (const Bytes& p : packets) {
        std::memcpy(work.data(), p.data(), p.size());
        esp::PacketBuf pkt(work, 0, p.size());
        if (in.unprotect(pkt) != esp::RxStatus::ok) std::exit(1);
      }
      return thread_seconds() - t0;
    }));
    row.prim = std::max(row.prim, rate(min_s, [&] {
      const double t0 = thread_seconds();
      for (std::size_t i = 0; i < kBatch; ++i) {
        const bool ok = gcm ? g.open(iv.data(), ct.data(), ct.data() + 8, body, plain.data(), tag.data())
                            : cbc.open(iv16.data(), ct.data() + 24, body, plain.data(), ct.data(), ct.size(), tag.data());
        if (!ok) std::exit(1);
      }
      return thread_seconds() - t0;
    }));
  }
  return row;
}

// `openssl speed` for AES-128-GCM at 1400 bytes (its numbers are 1000s of bytes per second).
double openssl_speed_pps(bool decrypt) {
  const std::string cmd = std::string("openssl speed -seconds 1 -aead ") + (decrypt ? "-decrypt " : "") +
                          "-bytes 1400 -evp aes-128-gcm 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return 0;
  char line[512];
  double kbytes = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "AES-128-GCM", 11) == 0) kbytes = std::strtod(line + 11, nullptr);
  }
  pclose(f);
  return kbytes * 1000.0 / 1400.0;
}

}  // namespace

int main(int argc, char** argv) {
  double min_s = 0.2;
  bool speed = true;
  std::string only;
  std::size_t only_size = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) min_s = std::strtod(argv[++i], nullptr);
    else if (a == "--no-openssl-speed") speed = false;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--size" && i + 1 < argc) only_size = std::strtoul(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: bench_esp [--seconds S] [--no-openssl-speed] [--only gcm|cbc] [--size N]\n");
      return 2;
    }
  }
  Env env;
  std::vector<Row> rows;
  for (bool gcm : {true, false})
    for (std::size_t size : {std::size_t{64}, std::size_t{512}, std::size_t{1400}}) {
      if ((!only.empty() && only != (gcm ? "gcm" : "cbc")) || (only_size && only_size != size)) continue;
      rows.push_back(measure_encrypt(gcm, size, min_s, env));
      rows.push_back(measure_decrypt(gcm, size, min_s, env));
    }
  std::printf("bench_esp: in-process ESP through libcore/esp SAs (tunnel mode, IPv4) vs the raw OpenSSL\n"
              "primitive on the same sizes, same run. Rates are per CPU-second of this thread\n"
              "(CLOCK_THREAD_CPUTIME_ID), best of %d alternating rounds of >= %.2f s; Gbit/s counts inner\n"
              "packet bytes. The SA loops include copying each packet into the work buffer.\n\n",
              kRounds, min_s);
  std::printf("%-26s %5s %3s | %9s %9s | %9s %9s | %6s\n", "suite", "bytes", "dir", "SA Mpps", "SA Gb/s",
              "prim Mpps", "prim Gb/s", "SA/prim");
  bool pass = true;
  for (const Row& r : rows) {
    const double ratio = r.sa / r.prim;
    const double bits = static_cast<double>(r.size) * 8e-9;
    std::printf("%-26s %5zu %3s | %9.3f %9.2f | %9.3f %9.2f | %5.0f%%%s\n", r.suite.c_str(), r.size, r.dir, r.sa / 1e6,
                r.sa * bits, r.prim / 1e6, r.prim * bits, ratio * 100, r.size == 1400 && ratio < kTarget ? "  < target" : "");
    if (r.size == 1400 && ratio < kTarget) pass = false;
  }
  if (speed) {
    const double enc = openssl_speed_pps(false), dec = openssl_speed_pps(true);
    if (enc > 0 && dec > 0) {
      auto find = [&](const char* dir) {
        for (const Row& r : rows)
          if (r.size == 1400 && r.suite == "aes-128-gcm-16" && std::strcmp(r.dir, dir) == 0) return r.sa;
        return 0.0;
      };
      std::printf("\nopenssl speed -aead -evp aes-128-gcm -bytes 1400 (process CPU time, same run):\n"
                  "  enc %.3f Mpps = %.2f Gbit/s (SA/speed %.0f%%), dec %.3f Mpps = %.2f Gbit/s (SA/speed %.0f%%)\n",
                  enc / 1e6, enc * 1400 * 8e-9, find("enc") / enc * 100, dec / 1e6, dec * 1400 * 8e-9,
                  find("dec") / dec * 100);
    } else {
      std::printf("\nopenssl speed: not available\n");
    }
  }
  std::printf("\ntarget: SA >= %.0f%% of the in-process primitive at 1400 bytes, enc and dec, both suites\n",
              kTarget * 100);
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
