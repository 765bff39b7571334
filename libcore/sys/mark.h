// The routing mark every ipseckit daemon puts on its own sockets (SO_MARK), defined once.
// ARCHITECTURE.md "Data plane": espd routes protected destinations into its TUN with the rule
// `not fwmark M lookup T`; ikeview's IKE packets and espd's ESP/AH packets carry mark M, so
// they take the main table and never loop back into the tunnel. Both daemons default to this
// value, so a pair started without --mark agrees whichever starts first.
#pragma once

#include <cstdint>

namespace ipseckit::sys {

inline constexpr std::uint32_t kDaemonMark = 0x2a5;

}  // namespace ipseckit::sys
