// ESP-in-UDP trains that reach a raw socket whole. A peer sending with UDP_SEGMENT (UDP GSO)
// hands the kernel one super-packet; on a physical link it is cut into datagrams before the
// wire, but across a veth (containers on one host) it stays whole, and a raw socket — espd's
// receive path when the NAT-T port is held by an IKE daemon without SO_REUSEPORT — gets it as
// one IPv4 packet with no segment size. Consecutive segments of one SA repeat the SPI with the
// next sequence number (RFC 4303 §2.1, §3.3.3) every segment-size bytes: that stride is the
// segment size, and each segment is then an ordinary ESP-in-UDP datagram (RFC 3948 §2.1).
#pragma once

#include <cstddef>

#include "base/bytes.h"

namespace ipseckit::esp {

// The segment size of a train of ESP packets of one SA (every segment starts with the SPI and
// the next sequence number; the last may be shorter), or 0 when `payload` is not such a train.
std::size_t esp_train_stride(ByteView payload);

}  // namespace ipseckit::esp
