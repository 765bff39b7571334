#include "sys/udp_socket.h"

#include <linux/filter.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/log.h"
#include "sys/msghdr.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

namespace ipseckit::sys {
namespace {

constexpr std::size_t kControl = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64;

Error sys_error(const std::string& what) { return Error::make("failed", fmt::format("{}: {}", what, std::strerror(errno))); }

std::string str(const Endpoint& e) { return fmt::format("{}:{}", e.addr.str(), e.port); }

// RFC 3948 §2.2 in classic BPF. On a UDP socket the filter sees the datagram from its UDP
// header on (payload at offset 8); a load past the end would return 0 (drop), hence the length
// test first. Keep (whole datagram) unless len >= 8 + 4 and the first payload word is not 0.
Status attach_ike_only_filter(int fd) {
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),             // A = UDP header + payload length
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 12, 0, 2),     // shorter than the marker: keep
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),             // A = first 4 payload bytes
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),      // zero marker (IKE): keep, else drop
      BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFF),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) return sys_error("SO_ATTACH_FILTER");
  return {};
}

// Fills local address and GRO segment size from a received message's control data.
void read_control(msghdr& mh, Datagram& d) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      d.local = wire::IpAddr::v4(ntohl(pi.ipi_addr.s_addr));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &pi.ipi6_addr, 16);
      d.local = wire::IpAddr::v6(b);
    } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int size = 0;
      std::memcpy(&size, CMSG_DATA(c), sizeof size);
      d.gro_size = static_cast<std::uint16_t>(size);
    }
  }
}

}  // namespace

socklen_t to_sockaddr(const Endpoint& e, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (e.addr.is_v6()) {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    s.sin6_port = htons(e.port);
    std::memcpy(&s.sin6_addr, e.addr.bytes().data(), 16);
    std::memcpy(&out, &s, sizeof s);
    return sizeof s;
  }
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(e.port);
  s.sin_addr.s_addr = htonl(e.addr.v4_value());
  std::memcpy(&out, &s, sizeof s);
  return sizeof s;
}

std::optional<Endpoint> from_sockaddr(const sockaddr_storage& st) {
  if (st.ss_family == AF_INET) {
    sockaddr_in s;
    std::memcpy(&s, &st, sizeof s);
    return Endpoint{wire::IpAddr::v4(ntohl(s.sin_addr.s_addr)), ntohs(s.sin_port)};
  }
  if (st.ss_family == AF_INET6) {
    sockaddr_in6 s;
    std::memcpy(&s, &st, sizeof s);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &s.sin6_addr, 16);
    return Endpoint{wire::IpAddr::v6(b), ntohs(s.sin6_port)};
  }
  return std::nullopt;
}

Result<UdpSocket> UdpSocket::open(const UdpOptions& opt) {
  UdpSocket s;
  s.m_v6 = opt.bind.addr.is_v6();
  s.m_pktinfo = opt.pktinfo;
  s.m_gro = opt.gro;
  int type = SOCK_DGRAM | SOCK_CLOEXEC | (opt.nonblocking ? SOCK_NONBLOCK : 0);
  s.m_fd = UniqueFd(socket(s.m_v6 ? AF_INET6 : AF_INET, type, IPPROTO_UDP));
  if (!s.m_fd) return sys_error("udp socket");
  int fd = s.m_fd.get();
  int one = 1;
  auto opt_int = [&](int level, int name, int value, const char* what) -> Status {
    if (setsockopt(fd, level, name, &value, sizeof value) != 0) return sys_error(fmt::format("{} on {}", what, str(opt.bind)));
    return {};
  };
  if (opt.mark) {
    std::uint32_t m = *opt.mark;
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &m, sizeof m) != 0) return sys_error(fmt::format("SO_MARK {:#x}", m));
  }
  if (opt.reuse_port || opt.natt_share != NattShare::none) IPSECKIT_TRY(opt_int(SOL_SOCKET, SO_REUSEPORT, one, "SO_REUSEPORT"));
  if (s.m_v6) IPSECKIT_TRY(opt_int(IPPROTO_IPV6, IPV6_V6ONLY, one, "IPV6_V6ONLY"));
  if (opt.pktinfo) {
    if (s.m_v6) IPSECKIT_TRY(opt_int(IPPROTO_IPV6, IPV6_RECVPKTINFO, one, "IPV6_RECVPKTINFO"));
    else IPSECKIT_TRY(opt_int(IPPROTO_IP, IP_PKTINFO, one, "IP_PKTINFO"));
  }
  if (opt.gro) IPSECKIT_TRY(opt_int(SOL_UDP, UDP_GRO, one, "UDP_GRO"));
  if (opt.natt_ike_only) IPSECKIT_TRY(attach_ike_only_filter(fd));
  if (opt.rcvbuf) IPSECKIT_TRY(opt_int(SOL_SOCKET, SO_RCVBUF, opt.rcvbuf, "SO_RCVBUF"));
  if (opt.sndbuf) IPSECKIT_TRY(opt_int(SOL_SOCKET, SO_SNDBUF, opt.sndbuf, "SO_SNDBUF"));
  sockaddr_storage sa;
  socklen_t len = to_sockaddr(opt.bind, sa);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) return sys_error(fmt::format("bind {}", str(opt.bind)));
  if (opt.natt_share == NattShare::esp) {
    auto l = natt_steer(fd, opt.natt_share);
    if (!l) return l.error();
  } else if (opt.natt_share == NattShare::ike) {  // the IKE daemon works on without espd's part
    if (auto l = natt_steer(fd, opt.natt_share); !l)
      log::msg(log::Subsys::net, log::Level::audit, "no ESP steering on {}: {}", str(opt.bind), l.error().message);
  }
  return s;
}

Endpoint UdpSocket::local() const {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  getsockname(m_fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  return from_sockaddr(sa).value_or(Endpoint{});
}

Status UdpSocket::send_to(ByteView data, const Endpoint& peer, const std::optional<wire::IpAddr>& from) {
  sockaddr_storage sa;
  socklen_t len = to_sockaddr(peer, sa);
  iovec iov{const_cast<std::uint8_t*>(data.data()), data.size()};  // NOLINT: sendmsg does not write
  msghdr mh = one_buffer_msghdr(&sa, len, iov);
  alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  if (from && !from->is_unspecified() && from->is_v6() == m_v6) {
    // ip(7) IP_PKTINFO: ipi_spec_dst is the source address; ipv6(7) IPV6_PKTINFO: ipi6_addr.
    mh.msg_control = control;
    cmsghdr* c = reinterpret_cast<cmsghdr*>(control);  // NOLINT: the cmsg(3) idiom
    if (m_v6) {
      in6_pktinfo pi{};
      std::memcpy(&pi.ipi6_addr, from->bytes().data(), 16);
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
      mh.msg_controllen = CMSG_SPACE(sizeof pi);
    } else {
      in_pktinfo pi{};
      pi.ipi_spec_dst.s_addr = htonl(from->v4_value());
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof pi);
      std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
      mh.msg_controllen = CMSG_SPACE(sizeof pi);
    }
  }
  if (sendmsg(m_fd.get(), &mh, 0) < 0)
    return sys_error(from ? fmt::format("send from {} to {}", from->str(), str(peer))
                          : fmt::format("send to {}", str(peer)));
  return {};
}

Result<std::optional<Datagram>> UdpSocket::recv(std::span<std::uint8_t> buffer) {
  sockaddr_storage sa{};
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) std::uint8_t control[kControl];
  msghdr mh = one_buffer_msghdr(&sa, sizeof sa, iov, control);
  ssize_t n = recvmsg(m_fd.get(), &mh, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<Datagram>{};
    return sys_error("recv");
  }
  Datagram d;
  d.data = buffer.first(static_cast<std::size_t>(n));
  d.peer = from_sockaddr(sa).value_or(Endpoint{});
  read_control(mh, d);
  return std::optional<Datagram>(d);
}

UdpBatch::UdpBatch(std::size_t capacity, std::size_t mtu)
    : m_cap(capacity),
      m_mtu(mtu),
      m_in(capacity * mtu),
      m_outbuf(capacity * mtu),
      m_control(capacity * kControl),
      m_iov(capacity),
      m_oiov(capacity),
      m_msgs(capacity),
      m_omsgs(capacity),
      m_addrs(capacity),
      m_oaddrs(capacity) {
  m_got.reserve(capacity);
}

Result<std::span<const Datagram>> UdpBatch::recv(UdpSocket& s) {
  for (std::size_t i = 0; i < m_cap; ++i) {
    m_iov[i] = iovec{m_in.data() + i * m_mtu, m_mtu};
    m_msgs[i].msg_hdr = one_buffer_msghdr(&m_addrs[i], sizeof(sockaddr_storage), m_iov[i],
                                          std::span(m_control).subspan(i * kControl, kControl));
  }
  int n = recvmmsg(s.m_fd.get(), m_msgs.data(), static_cast<unsigned>(m_cap), MSG_DONTWAIT, nullptr);
  m_got.clear();
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::span<const Datagram>{};
    return sys_error("recvmmsg");
  }
  for (int i = 0; i < n; ++i) {
    auto k = static_cast<std::size_t>(i);
    Datagram d;
    d.data = std::span<std::uint8_t>(m_in.data() + k * m_mtu, m_msgs[k].msg_len);
    d.peer = from_sockaddr(m_addrs[k]).value_or(Endpoint{});
    read_control(m_msgs[k].msg_hdr, d);
    m_got.push_back(d);
  }
  return std::span<const Datagram>(m_got);
}

bool UdpBatch::add(ByteView data, const Endpoint& peer) {
  if (m_out == m_cap || data.size() > m_mtu) return false;
  std::uint8_t* buf = m_outbuf.data() + m_out * m_mtu;
  std::memcpy(buf, data.data(), data.size());
  m_oiov[m_out] = iovec{buf, data.size()};
  const socklen_t len = to_sockaddr(peer, m_oaddrs[m_out]);
  m_omsgs[m_out].msg_hdr = one_buffer_msghdr(&m_oaddrs[m_out], len, m_oiov[m_out]);
  ++m_out;
  return true;
}

Result<std::size_t> UdpBatch::send(UdpSocket& s) {
  std::size_t sent = 0;
  while (sent < m_out) {
    int n = sendmmsg(s.m_fd.get(), m_omsgs.data() + sent, static_cast<unsigned>(m_out - sent), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      m_out = 0;
      return sys_error("sendmmsg");
    }
    sent += static_cast<std::size_t>(n);
  }
  m_out = 0;
  return sent;
}

}  // namespace ipseckit::sys
