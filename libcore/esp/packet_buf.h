// PacketBuf: a packet inside caller-owned memory, with room in front (headroom) and behind
// (tailroom), like a kernel skb. SAs grow and shrink packets in place, so the data path never
// allocates. The caller keeps the storage alive for as long as the PacketBuf is used.
//
//   storage:  [ headroom | data (size()) | tailroom ]
//              ^0         ^headroom()     ^headroom() + size()
//
// An outbound SA needs esp::kHeadroom in front and esp::kTailroom behind the inner packet (enough
// for every suite, mode, family and encapsulation; OutboundSa::overhead() gives the exact need).
// An inbound SA only shrinks the packet, except in transport mode where it may move the IP header
// forward by up to the size of the headers it removes (still inside the original bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace ipseckit::esp {

inline constexpr std::size_t kHeadroom = 128;  // worst case 112: IPv6 40 + AH 48 + ESP 8 + IV 16
inline constexpr std::size_t kTailroom = 64;   // padding 15 + trailer 2 + ICV 32, rounded up

class PacketBuf {
 public:
  PacketBuf(std::span<std::uint8_t> storage, std::size_t offset, std::size_t length)
      : m_storage(storage),
        m_off(offset <= storage.size() ? offset : storage.size()),
        m_len(length <= storage.size() - m_off ? length : storage.size() - m_off) {}

  std::uint8_t* data() { return m_storage.data() + m_off; }
  const std::uint8_t* data() const { return m_storage.data() + m_off; }
  std::size_t size() const { return m_len; }
  std::span<std::uint8_t> span() { return m_storage.subspan(m_off, m_len); }
  ByteView view() const { return ByteView(m_storage).subspan(m_off, m_len); }
  std::size_t headroom() const { return m_off; }
  std::size_t tailroom() const { return m_storage.size() - m_off - m_len; }

  // Grows the packet by n bytes at the front; false (unchanged) without enough headroom.
  bool push(std::size_t n) {
    if (n > m_off) return false;
    m_off -= n;
    m_len += n;
    return true;
  }
  // Removes n bytes at the front; false (unchanged) when the packet is shorter.
  bool pull(std::size_t n) {
    if (n > m_len) return false;
    m_off += n;
    m_len -= n;
    return true;
  }
  // Grows the packet by n bytes at the back; false (unchanged) without enough tailroom.
  bool put(std::size_t n) {
    if (n > tailroom()) return false;
    m_len += n;
    return true;
  }
  // Shrinks the packet to new_len bytes (no-op when new_len >= size()).
  void trim(std::size_t new_len) {
    if (new_len < m_len) m_len = new_len;
  }

 private:
  std::span<std::uint8_t> m_storage;
  std::size_t m_off;
  std::size_t m_len;
};

}  // namespace ipseckit::esp
