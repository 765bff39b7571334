// Reading UDP datagrams out of a capture file with libpcap, for `ikeview decode`. Link types:
// Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1 (SLL) and v2 (SLL2), raw IP (v4/v6),
// BSD loopback (NULL). IPv4 and IPv6 fragments are put back together (esp::Reassembler, RFC
// 791 §3.2, RFC 8200 §4.5: IKE messages carrying certificates often exceed the path MTU) and
// IPv6 extension headers are walked. Every length is checked against the captured bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/ip_address.h"

namespace ipseckit::ikeview {

struct CapturedPacket {
  std::uint64_t number = 0;  // 1-based, as Wireshark numbers frames
  double time = 0;           // seconds since the epoch
  bool udp = false;          // false: not a UDP datagram (skip); `why` says why when malformed
  std::string why;           // non-empty for a packet that could not be parsed
  wire::IpAddr src, dst;
  std::uint16_t sport = 0, dport = 0;
  ByteView payload;          // valid until the next call to next()
  std::uint32_t fragments = 0;  // > 0: the datagram was reassembled from that many fragments
  bool held = false;            // a fragment kept for reassembly (udp false, no why)
  bool v6_fragment = false;     // held or fragments > 0: IPv6 fragments, else IPv4
};

class PcapReader {
 public:
  // Fails (code "failed") naming the file when it cannot be opened or is not a capture.
  static Result<PcapReader> open(const std::string& path);
  PcapReader(PcapReader&&) noexcept;
  PcapReader& operator=(PcapReader&&) noexcept;
  ~PcapReader();

  // false at the end of the file; an error for a damaged file (truncated record).
  Result<bool> next(CapturedPacket& out);
  int link_type() const;

 private:
  struct Impl;
  explicit PcapReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ipseckit::ikeview
