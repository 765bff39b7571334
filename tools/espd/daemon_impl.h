// The espd daemon's state (daemon.h), shared by the loop (daemon.cpp) and the store side
// (daemon_store.cpp: SA and SPD events, routes, lifetime events, acquires, statistics).
#pragma once

#include <poll.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "daemon.h"
#include "datapath.h"
#include "esp/env.h"
#include "net_setup.h"
#include "nft.h"
#include "sa_table.h"
#include "stats.h"
#include "store/client.h"
#include "sys/raw_socket.h"
#include "sys/udp_socket.h"

namespace ipseckit::espd::detail {

inline constexpr const char* kDaemonTool = "espd";
inline constexpr const char* kDaemonKey = "esp/daemon";
inline constexpr const char* kAcquirePrefix = "acquire/";

std::uint64_t mono_ms();

// OpenSSL's CSPRNG behind a lock: the SAs of all workers share one (esp::SystemRng is one per
// thread).
class SharedRng final : public esp::Rng {
 public:
  void fill(std::span<std::uint8_t> out) override {
    std::lock_guard g(m_mu);
    m_rng.fill(out);
  }

 private:
  std::mutex m_mu;
  esp::SystemRng m_rng;
};

// One data-plane worker (espd --workers N): its TUN queue (IFF_MULTI_QUEUE), its socket on the
// NAT-T port (SO_REUSEPORT: the kernel spreads flows over them) and its Datapath (buffers,
// batches, GSO queue, held and early packets). Worker 0 also reads the raw sockets and the IPv6
// NAT-T socket. `mu` is held by the worker's thread while it serves one readiness, and by the
// main thread while it reaches into `dp` (SPD, held packets, acquires, counters) or, holding
// every worker's (Daemon::pause), changes the SA table: a worker never sees an SA removed
// under it. With one worker there is no thread: the main loop serves it, as before.
struct Worker {
  std::mutex mu;
  std::optional<sys::UdpSocket> udp;
  int tun = -1;
  std::unique_ptr<Datapath> dp;
  std::thread thread;
};

class Daemon {
 public:
  Daemon(const DaemonOptions& opt, store::Client client, NetSetup net, std::optional<sys::UdpSocket> udp,
         sys::RawSocket raw_out)
      : m_opt(opt),
        m_client(std::move(client)),
        m_net(std::move(net)),
        m_raw_out(std::move(raw_out)),
        m_table({&m_clock, &m_rng,
                 [this](const esp::SaEvent& e) {
                   std::lock_guard g(m_events_mu);  // from any worker's SA, or poll()
                   m_events.push_back(e);
                 }}),
        m_nft(NftOptions{m_net.tun_name(), opt.natt_port, opt.net.mark}) {
    if (opt.workers > 1) m_table.set_min_replay_window(1024);  // the largest esp::SaConfig allows
    add_worker(std::move(udp));
  }
  ~Daemon() { stop_workers(); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Worker i (i = the number added so far) on TUN queue i; `udp`: its socket on the NAT-T port
  // (absent: ESP-in-UDP arrives on a raw socket, read by worker 0).
  void add_worker(std::optional<sys::UdpSocket> udp);

  void add_raw(sys::RawSocket s) { m_raw_in.push_back(std::move(s)); }
  // IPv6 (either may be absent): the NAT-T port's IPv6 socket and the IPv6 raw sender.
  void set_v6(std::optional<sys::UdpSocket> udp6, std::optional<sys::RawSocket> raw_out6) {
    m_udp6 = std::move(udp6);
    m_raw_out6 = std::move(raw_out6);
    m_workers[0]->dp->set_v6(m_udp6 ? &*m_udp6 : nullptr, m_raw_out6 ? &*m_raw_out6 : nullptr);
  }
  int run(int sigfd);

 private:
  Status on_sa_event(const store::Event& ev);
  Status on_spd_event(const store::Event& ev);
  void after_sa_change();
  void update_routes();
  void handle_lifetime_events();
  void publish_acquires();
  void publish_stats(bool force);
  void shutdown();
  Result<bool> drain(store::Watch& w, bool sa);
  std::optional<sys::NattLayout> resteer(const std::optional<sys::NattLayout>& last);  // daemon.cpp
  // Workers (daemon.cpp): the packet sources of worker i, one readiness served, the threads.
  std::vector<pollfd> data_fds(std::size_t i) const;
  void serve(std::size_t i, std::span<const pollfd> fds);
  void worker_loop(std::size_t i);
  Status start_workers();
  void stop_workers();
  // Every worker's lock, in order: the SA table may change, counters be read.
  std::vector<std::unique_lock<std::mutex>> pause();
  std::vector<esp::SaEvent> take_events();

  const DaemonOptions& m_opt;
  store::Client m_client;
  NetSetup m_net;
  sys::RawSocket m_raw_out;
  std::vector<sys::RawSocket> m_raw_in;
  std::optional<sys::UdpSocket> m_udp6;
  std::optional<sys::RawSocket> m_raw_out6;
  esp::SystemClock m_clock;
  SharedRng m_rng;
  std::mutex m_events_mu;
  std::vector<esp::SaEvent> m_events;  // under m_events_mu
  SaTable m_table;
  PortMap m_ports;  // shared by the workers' datapaths (it locks itself)
  std::vector<std::unique_ptr<Worker>> m_workers;
  int m_stop_fd = -1;  // eventfd: readable once the workers are to stop
  KeyCounters m_keys;
  store::Json m_last_stats;
  std::set<std::string> m_acquire_keys;
  NftTable m_nft;  // inbound enforcement (nft.h)
};

}  // namespace ipseckit::espd::detail
