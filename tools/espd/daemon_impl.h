// The espd daemon's state (daemon.h), shared by the loop (daemon.cpp) and the store side
// (daemon_store.cpp: SA and SPD events, routes, lifetime events, acquires, statistics).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
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

class Daemon {
 public:
  Daemon(const DaemonOptions& opt, store::Client client, NetSetup net, std::optional<sys::UdpSocket> udp,
         sys::RawSocket raw_out)
      : m_opt(opt),
        m_client(std::move(client)),
        m_net(std::move(net)),
        m_udp(std::move(udp)),
        m_raw_out(std::move(raw_out)),
        m_table({&m_clock, &m_rng, [this](const esp::SaEvent& e) { m_events.push_back(e); }}),
        m_dp(Sockets{m_udp ? &*m_udp : nullptr, &m_raw_out, m_net.tun_fd(), opt.natt_port, m_net.tun_vnet(),
                     m_udp && opt.net.offload},
             m_table),
        m_nft(NftOptions{m_net.tun_name(), opt.natt_port, opt.net.mark}) {}

  void add_raw(sys::RawSocket s) { m_raw_in.push_back(std::move(s)); }
  // IPv6 (either may be absent): the NAT-T port's IPv6 socket and the IPv6 raw sender.
  void set_v6(std::optional<sys::UdpSocket> udp6, std::optional<sys::RawSocket> raw_out6) {
    m_udp6 = std::move(udp6);
    m_raw_out6 = std::move(raw_out6);
    m_dp.set_v6(m_udp6 ? &*m_udp6 : nullptr, m_raw_out6 ? &*m_raw_out6 : nullptr);
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

  const DaemonOptions& m_opt;
  store::Client m_client;
  NetSetup m_net;
  std::optional<sys::UdpSocket> m_udp;  // absent: ESP-in-UDP arrives on a raw socket
  sys::RawSocket m_raw_out;
  std::vector<sys::RawSocket> m_raw_in;
  std::optional<sys::UdpSocket> m_udp6;
  std::optional<sys::RawSocket> m_raw_out6;
  esp::SystemClock m_clock;
  esp::SystemRng m_rng;
  std::vector<esp::SaEvent> m_events;
  SaTable m_table;
  Datapath m_dp;
  KeyCounters m_keys;
  store::Json m_last_stats;
  std::set<std::string> m_acquire_keys;
  NftTable m_nft;  // inbound enforcement (nft.h)
};

}  // namespace ipseckit::espd::detail
