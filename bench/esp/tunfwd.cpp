// bench_tunfwd: the plain no-crypto TUN <-> UDP forwarder that bench/esp/throughput.sh runs
// between two namespaces as the baseline for espd (issue 4, part 3 (b)). Same I/O technique
// and the same libcore/sys calls as espd's packet path (tools/espd/datapath.cpp): one thread,
// poll() on the TUN and the UDP socket, and per readiness
//   --io batch (default, as espd): non-blocking TUN reads (up to 64) -> one sendmmsg;
//                                  recvmmsg (up to 64) -> one write() per packet to the TUN;
//   --io plain: read(tun) -> sendto(); recvmsg() -> write(tun), one packet per syscall.
//   --io offload (as espd's default): TUN with IFF_VNET_HDR + TSO, super-packets cut by
//                                  sys::offload::Segmenter -> UDP_SEGMENT trains (sys::UdpGsoQueue);
//                                  UDP_GRO receives -> sys::offload::Coalescer -> GSO TUN writes.
// Foreground, exits 0 on SIGTERM/SIGINT (the TUN disappears with its fd).
//   bench_tunfwd --tun NAME --peer IPV4 [--port 4500] [--io batch|plain|offload] [--mtu 1400]
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sys/tun.h"
#include "sys/tun_offload.h"
#include "sys/udp_gso.h"
#include "sys/udp_socket.h"

namespace {

using namespace ipseckit;

constexpr std::size_t kBatch = 64, kSlot = 2048, kGroSlot = 65536;

int usage(const char* msg) {
  std::fprintf(stderr, "bench_tunfwd: %s\nusage: bench_tunfwd --tun NAME --peer IPV4 [--port P] [--io batch|plain|offload]\n",
               msg);
  return 2;
}

struct Fwd {
  Fwd(int t, sys::UdpSocket& u, sys::Endpoint p, bool b, bool o) : tun(t), udp(u), peer(p), batch(b), offload(o) {}
  int tun;
  sys::UdpSocket& udp;
  sys::Endpoint peer;
  bool batch;
  bool offload = false;
  std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(kBatch * kSlot);
  sys::UdpBatch ub{kBatch, offload ? kGroSlot : kSlot};
  std::vector<std::uint8_t> frame = std::vector<std::uint8_t>(offload ? sys::offload::kMaxFrame + 64 : 0);
  std::vector<std::uint8_t> seg = std::vector<std::uint8_t>(offload ? 65536 : 0);
  sys::UdpGsoQueue gso;
  sys::offload::Coalescer gro{[this](ByteView h, ByteView p) {
    // iovec's base is not const for writev's sake; the kernel only reads it.
    iovec iov[2] = {{const_cast<std::uint8_t*>(h.data()), h.size()}, {const_cast<std::uint8_t*>(p.data()), p.size()}};
    (void)::writev(tun, iov, 2);
  }};
  unsigned long long tx = 0, rx = 0;

  void from_tun_offload() {
    for (std::size_t i = 0; i < kBatch; ++i) {
      const auto n = ::read(tun, frame.data(), frame.size());
      if (n <= 0) break;
      auto s = sys::offload::Segmenter::parse(ByteView(frame.data(), static_cast<std::size_t>(n)));
      if (!s) continue;
      for (std::size_t k = 0; k < s->count(); ++k) {
        const ByteView pkt(seg.data(), s->write(k, seg));
        if (!gso.add(pkt, peer)) {
          (void)gso.send(udp);
          (void)gso.add(pkt, peer);
        }
        ++tx;
      }
    }
    (void)gso.send(udp);
  }

  void from_udp_offload() {
    auto r = ub.recv(udp);
    if (!r) return;
    for (const auto& d : *r) {
      const std::size_t step = d.gro_size ? d.gro_size : d.data.size();
      for (std::size_t off = 0; off < d.data.size(); off += step) {
        gro.add(ByteView(d.data).subspan(off, std::min(step, d.data.size() - off)));
        ++rx;
      }
    }
    gro.flush();
  }

  void from_tun() {
    if (offload) return from_tun_offload();
    if (!batch) {
      for (std::size_t i = 0; i < kBatch; ++i) {
        const auto n = ::read(tun, buf.data(), kSlot);
        if (n <= 0) return;
        (void)udp.send_to(ByteView(buf.data(), static_cast<std::size_t>(n)), peer);
        ++tx;
      }
      return;
    }
    for (std::size_t i = 0; i < kBatch; ++i) {
      const auto n = ::read(tun, buf.data(), kSlot);
      if (n <= 0) break;
      (void)ub.add(ByteView(buf.data(), static_cast<std::size_t>(n)), peer);
    }
    if (auto s = ub.send(udp); s) tx += *s;
  }

  void from_udp() {
    if (offload) return from_udp_offload();
    if (!batch) {
      for (std::size_t i = 0; i < kBatch; ++i) {
        auto r = udp.recv(std::span(buf).first(kSlot));
        if (!r || !*r) return;
        if (::write(tun, (*r)->data.data(), (*r)->data.size()) > 0) ++rx;
      }
      return;
    }
    auto r = ub.recv(udp);
    if (!r) return;
    for (const auto& d : *r)
      if (::write(tun, d.data.data(), d.data.size()) > 0) ++rx;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string tun_name, peer_s, io = "batch";
  unsigned port = 4500;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + std::string(a)).c_str());
    const char* v = argv[++i];
    if (a == "--tun")
      tun_name = v;
    else if (a == "--peer")
      peer_s = v;
    else if (a == "--port")
      port = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (a == "--io")
      io = v;
    else
      return usage(("unknown option " + std::string(a)).c_str());
  }
  auto peer = wire::IpAddr::parse(peer_s);
  if (tun_name.empty() || !peer) return usage("--tun and --peer IPV4 are required");
  if (io != "batch" && io != "plain" && io != "offload")
    return usage(("--io '" + io + "': batch, plain or offload").c_str());
  if (port == 0 || port > 65535) return usage("--port: 1..65535");

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  const int sigfd = ::signalfd(-1, &set, SFD_CLOEXEC);

  sys::TunOptions to;
  to.name = tun_name;
  to.vnet_hdr = io == "offload";
  to.offload = to.vnet_hdr ? sys::tun_offload_flags() : 0;
  auto tun = sys::TunDevice::open(to);
  if (!tun) {
    std::fprintf(stderr, "bench_tunfwd: %s\n", tun.error().message.c_str());
    return 1;
  }
  sys::UdpOptions uo;
  uo.bind = sys::Endpoint{wire::IpAddr::v4(0), static_cast<std::uint16_t>(port)};
  uo.gro = io == "offload";
  auto udp = sys::UdpSocket::open(uo);
  if (!udp) {
    std::fprintf(stderr, "bench_tunfwd: UDP port %u: %s\n", port, udp.error().message.c_str());
    return 1;
  }
  if (io == "offload" && !tun->offloads()) {
    std::fprintf(stderr, "bench_tunfwd: TUN offloads refused: %s\n", tun->offload_error().c_str());
    return 1;
  }
  Fwd f(tun->fd(), *udp, sys::Endpoint{*peer, static_cast<std::uint16_t>(port)}, io == "batch", io == "offload");
  std::fprintf(stderr, "bench_tunfwd: %s <-> udp %s:%u (%s I/O)\n", tun->name().c_str(), peer_s.c_str(), port,
               io.c_str());
  for (;;) {
    pollfd fds[3] = {{sigfd, POLLIN, 0}, {f.tun, POLLIN, 0}, {udp->fd(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) return 1;
    if (fds[0].revents & POLLIN) break;
    if (fds[1].revents & POLLIN) f.from_tun();
    if (fds[2].revents & POLLIN) f.from_udp();
  }
  std::fprintf(stderr, "bench_tunfwd: exiting, %llu packets sent, %llu received\n", f.tx, f.rx);
  ::close(sigfd);
  return 0;
}
