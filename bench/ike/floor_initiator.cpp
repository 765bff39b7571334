// The floor responder's initiator (floor.h): the script's datagrams (floor_script.h),
// precomputed, one socket per source address, N negotiations in flight; no cryptography but
// one key pair made at the start for MM3's public value. Measured as the real load generator
// measures (measure.h).
#include <openssl/rand.h>
#include <sys/epoll.h>

#include <array>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "floor.h"
#include "floor_crypto.h"
#include "floor_script.h"
#include "measure.h"
#include "sys/udp_socket.h"

namespace ipseckit::bench {
namespace {

using namespace floor_impl;

// ---- The initiator: the same 11 datagrams, precomputed, one socket per source address.
int run_initiator(const FloorLoad& o) {
  const Script& sc = o.ecp256 ? kEcp256 : kModp2048;
  std::array<Bytes, kMsgs> tpl;  // the initiator's datagrams (cookies and M-IDs patched in)
  for (Msg m : {kMm1, kMm3, kMm5, kQm1, kQm3, kD1, kD2}) tpl[m].assign(sc.size[m], 0);
  header(tpl[kMm1].data(), 1, kIdProt, 0, 0, sc.size[kMm1]);
  payload(tpl[kMm1].data() + kHdr, 13, kGen + kSaBody);
  header(tpl[kMm3].data(), 4, kIdProt, 0, 0, sc.size[kMm3]);
  payload(tpl[kMm3].data() + kHdr, 10, kGen + sc.pub);
  {  // a valid public value, made once (Ni stays fixed too: the responder's work is the same)
    Crypto c(o.ecp256);
    (void)c.keygen(tpl[kMm3].data() + kHdr + kGen);
  }
  payload(tpl[kMm3].data() + kHdr + kGen + sc.pub, 20, kGen + kNonce);
  if (RAND_bytes(tpl[kMm3].data() + kHdr + 2 * kGen + sc.pub, kNonce) != 1) return 1;
  header(tpl[kMm5].data(), 5, kIdProt, kEncrypted, 0, sc.size[kMm5]);
  header(tpl[kQm1].data(), 8, kQuick, kEncrypted, 0, sc.size[kQm1]);
  header(tpl[kQm3].data(), 8, kQuick, kEncrypted, 0, sc.size[kQm3]);
  header(tpl[kD1].data(), 8, kInfo, kEncrypted, 0, sc.size[kD1]);
  header(tpl[kD2].data(), 8, kInfo, kEncrypted, 0, sc.size[kD2]);

  struct Src {
    sys::UdpSocket sock;
    Msg wait = kMsgs;  // the reply awaited; kMsgs: idle
    double t0 = 0;
    std::array<std::uint8_t, 2 * kCky> cky{};
    std::uint32_t id = 0;
  };
  std::vector<Src> src;
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (std::uint32_t a = o.first; a <= o.last; ++a) {
    sys::UdpOptions so;
    so.bind = {wire::IpAddr::v4(a), 500};
    so.rcvbuf = so.sndbuf = 1 << 20;
    auto s = sys::UdpSocket::open(so);
    if (!s) {
      fmt::print(stderr, "bench_ike_loadgen: UDP {}:500: {}\n", wire::IpAddr::v4(a).str(), s.error().message);
      return 1;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = src.size();
    epoll_ctl(ep, EPOLL_CTL_ADD, s->fd(), &ev);
    src.push_back(Src{std::move(*s)});
  }
  const sys::Endpoint to{o.target, 500};
  std::uint64_t completed = 0, failed = 0, send_errors = 0, bad_replies = 0, started = 0;
  auto send = [&](Src& x, Msg m, std::uint32_t msgid) {
    Bytes& t = tpl[m];
    std::memcpy(t.data(), x.cky.data(), x.cky.size());
    store_be32(t.data() + 20, msgid);
    if (!x.sock.send_to(t, to)) ++send_errors;
  };
  unsigned inflight = 0;
  std::size_t next = 0;
  std::array<std::uint8_t, 4096> buf{};
  std::array<epoll_event, 64> evs{};
  Meter meter(o.pids, o.warmup, o.seconds);
  double last_sweep = mono();
  while (meter.running(completed, failed)) {
    const double now = mono();
    for (std::size_t tries = 0; inflight < o.inflight && tries < src.size(); ++tries) {
      Src& x = src[next];
      next = (next + 1) % src.size();
      if (x.wait != kMsgs) continue;
      ++started;
      x.cky = {};
      store_be32(x.cky.data(), static_cast<std::uint32_t>(started));
      store_be32(x.cky.data() + 4, static_cast<std::uint32_t>(started >> 32));
      x.id = static_cast<std::uint32_t>(started * 3);
      x.wait = kMm2;
      x.t0 = now;
      ++inflight;
      send(x, kMm1, 0);
    }
    const int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 10);
    for (int k = 0; k < n; ++k) {
      Src& x = src[evs[static_cast<std::size_t>(k)].data.u64];
      for (;;) {
        auto d = x.sock.recv(buf);
        if (!d || !*d) break;
        const auto& dg = **d;
        if (x.wait == kMsgs || dg.data.size() != sc.size[x.wait]) {
          ++bad_replies;
          continue;
        }
        switch (x.wait) {
          case kMm2:
            std::memcpy(x.cky.data() + kCky, dg.data.data() + kCky, kCky);
            send(x, kMm3, 0);
            x.wait = kMm4;
            break;
          case kMm4: send(x, kMm5, 0); x.wait = kMm6; break;
          case kMm6: send(x, kQm1, x.id); x.wait = kQm2; break;
          default:  // QM2: established; QM3, then the phase-2 and IKE SA deletes at once
            send(x, kQm3, x.id);
            send(x, kD1, x.id + 1);
            send(x, kD2, x.id + 2);
            ++completed;
            x.wait = kMsgs;
            --inflight;
        }
      }
    }
    if (now - last_sweep > 0.1) {  // 10 s without an answer: failed
      last_sweep = now;
      for (Src& x : src)
        if (x.wait != kMsgs && now - x.t0 > 10) {
          ++failed;
          x.wait = kMsgs;
          --inflight;
        }
    }
  }
  if (bad_replies) fmt::print(stderr, "bench_ike_loadgen: {} unexpected replies\n", bad_replies);
  fmt::print("floor group={} qm=transport inflight={} sources={} {} retransmits=0 send_errors={} cpu_by_pid={} "
             "initiator_dh=precomputed\n",
             o.ecp256 ? "ecp256" : "modp2048", o.inflight, o.last - o.first + 1, meter.fields(), send_errors,
             meter.cpu_by_pid());
  return meter.completed() > 0 ? 0 : 1;
}

}  // namespace

int floor_initiator(const FloorLoad& o) {
  try {
    return run_initiator(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_ike_loadgen: {}\n", e.what());
    return 1;
  }
}

}  // namespace ipseckit::bench
