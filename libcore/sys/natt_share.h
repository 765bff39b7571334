// One UDP port for IKE and ESP-in-UDP in two processes (RFC 3948 §2.2): the IKE daemon and
// espd both bind the NAT-T port with SO_REUSEPORT (same user) and the kernel steers each
// datagram with a classic-BPF program on the reuseport group (SO_ATTACH_REUSEPORT_CBPF):
// IKE (the zero non-ESP marker), NAT keepalives (0xFF) and runts to the IKE daemon's socket,
// ESP to espd's sockets (by SPI, so every packet of an SA reaches the same espd socket and
// so the same worker). espd keeps UDP_GRO/recvmmsg and UDP_SEGMENT, which a raw
// socket could not give it.
//
// The program names sockets by their position in the group, which the kernel changes when a
// socket leaves (the last one takes its place) and extends when one joins (appended). Both
// daemons open their sockets at start and close them at exit only, and the IKE daemon has one
// socket per group; then the IKE socket's position is always the number of espd sockets bound
// before it, every other position is espd's, and /proc/net/udp{,6} (one hash chain per port,
// newest first) gives the bind order. So whichever daemon joins last attaches the program for
// the whole group; espd, starting without an IKE daemon, reserves the next position (where it
// will join) for IKE. Either may restart while the other runs (tests/tools/espd_natt_shared.sh).
#pragma once

#include <cstdint>

#include "base/result.h"

namespace ipseckit::sys {

enum class NattShare : std::uint8_t { none, ike, esp };

struct NattLayout {
  unsigned members = 0;     // sockets in the group (both daemons)
  unsigned ike_index = 0;   // the IKE socket's position (== esp_sockets when it is not there yet)
  bool ike_present = false;
  unsigned esp_sockets = 0;  // positions that get ESP: all but ike_index
  friend bool operator==(const NattLayout&, const NattLayout&) = default;
};

// Attaches the steering program to the reuseport group of `fd` (a UDP socket bound to the
// wildcard address and the NAT-T port with SO_REUSEPORT), `role` being this process's part.
// Fails ("failed", naming the port) when the group holds sockets it cannot place: another
// IKE socket besides this one, or, for espd, more than one foreign socket; or when a socket
// bound to a specific address on the port would take the datagrams first.
Result<NattLayout> natt_steer(int fd, NattShare role);

}  // namespace ipseckit::sys
