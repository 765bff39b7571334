// The L2TP/IPsec client must not send its first SCCRQ before the policy it plumbed is in
// force: the agent compiles the SPD and espd installs its routes asynchronously, and an SCCRQ
// sent meanwhile would leave in clear. So the client asks the kernel (RTM_GETROUTE, unmarked,
// as l2tpd's own socket) where a packet to the server goes, until it is espd's TUN (named by
// esp/daemon in the store).
#include "l2tpd/ipsec_wait.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "base/log.h"

namespace ipseckit::l2tpd {

using log::Level;
using log::Subsys;

namespace {

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// RTA_OIF of an RTM_NEWROUTE answer, as an interface name (copied out: no aliasing casts).
std::optional<std::string> oif_name(const std::uint8_t* p, std::size_t n) {
  nlmsghdr nh{};
  if (n < sizeof nh) return std::nullopt;
  std::memcpy(&nh, p, sizeof nh);
  if (nh.nlmsg_type != RTM_NEWROUTE || nh.nlmsg_len > n) return std::nullopt;
  std::size_t off = align4(sizeof(nlmsghdr)) + align4(sizeof(rtmsg));
  while (off + sizeof(rtattr) <= nh.nlmsg_len) {
    rtattr a{};
    std::memcpy(&a, p + off, sizeof a);
    if (a.rta_len < sizeof a || off + a.rta_len > nh.nlmsg_len) break;
    if (a.rta_type == RTA_OIF && a.rta_len >= align4(sizeof a) + sizeof(int)) {
      int index = 0;
      std::memcpy(&index, p + off + align4(sizeof a), sizeof index);
      char name[IF_NAMESIZE] = {};
      if (index > 0 && ::if_indextoname(static_cast<unsigned>(index), name)) return std::string(name);
    }
    off += align4(a.rta_len);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> route_device(const wire::IpAddr& dst) {
  if (!dst.is_v4()) return std::nullopt;
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return std::nullopt;
  struct {
    nlmsghdr nh;
    rtmsg rt;
    rtattr rta;
    std::uint8_t addr[4];
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_GETROUTE;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  req.nh.nlmsg_seq = 1;
  req.rt.rtm_family = AF_INET;
  req.rt.rtm_dst_len = 32;
  req.rta.rta_type = RTA_DST;
  req.rta.rta_len = static_cast<unsigned short>(align4(sizeof(rtattr)) + 4);
  std::memcpy(req.addr, dst.bytes().data(), 4);
  std::optional<std::string> out;
  alignas(nlmsghdr) std::uint8_t buf[4096];
  if (::send(fd, &req, sizeof req, 0) == static_cast<ssize_t>(sizeof req)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) out = oif_name(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void wait_for_ipsec_route(store::Client& store, const wire::IpAddr& peer, std::chrono::milliseconds max) {
  std::string tun;
  if (auto d = store.get("esp/daemon"); d && d->value.is_object() && d->value.contains("tun") && d->value["tun"].is_string())
    tun = d->value["tun"].get<std::string>();
  if (tun.empty()) {
    log::msg(Subsys::app, Level::control, "no ESP data plane (espd) runs on this host: L2TP to {} is not protected",
             peer.str());
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + max;
  while (route_device(peer) != tun) {
    if (std::chrono::steady_clock::now() >= deadline) {
      log::msg(Subsys::app, Level::control, "{} is still not routed into espd's TUN {} after {} ms: calling anyway",
               peer.str(), tun, max.count());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  log::msg(Subsys::app, Level::diag, "the L2TP/IPsec policy is in force: {} is routed into {}", peer.str(), tun);
}

}  // namespace ipseckit::l2tpd
