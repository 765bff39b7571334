// Anti-replay window of a receiving SA (RFC 4303 §3.4.3 and Appendix A; RFC 4302 §3.4.3),
// 64 to 1024 packets, with Extended Sequence Numbers (Appendix A2).
//
// The receive path uses it in the order STYLE.md #12 fixes:
//   seq = infer(low32)  -> check(seq) -> [ICV verified] -> update(seq)
// check() never changes state, so a forged packet cannot move the window. The window is a
// bitmap of 64-bit words used as a ring (RFC 6479), so advancing costs O(words moved), not
// O(window).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ipseckit::esp {

enum class ReplayCheck : std::uint8_t {
  ok,         // new, inside the window or ahead of it
  duplicate,  // already received
  too_old,    // left of the window
};

class ReplayWindow {
 public:
  static constexpr std::uint32_t kMinSize = 64;
  static constexpr std::uint32_t kMaxSize = 1024;

  // size: 0 disables the check (the top is still tracked for ESN inference, with a 64-packet
  // inference window); otherwise 64..1024, rounded up to a multiple of 64.
  // top: the highest sequence number already received (0 for a new SA).
  explicit ReplayWindow(std::uint32_t size = kMinSize, bool esn = false, std::uint64_t top = 0);

  std::uint32_t size() const { return m_size; }
  bool enabled() const { return m_enabled; }
  std::uint64_t top() const { return m_top; }

  // Appendix A2.2: the full 64-bit sequence number a received low 32 bits stands for, taking
  // the window into account. Without ESN this is seq_low itself.
  std::uint64_t infer(std::uint32_t seq_low) const;
  ReplayCheck check(std::uint64_t seq) const;
  // Marks seq as received and slides the window when seq is beyond the top.
  void update(std::uint64_t seq);

  // RFC 4303 Appendix A3 (loss of synchronisation after 2^32 or more lost packets): the
  // receive path reports each ICV result; after kResyncThreshold consecutive failures of an
  // ESN SA, resync_candidate() offers the same low 32 bits one subspace higher (Seqh + 1)
  // to verify as well. A packet that verifies with it is genuine (the ICV covers Seqh), so
  // update() with it moves the window there and the SA is in step again.
  static constexpr std::uint32_t kResyncThreshold = 8;
  void auth_result(bool ok) { m_failures = ok ? 0 : m_failures + (m_failures < kResyncThreshold); }
  bool resync_candidate(std::uint64_t seq, std::uint64_t& next) const {
    if (!m_esn || m_failures < kResyncThreshold || (seq >> 32) == 0xFFFFFFFFu) return false;
    next = seq + (std::uint64_t{1} << 32);
    return true;
  }

 private:
  static constexpr std::size_t kWords = kMaxSize / 64 + 1;  // one spare word for the ring
  bool test_bit(std::uint64_t seq) const;
  std::uint32_t m_size;
  bool m_enabled;
  bool m_esn;
  std::uint64_t m_top;
  std::uint32_t m_failures = 0;  // consecutive ICV failures, up to kResyncThreshold
  std::size_t m_words;  // ring words in use: size / 64 + 1
  std::array<std::uint64_t, kWords> m_bits{};
};

}  // namespace ipseckit::esp
