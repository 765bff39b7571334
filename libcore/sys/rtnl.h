// Links, addresses, routes and policy-routing rules over rtnetlink (no `ip` command), and a
// guard that undoes what a daemon set up, in reverse order, when it exits (ARCHITECTURE.md:
// protected destinations in their own table, `not fwmark M lookup T`, the daemons' sockets
// carry mark M so IKE/ESP packets are never routed back into the tunnel).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::sys::rtnl {

// An interface address with its prefix length (host bits kept, unlike wire::IpPrefix).
struct IfAddr {
  wire::IpAddr addr;
  std::uint8_t len = 32;
};

struct Route {
  wire::IpPrefix dst;
  std::string dev;                     // output interface
  std::optional<wire::IpAddr> via;     // gateway
  std::uint32_t table = 254;           // RT_TABLE_MAIN
  std::uint32_t metric = 0;
  std::optional<unsigned> mtu;         // RTAX_MTU
};

struct Rule {
  bool v6 = false;
  std::uint32_t priority = 0;
  std::uint32_t table = 0;
  std::optional<std::uint32_t> fwmark;  // with mask below
  std::uint32_t fwmask = 0xFFFFFFFF;
  bool invert = false;                  // "not fwmark M"
};

Result<unsigned> link_index(const std::string& ifname);
Status link_up(const std::string& ifname, bool up);
Status link_mtu(const std::string& ifname, unsigned mtu);
Status addr_add(const std::string& ifname, const IfAddr& a);
Status addr_del(const std::string& ifname, const IfAddr& a);
Status route_add(const Route& r);
Status route_del(const Route& r);
Status rule_add(const Rule& r);
Status rule_del(const Rule& r);

// Records undo actions; runs them (reverse order, errors ignored) on destruction or undo().
class Cleanup {
 public:
  Cleanup() = default;
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  ~Cleanup() { undo(); }

  // Each adds, and on success records its inverse.
  Status addr_add(const std::string& ifname, const IfAddr& a);
  Status route_add(const Route& r);
  Status rule_add(const Rule& r);
  void on_undo(std::function<void()> fn) { m_undo.push_back(std::move(fn)); }
  void undo();
  std::size_t size() const { return m_undo.size(); }

 private:
  std::vector<std::function<void()>> m_undo;
};

}  // namespace ipseckit::sys::rtnl
