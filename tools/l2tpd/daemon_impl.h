// Internals of the daemon (daemon.cpp: setup, loop, shutdown; calls.cpp: L2TP and PPP events).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "l2tpd/daemon.h"
#include "l2tpd/records.h"
#include "store/client.h"
#include "sys/tun.h"
#include "sys/udp_socket.h"
#include "sys/unix_socket.h"

namespace ipseckit::l2tpd {

// An IPv4 address as a host-order number (the key of the server's address -> call map).
inline std::uint32_t v4_u32(const wire::IpAddr& a) {
  const auto& b = a.bytes();
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

struct Call {
  l2tp::SessionKey key;
  l2tp::PeerAddr peer;
  std::unique_ptr<ppp::Link> link;
  bool established = false;
  bool gone = false;                           // the L2TP session is down: removed after this loop turn
  std::optional<wire::IpAddr> client_address;  // the address IPCP gave the client
  std::unique_ptr<sys::rtnl::Cleanup> routes;  // server: the host route to the client
  SessionRecord record;
  bool dirty = false;
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions opt);
  int run();

 private:
  // daemon.cpp
  Status setup();
  Status setup_tun();
  void loop();
  void read_udp();
  void read_tun();
  void read_requests();
  void on_signal();
  void begin_stop(std::string why);
  void reap();
  void flush(bool force);
  void teardown();
  l2tp::Millis now() const;
  int poll_timeout() const;

  // calls.cpp
  void on_event(const l2tp::Event& e);
  void on_session_up(const l2tp::Event& e);
  void on_link_event(const l2tp::SessionKey& key, const ppp::LinkEvent& le);
  void on_link_up(Call& c);
  void on_link_down(Call& c, const ppp::LinkEvent& le);
  void on_session_down(const l2tp::Event& e);
  void on_tunnel_up(const l2tp::Event& e);
  void on_tunnel_down(const l2tp::Event& e);
  void client_failed(std::string message);
  ppp::LinkConfig link_config();
  void disconnect(const std::string& id);
  std::string role() const { return m_opt.server ? "lns" : "lac"; }

  DaemonOptions m_opt;
  std::chrono::steady_clock::time_point m_epoch = std::chrono::steady_clock::now();
  std::optional<store::Client> m_store;
  std::optional<store::Watch> m_watch;
  std::unique_ptr<Records> m_records;
  std::optional<sys::UdpSocket> m_sock;
  std::optional<sys::TunDevice> m_tun;
  sys::rtnl::Cleanup m_net;  // TUN address and client routes
  sys::UniqueFd m_sigfd;
  std::unique_ptr<l2tp::Node> m_node;
  std::optional<ppp::AddressPool> m_pool;
  wire::IpAddr m_local;  // server: our PPP address
  std::map<l2tp::SessionKey, Call> m_calls;
  std::map<std::uint32_t, l2tp::SessionKey> m_by_address;  // server: client address -> call
  std::vector<std::uint8_t> m_buf;
  bool m_stopping = false;
  std::optional<l2tp::Millis> m_stop_deadline;
  l2tp::Millis m_next_flush{0};
  store::Json m_node_counters;  // last written to l2tp/node/<pid>
  std::optional<std::string> m_failure;  // client: why the call ended (exit 1)
  bool m_client_was_up = false;
};

}  // namespace ipseckit::l2tpd
