#include "sys/tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ipseckit::sys {

unsigned tun_offload_flags() { return TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6; }

Result<TunDevice> TunDevice::open(const TunOptions& opt) {
  if (opt.name.empty() || opt.name.size() >= IFNAMSIZ)
    return Error::make("usage", fmt::format("TUN name '{}' must have 1 to {} characters", opt.name, IFNAMSIZ - 1));
  if (opt.queues == 0 || opt.queues > 64) return Error::make("usage", "TUN queues must be 1..64");
  TunDevice dev;
  dev.m_vnet = opt.vnet_hdr;
  std::string name = opt.name;
  for (unsigned q = 0; q < opt.queues; ++q) {
    int flags = O_RDWR | O_CLOEXEC | (opt.nonblocking ? O_NONBLOCK : 0);
    UniqueFd fd(::open("/dev/net/tun", flags));
    if (!fd) return Error::make("failed", fmt::format("open /dev/net/tun: {}", std::strerror(errno)));
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    short f = IFF_TUN | IFF_NO_PI;
    if (opt.vnet_hdr) f = static_cast<short>(f | IFF_VNET_HDR);
    if (opt.queues > 1) f = static_cast<short>(f | IFF_MULTI_QUEUE);
    ifr.ifr_flags = f;
    if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0)
      return Error::make("failed", fmt::format("TUNSETIFF {}: {}", name, std::strerror(errno)));
    name = ifr.ifr_name;  // the kernel's choice for "%d" names; the same for every queue
    dev.m_fds.push_back(std::move(fd));
  }
  dev.m_name = name;
  if (opt.vnet_hdr && opt.offload) {
    if (auto s = dev.set_offload(opt.offload); !s) {
      // Older kernels, or offloads this one lacks: the device again, plain (no virtio header).
      dev.m_fds.clear();
      TunOptions plain = opt;
      plain.vnet_hdr = false;
      plain.offload = 0;
      auto again = open(plain);
      if (again) again->m_offload_error = s.error().message;
      return again;
    }
    dev.m_offload = opt.offload;
  }
  return dev;
}

Status TunDevice::set_offload(unsigned flags) {
  if (!m_vnet) return Error::make("usage", fmt::format("{}: offloads need IFF_VNET_HDR", m_name));
  for (const auto& fd : m_fds)
    if (ioctl(fd.get(), TUNSETOFFLOAD, static_cast<unsigned long>(flags)) != 0)
      return Error::make("failed", fmt::format("TUNSETOFFLOAD {}: {}", m_name, std::strerror(errno)));
  return {};
}

}  // namespace ipseckit::sys
