// The host's own addresses: what "me" (ipsecpol "0", netsh "me") resolves to.
#pragma once

#include <vector>

#include "wire/ip_address.h"

namespace ipseckit::sys {

struct LocalAddressOptions {
  bool include_loopback = false;
  bool include_link_local_v6 = false;
};

// Addresses of interfaces that are up, sorted and without duplicates.
std::vector<wire::IpAddr> local_addresses(LocalAddressOptions opt = {});

// A netlink (RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR) socket that becomes readable when an
// address is added or removed. fd() is for poll(); drain() empties it and reports whether
// anything arrived. Returns an invalid watcher (fd() < 0) where netlink is unavailable.
class AddressWatcher {
 public:
  AddressWatcher();
  ~AddressWatcher();
  AddressWatcher(const AddressWatcher&) = delete;
  AddressWatcher& operator=(const AddressWatcher&) = delete;
  int fd() const { return m_fd; }
  bool drain();

 private:
  int m_fd = -1;
};

}  // namespace ipseckit::sys
