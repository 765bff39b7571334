// The NAT-T port shared by the IKE daemon and espd (natt_share.h).
#include "sys/natt_share.h"

#include <dirent.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

namespace ipseckit::sys {
namespace {

Error failed(const std::string& what) { return Error::make("failed", what); }

// The inodes of this process's sockets (/proc/self/fd/N -> "socket:[inode]").
std::set<unsigned long> own_socket_inodes() {
  std::set<unsigned long> out;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    char link[64] = {};
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
    unsigned long ino = 0;
    if (n > 0 && std::sscanf(link, "socket:[%lu]", &ino) == 1) out.insert(ino);
  }
  ::closedir(d);
  return out;
}

// The local address of a socket as /proc/net/udp{,6} prints it: the raw 32-bit words of the
// network-order address in %08X, a colon, the port in %04X.
std::string proc_address(const sockaddr_storage& ss) {
  std::string out;
  auto words = [&](const void* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 4) {
      std::uint32_t w = 0;
      std::memcpy(&w, static_cast<const std::uint8_t*>(p) + i, 4);
      out += fmt::format("{:08X}", w);
    }
  };
  std::uint16_t port = 0;
  if (ss.ss_family == AF_INET6) {
    sockaddr_in6 s{};
    std::memcpy(&s, &ss, sizeof s);
    words(&s.sin6_addr, 16);
    port = ntohs(s.sin6_port);
  } else {
    sockaddr_in s{};
    std::memcpy(&s, &ss, sizeof s);
    words(&s.sin_addr, 4);
    port = ntohs(s.sin_port);
  }
  return out + fmt::format(":{:04X}", port);
}

struct Member {
  unsigned long inode = 0;
  bool same_address = false;  // false: bound to another address on the port
};

// The unconnected sockets on `port` of the family, in bind order. The file walks each port's
// hash chain: udp_lib_get_port() adds IPv4 sockets at the head (newest first) but IPv6
// SO_REUSEPORT sockets at the tail (oldest first; kernel commit d894ba18d4e4, "soreuseport: fix
// ordering for mixed v4/v6 sockets"), so only the IPv4 list is reversed.
Result<std::vector<Member>> port_members(bool v6, const std::string& local) {
  std::ifstream f(v6 ? "/proc/net/udp6" : "/proc/net/udp");
  if (!f) return failed(fmt::format("cannot read /proc/net/udp{}", v6 ? "6" : ""));
  const std::string port = local.substr(local.find(':'));
  const std::string any_remote(v6 ? 32 : 8, '0');
  std::vector<Member> out;
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string sl, laddr, raddr, st, queues, timer, retr, uid, timeout;
    unsigned long inode = 0;
    if (!(in >> sl >> laddr >> raddr >> st >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
    if (laddr.size() < port.size() || laddr.compare(laddr.size() - port.size(), port.size(), port) != 0) continue;
    if (raddr.substr(0, raddr.find(':')) != any_remote) continue;  // connected: not in the lookup
    out.push_back(Member{inode, laddr == local});
  }
  if (v6) return out;
  return std::vector<Member>(out.rbegin(), out.rend());
}

// IKE (length < 4, or a zero first word) -> ike; ESP -> the SPI modulo esp_count, skipping
// ike. The program sees the datagram from its UDP payload on (reuseport_select_sock pulls
// the UDP header); an index past the group makes the kernel fall back to its hash.
std::vector<sock_filter> program(unsigned ike, unsigned esp_count) {
  std::vector<sock_filter> c;
  c.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0));
  c.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 4, 0, 0));  // jf patched: runt -> IKE
  c.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0));          // A = SPI (or the zero marker)
  c.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0));  // jt patched: marker -> IKE
  if (esp_count == 0) {
    c.push_back(BPF_STMT(BPF_RET | BPF_K, ike + 1));  // nobody for ESP: the kernel's hash
  } else {
    c.push_back(BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, esp_count));
    c.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ike, 0, 1));
    c.push_back(BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1));
    c.push_back(BPF_STMT(BPF_RET | BPF_A, 0));
  }
  const auto ike_at = static_cast<std::uint8_t>(c.size());
  c.push_back(BPF_STMT(BPF_RET | BPF_K, ike));
  c[1].jf = static_cast<std::uint8_t>(ike_at - 2);
  c[3].jt = static_cast<std::uint8_t>(ike_at - 4);
  return c;
}

}  // namespace

Result<NattLayout> natt_steer(int fd, NattShare role) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return failed(fmt::format("getsockname: {}", std::strerror(errno)));
  const bool v6 = ss.ss_family == AF_INET6;
  const std::string local = proc_address(ss);
  const std::string port = std::to_string(std::stoul(local.substr(local.find(':') + 1), nullptr, 16));
  struct stat st{};
  if (::fstat(fd, &st) != 0) return failed(fmt::format("fstat: {}", std::strerror(errno)));
  const auto own = own_socket_inodes();
  auto members = port_members(v6, local);
  if (!members) return members.error();
  NattLayout l;
  std::vector<unsigned> foreign;  // positions of the other process's sockets
  bool found = false;
  for (const auto& m : *members) {
    if (!m.same_address) {  // another group; if more specific, it takes the datagrams first
      if (role == NattShare::esp)
        return failed(fmt::format("UDP port {}: a socket bound to another address shares it", port));
      continue;
    }
    if (m.inode == st.st_ino) {
      found = true;
      if (role == NattShare::ike) l.ike_index = l.members;
    }
    if (role == NattShare::esp && own.count(m.inode) == 0) foreign.push_back(l.members);
    ++l.members;
  }
  if (!found) return failed(fmt::format("UDP port {}: the socket is not in /proc/net/udp{}", port, v6 ? "6" : ""));
  if (role == NattShare::ike) {
    l.ike_present = true;
    l.esp_sockets = l.members - 1;
  } else {
    if (foreign.size() > 1)
      return failed(fmt::format("UDP port {}: {} other sockets share it (one IKE daemon expected)", port,
                                foreign.size()));
    l.esp_sockets = l.members - static_cast<unsigned>(foreign.size());
    l.ike_present = !foreign.empty();
    l.ike_index = l.ike_present ? foreign[0] : l.members;  // not there yet: it will be appended
  }
  auto code = program(l.ike_index, l.esp_sockets);
  sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) != 0)
    return failed(fmt::format("SO_ATTACH_REUSEPORT_CBPF on UDP port {}: {}", port, std::strerror(errno)));
  return l;
}

}  // namespace ipseckit::sys
