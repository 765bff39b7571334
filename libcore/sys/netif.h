// The host's own addresses: what "me" (ipsecpol "0", netsh "me") resolves to.
#pragma once

#include <vector>

#include "wire/ip_address.h"

namespace ipseckit::sys {

struct LocalAddressOptions {
  bool include_loopback = false;
  bool include_link_local_v6 = false;
};

// Whether an interface address counts as "me": not loopback (127.0.0.0/8, ::1; traffic to them
// never leaves the host, as in Windows, where "me" never covers 127.0.0.1) unless asked, not an
// IPv6 link-local one unless asked. The interface does not matter: an address a host answers
// for that is configured on `lo` (198.51.100.12/32 on lo, a service or router-id address
// reached through a route) is the host's own like any other and belongs to "me".
bool counts_as_me(const wire::IpAddr& a, const LocalAddressOptions& opt = {});

// Addresses of interfaces that are up that count as "me", sorted and without duplicates.
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
