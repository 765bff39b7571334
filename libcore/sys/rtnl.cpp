// rtnetlink requests (rtnetlink(7)): one request, one ACK, errors as errno text.
#include "sys/rtnl.h"

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sys/unix_socket.h"

namespace ipseckit::sys::rtnl {
namespace {

// A netlink message under construction: nlmsghdr, a family header, then attributes, all in
// host byte order and 4-byte aligned (NLMSG_ALIGN / RTA_ALIGN).
class Message {
 public:
  Message(std::uint16_t type, std::uint16_t flags, const void* family_hdr, std::size_t family_len) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST | NLM_F_ACK);
    h.nlmsg_seq = 1;
    append(&h, sizeof h);
    append(family_hdr, family_len);
  }
  void attr(std::uint16_t type, const void* data, std::size_t len) {
    rtattr a{};
    a.rta_len = static_cast<std::uint16_t>(RTA_LENGTH(len));
    a.rta_type = type;
    append(&a, sizeof a);
    append(data, len);
  }
  void attr_u32(std::uint16_t type, std::uint32_t v) { attr(type, &v, sizeof v); }
  void attr_addr(std::uint16_t type, const wire::IpAddr& a) { attr(type, a.bytes().data(), a.is_v6() ? 16 : 4); }
  // Starts a nested attribute; end_nest patches its length.
  std::size_t begin_nest(std::uint16_t type) {
    std::size_t at = m_buf.size();
    attr(type, nullptr, 0);
    return at;
  }
  void end_nest(std::size_t at) {
    auto len = static_cast<std::uint16_t>(m_buf.size() - at);
    std::memcpy(m_buf.data() + at, &len, sizeof len);
  }
  std::vector<std::uint8_t>& finish() {
    auto len = static_cast<std::uint32_t>(m_buf.size());
    std::memcpy(m_buf.data(), &len, sizeof len);  // nlmsg_len is the first field
    return m_buf;
  }

 private:
  void append(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    if (n) m_buf.insert(m_buf.end(), b, b + n);
    m_buf.resize((m_buf.size() + 3) & ~std::size_t{3}, 0);
  }
  std::vector<std::uint8_t> m_buf;
};

Status talk(Message& m, const std::string& what) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return Error::make("failed", fmt::format("{}: netlink socket: {}", what, std::strerror(errno)));
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  auto& buf = m.finish();
  if (sendto(fd.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    return Error::make("failed", fmt::format("{}: {}", what, std::strerror(errno)));
  std::uint8_t reply[8192];
  ssize_t n = recv(fd.get(), reply, sizeof reply, 0);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr)))
    return Error::make("failed", fmt::format("{}: no netlink acknowledgement", what));
  nlmsghdr h;
  std::memcpy(&h, reply, sizeof h);
  if (h.nlmsg_type != NLMSG_ERROR) return Error::make("failed", fmt::format("{}: unexpected netlink reply", what));
  nlmsgerr e;
  std::memcpy(&e, reply + NLMSG_HDRLEN, sizeof e);
  if (e.error != 0) return Error::make("failed", fmt::format("{}: {}", what, std::strerror(-e.error)));
  return {};
}

Status link_change(const std::string& ifname, const std::function<void(ifinfomsg&, Message*)>& fill,
                   const std::string& what) {
  auto idx = link_index(ifname);
  if (!idx) return idx.error();
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(*idx);
  fill(ifi, nullptr);
  Message m(RTM_NEWLINK, 0, &ifi, sizeof ifi);
  fill(ifi, &m);
  return talk(m, what);
}

Status addr_change(std::uint16_t type, const std::string& ifname, const IfAddr& a) {
  auto idx = link_index(ifname);
  if (!idx) return idx.error();
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(a.addr.is_v6() ? AF_INET6 : AF_INET);
  ifa.ifa_prefixlen = a.len;
  ifa.ifa_index = *idx;
  Message m(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof ifa);
  m.attr_addr(IFA_LOCAL, a.addr);
  m.attr_addr(IFA_ADDRESS, a.addr);
  return talk(m, fmt::format("{} address {}/{} on {}", type == RTM_NEWADDR ? "add" : "delete", a.addr.str(), a.len,
                             ifname));
}

Status route_change(std::uint16_t type, const Route& r) {
  rtmsg rt{};
  rt.rtm_family = static_cast<std::uint8_t>(r.dst.addr.is_v6() ? AF_INET6 : AF_INET);
  rt.rtm_dst_len = r.dst.len;
  rt.rtm_table = static_cast<std::uint8_t>(r.table < 256 ? r.table : unsigned{RT_TABLE_UNSPEC});
  rt.rtm_protocol = RTPROT_STATIC;
  rt.rtm_scope = r.via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rt.rtm_type = RTN_UNICAST;
  Message m(type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0, &rt, sizeof rt);
  m.attr_addr(RTA_DST, r.dst.addr);
  m.attr_u32(RTA_TABLE, r.table);
  if (!r.dev.empty()) {
    auto idx = link_index(r.dev);
    if (!idx) return idx.error();
    m.attr_u32(RTA_OIF, *idx);
  }
  if (r.via) m.attr_addr(RTA_GATEWAY, *r.via);
  if (r.metric) m.attr_u32(RTA_PRIORITY, r.metric);
  if (r.mtu) {
    auto nest = m.begin_nest(RTA_METRICS);
    m.attr_u32(RTAX_MTU, *r.mtu);
    m.end_nest(nest);
  }
  return talk(m, fmt::format("{} route {} table {}{}", type == RTM_NEWROUTE ? "add" : "delete", r.dst.str(), r.table,
                             r.dev.empty() ? "" : " dev " + r.dev));
}

Status rule_change(std::uint16_t type, const Rule& r) {
  fib_rule_hdr fr{};
  fr.family = static_cast<std::uint8_t>(r.v6 ? AF_INET6 : AF_INET);
  fr.action = FR_ACT_TO_TBL;
  fr.table = static_cast<std::uint8_t>(r.table < 256 ? r.table : unsigned{RT_TABLE_UNSPEC});
  if (r.invert) fr.flags |= FIB_RULE_INVERT;
  Message m(type, type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0, &fr, sizeof fr);
  m.attr_u32(FRA_TABLE, r.table);
  if (r.priority) m.attr_u32(FRA_PRIORITY, r.priority);
  if (r.fwmark) {
    m.attr_u32(FRA_FWMARK, *r.fwmark);
    m.attr_u32(FRA_FWMASK, r.fwmask);
  }
  return talk(m, fmt::format("{} rule {}fwmark {:#x} lookup {} (IPv{})", type == RTM_NEWRULE ? "add" : "delete",
                             r.invert ? "not " : "", r.fwmark.value_or(0), r.table, r.v6 ? 6 : 4));
}

}  // namespace

Result<unsigned> link_index(const std::string& ifname) {
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) return Error::make("failed", fmt::format("no interface '{}': {}", ifname, std::strerror(errno)));
  return idx;
}

Status link_up(const std::string& ifname, bool up) {
  return link_change(
      ifname,
      [&](ifinfomsg& ifi, Message*) {
        ifi.ifi_change = IFF_UP;
        ifi.ifi_flags = up ? IFF_UP : 0;
      },
      fmt::format("set {} {}", ifname, up ? "up" : "down"));
}

Status link_mtu(const std::string& ifname, unsigned mtu) {
  return link_change(
      ifname,
      [&](ifinfomsg&, Message* m) {
        if (m) m->attr_u32(IFLA_MTU, mtu);
      },
      fmt::format("set {} mtu {}", ifname, mtu));
}

Status addr_add(const std::string& ifname, const IfAddr& a) { return addr_change(RTM_NEWADDR, ifname, a); }
Status addr_del(const std::string& ifname, const IfAddr& a) { return addr_change(RTM_DELADDR, ifname, a); }
Status route_add(const Route& r) { return route_change(RTM_NEWROUTE, r); }
Status route_del(const Route& r) { return route_change(RTM_DELROUTE, r); }
Status rule_add(const Rule& r) { return rule_change(RTM_NEWRULE, r); }
Status rule_del(const Rule& r) { return rule_change(RTM_DELRULE, r); }

Status Cleanup::addr_add(const std::string& ifname, const IfAddr& a) {
  IPSECKIT_TRY(rtnl::addr_add(ifname, a));
  m_undo.push_back([ifname, a] { (void)rtnl::addr_del(ifname, a); });
  return {};
}

Status Cleanup::route_add(const Route& r) {
  IPSECKIT_TRY(rtnl::route_add(r));
  m_undo.push_back([r] { (void)rtnl::route_del(r); });
  return {};
}

Status Cleanup::rule_add(const Rule& r) {
  IPSECKIT_TRY(rtnl::rule_add(r));
  m_undo.push_back([r] { (void)rtnl::rule_del(r); });
  return {};
}

void Cleanup::undo() {
  while (!m_undo.empty()) {
    auto fn = std::move(m_undo.back());
    m_undo.pop_back();
    fn();
  }
}

}  // namespace ipseckit::sys::rtnl
