#include "sys/tun.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
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

Status TunDevice::steer_by_hash() {
  // r0 = skb->hash, or (none) the words at offsets 12 and 16 xored; folded to 16 bits (the TUN
  // takes the low 16 bits modulo the number of queues).
  auto insn = [](std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
  };
  const bpf_insn prog[] = {
      insn(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),  // r6 = ctx (for LD_ABS)
      insn(BPF_LDX | BPF_MEM | BPF_W, 0, 1, static_cast<std::int16_t>(offsetof(__sk_buff, hash)), 0),
      insn(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 4, 0),  // a hash: to the fold
      insn(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 12),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0),
      insn(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 16),
      insn(BPF_ALU64 | BPF_XOR | BPF_X, 0, 7, 0, 0),
      insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 0, 0, 0),  // fold: r0 ^= r0 >> 16
      insn(BPF_ALU64 | BPF_RSH | BPF_K, 7, 0, 0, 16),
      insn(BPF_ALU64 | BPF_XOR | BPF_X, 0, 7, 0, 0),
      insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
  static const char kLicense[] = "GPL";
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = reinterpret_cast<std::uintptr_t>(prog);
  attr.insn_cnt = sizeof prog / sizeof prog[0];
  attr.license = reinterpret_cast<std::uintptr_t>(kLicense);
  const long fd = ::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) return Error::make("failed", fmt::format("{}: loading the steering program: {}", m_name, std::strerror(errno)));
  UniqueFd prog_fd(static_cast<int>(fd));
  int pfd = prog_fd.get();
  if (ioctl(m_fds.at(0).get(), TUNSETSTEERINGEBPF, &pfd) != 0)
    return Error::make("failed", fmt::format("TUNSETSTEERINGEBPF {}: {}", m_name, std::strerror(errno)));
  return {};  // the device holds the program; our fd may close
}

}  // namespace ipseckit::sys
