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

struct TunOptions {
  std::string name = "ipsec0";  // may end in "%d" to let the kernel pick a number
  unsigned queues = 1;          // > 1: IFF_MULTI_QUEUE
  bool vnet_hdr = false;        // IFF_VNET_HDR
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
  // TUNSETOFFLOAD on every queue (TUN_F_CSUM | TUN_F_TSO4 | ...); needs vnet_hdr.
  Status set_offload(unsigned flags);

 private:
  std::string m_name;
  std::vector<UniqueFd> m_fds;
  bool m_vnet = false;
};

}  // namespace ipseckit::sys
