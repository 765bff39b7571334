// espd's TUN side (issue 4 part 3, perf-limits.md §2b). With offloads (the default; --no-offload
// turns them off) the TUN has IFF_VNET_HDR and TSO: one read() returns a TCP super-packet of up
// to 64 KiB, cut here into wire packets (sys::offload::Segmenter) that are then protected one
// by one; on the way back, decrypted in-order TCP segments of one flow are merged into one GSO
// write (sys::offload::Coalescer, flushed at the end of every receive batch). Without
// offloads: one packet per read() and per write(). No allocation per packet either way.
#pragma once

#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "esp/packet_buf.h"
#include "sys/tun_offload.h"

namespace ipseckit::espd {

struct TunIoCounters {
  std::uint64_t frames_in = 0, super_packets_in = 0, segments_in = 0, malformed_in = 0;
  std::uint64_t frames_out = 0, merged_out = 0, write_errors = 0;
};

class TunIo {
 public:
  TunIo(int fd, bool vnet)
      : m_fd(fd),
        m_vnet(vnet),
        m_rx(vnet ? sys::offload::kMaxFrame + 64 : 0),
        m_gro([this](ByteView h, ByteView p) { write_frame(h, p); }) {}

  bool offload() const { return m_vnet; }
  // Inside read()'s callback: the index of the packet in its frame. Above 0, it is a later
  // segment of one TSO super-packet: same addresses, protocol and ports as segment 0.
  std::size_t segment() const { return m_seg; }

  // Reads one frame (false: nothing waiting) and calls fn(PacketBuf&) for each of its wire
  // packets, built in `buf` at esp::kHeadroom (buf holds kHeadroom + 65535 + kTailroom).
  template <class F>
  bool read(std::vector<std::uint8_t>& buf, F&& fn) {
    if (!m_vnet) {
      const auto n = ::read(m_fd, buf.data() + esp::kHeadroom, 65535);
      if (n <= 0) return false;
      ++m_c.frames_in;
      m_seg = 0;
      esp::PacketBuf pkt(buf, esp::kHeadroom, static_cast<std::size_t>(n));
      fn(pkt);
      return true;
    }
    const auto n = ::read(m_fd, m_rx.data(), m_rx.size());
    if (n <= 0) return false;
    ++m_c.frames_in;
    auto seg = sys::offload::Segmenter::parse(ByteView(m_rx.data(), static_cast<std::size_t>(n)));
    if (!seg || seg->segment_size_max() > 65535) {
      ++m_c.malformed_in;
      return true;
    }
    if (seg->gso()) ++m_c.super_packets_in;
    const auto out = std::span(buf).subspan(esp::kHeadroom, 65535);
    for (std::size_t i = 0; i < seg->count(); ++i) {
      const std::size_t len = seg->write(i, out);
      ++m_c.segments_in;
      m_seg = i;
      esp::PacketBuf pkt(buf, esp::kHeadroom, len);
      fn(pkt);
    }
    return true;
  }

  // One inner packet for the TUN: merged with its flow's pending segments, or written.
  void write(ByteView pkt) {
    if (m_vnet) {
      m_gro.add(pkt);
    } else if (::write(m_fd, pkt.data(), pkt.size()) < 0) {
      ++m_c.write_errors;
    } else {
      ++m_c.frames_out;
    }
  }
  // End of a receive batch: everything merged so far goes to the TUN.
  void flush() {
    if (m_vnet) m_gro.flush();
  }

  TunIoCounters counters() const {
    TunIoCounters c = m_c;
    c.merged_out = m_gro.stats().merged;
    return c;
  }

 private:
  void write_frame(ByteView h, ByteView p) {
    // iovec's base is not const for writev's sake; the kernel only reads it.
    iovec iov[2] = {{const_cast<std::uint8_t*>(h.data()), h.size()}, {const_cast<std::uint8_t*>(p.data()), p.size()}};
    if (::writev(m_fd, iov, 2) < 0)
      ++m_c.write_errors;
    else
      ++m_c.frames_out;
  }

  int m_fd;
  bool m_vnet;
  std::size_t m_seg = 0;
  std::vector<std::uint8_t> m_rx;  // a whole frame: virtio header + up to 64 KiB
  sys::offload::Coalescer m_gro;
  TunIoCounters m_c;
};

}  // namespace ipseckit::espd
