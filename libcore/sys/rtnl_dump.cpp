// RTM_GETRULE dump (rtnetlink(7)): one request, multi-part replies until NLMSG_DONE.
#include "sys/rtnl_dump.h"

#include <fmt/format.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "sys/unix_socket.h"

namespace ipseckit::sys::rtnl {

namespace {

Error failed(const std::string& what) {
  return Error::make("failed", fmt::format("list rules: {}: {}", what, std::strerror(errno)));
}

// One RTM_NEWRULE message of the dump: fib_rule_hdr, then attributes.
Rule parse_rule(const std::uint8_t* p, std::size_t len, bool v6) {
  Rule r;
  r.v6 = v6;
  fib_rule_hdr fr{};
  std::memcpy(&fr, p, sizeof fr);
  r.table = fr.table;
  r.invert = (fr.flags & FIB_RULE_INVERT) != 0;
  std::size_t off = NLMSG_ALIGN(sizeof fr);
  while (off + sizeof(rtattr) <= len) {
    rtattr a{};
    std::memcpy(&a, p + off, sizeof a);
    if (a.rta_len < sizeof a || off + a.rta_len > len) break;
    std::uint32_t v = 0;
    if (a.rta_len >= RTA_LENGTH(sizeof v)) std::memcpy(&v, p + off + RTA_LENGTH(0), sizeof v);
    switch (a.rta_type) {
      case FRA_TABLE:
        r.table = v;
        break;
      case FRA_PRIORITY:
        r.priority = v;
        break;
      case FRA_FWMARK:
        r.fwmark = v;
        break;
      case FRA_FWMASK:
        r.fwmask = v;
        break;
      default:
        break;
    }
    off += RTA_ALIGN(a.rta_len);
  }
  return r;
}

}  // namespace

Result<std::vector<Rule>> rule_list(bool v6) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return failed("netlink socket");
  struct {
    nlmsghdr h;
    fib_rule_hdr fr;
  } req{};
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETRULE;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.fr.family = static_cast<std::uint8_t>(v6 ? AF_INET6 : AF_INET);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (sendto(fd.get(), &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return failed("send");
  std::vector<Rule> rules;
  std::vector<std::uint8_t> buf(32768);
  for (;;) {
    const ssize_t n = recv(fd.get(), buf.data(), buf.size(), 0);
    if (n < 0) return failed("receive");
    std::size_t off = 0;
    while (off + sizeof(nlmsghdr) <= static_cast<std::size_t>(n)) {
      nlmsghdr h{};
      std::memcpy(&h, buf.data() + off, sizeof h);
      if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > static_cast<std::size_t>(n)) return failed("truncated reply");
      if (h.nlmsg_type == NLMSG_DONE) return rules;
      if (h.nlmsg_type == NLMSG_ERROR) {
        errno = EPROTO;
        return failed("error reply");
      }
      const std::size_t body = h.nlmsg_len - NLMSG_HDRLEN;
      if (h.nlmsg_type == RTM_NEWRULE && body >= sizeof(fib_rule_hdr))
        rules.push_back(parse_rule(buf.data() + off + NLMSG_HDRLEN, body, v6));
      off += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
}

}  // namespace ipseckit::sys::rtnl
