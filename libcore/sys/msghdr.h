// The msghdr of one buffer for sendmsg/recvmsg and sendmmsg/recvmmsg (socket(7), cmsg(3)):
// shared by the UDP and raw sockets of libcore/sys.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <span>

namespace ipseckit::sys {

// The peer's address (`name`, `namelen`: where recvmsg puts it, or where sendmsg sends to), the
// one data buffer `iov`, and the ancillary-data buffer `control` (none when empty).
inline msghdr one_buffer_msghdr(void* name, socklen_t namelen, iovec& iov, std::span<std::uint8_t> control = {}) {
  msghdr mh{};
  mh.msg_name = name;
  mh.msg_namelen = namelen;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (!control.empty()) {
    mh.msg_control = control.data();
    mh.msg_controllen = control.size();
  }
  return mh;
}

}  // namespace ipseckit::sys
