// TUN devices for the data plane (espd) and PPP sessions (l2tpd): IFF_TUN | IFF_NO_PI, optionally
// IFF_VNET_HDR (virtio-net header per packet, for offloads) and IFF_MULTI_QUEUE (one fd per
// worker). The device is not persistent: it disappears when the last queue fd closes, so a
// daemon that exits (or crashes) leaves no TUN behind.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sys/unix_socket.h"

namespace ipseckit::sys {

// What espd asks of a TUN: checksums and TCP segmentation left to it (TUN_F_CSUM, TUN_F_TSO4,
// TUN_F_TSO6), so the kernel hands over TCP super-packets of up to 64 KiB (tun_offload.h).
unsigned tun_offload_flags();

struct TunOptions {
  std::string name = "ipsec0";  // may end in "%d" to let the kernel pick a number
  unsigned queues = 1;          // > 1: IFF_MULTI_QUEUE
  bool vnet_hdr = false;        // IFF_VNET_HDR
  // TUNSETOFFLOAD flags (e.g. kTunOffloads), with vnet_hdr. When the kernel refuses them the
  // device is made again without IFF_VNET_HDR: offloads() is then 0 and offload_error() says why.
  unsigned offload = 0;
  bool nonblocking = true;
};

class TunDevice {
 public:
  // Creates the device (needs CAP_NET_ADMIN). Error code "failed" naming the device and errno.
  static Result<TunDevice> open(const TunOptions& opt);

  const std::string& name() const { return m_name; }
  std::size_t queues() const { return m_fds.size(); }
  int fd(std::size_t queue = 0) const { return m_fds[queue].get(); }
  bool vnet_hdr() const { return m_vnet; }
  unsigned offloads() const { return m_offload; }
  const std::string& offload_error() const { return m_offload_error; }
  // TUNSETOFFLOAD on every queue (TUN_F_CSUM | TUN_F_TSO4 | ...); needs vnet_hdr.
  Status set_offload(unsigned flags);
  // Multi-queue: packets the kernel sends into the TUN are spread over the queues by their
  // flow hash (skb->hash; without one, the IPv4 addresses or the middle of the IPv6 source),
  // through a steering eBPF program (TUNSETSTEERINGEBPF). Without it the kernel's automatic
  // steering sends a flow to the queue that last wrote its reverse direction, which puts every
  // flow of one ESP peer on the worker that decrypts that peer's traffic.
  Status steer_by_hash();

 private:
  std::string m_name;
  std::vector<UniqueFd> m_fds;
  bool m_vnet = false;
  unsigned m_offload = 0;
  std::string m_offload_error;
};

}  // namespace ipseckit::sys
