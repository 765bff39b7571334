#include "esp/replay.h"

#include <algorithm>

namespace ipseckit::esp {

ReplayWindow::ReplayWindow(std::uint32_t size, bool esn, std::uint64_t top)
    : m_size(size == 0 ? kMinSize : std::clamp<std::uint32_t>((size + 63) / 64 * 64, kMinSize, kMaxSize)),
      m_enabled(size != 0),
      m_esn(esn),
      m_top(esn ? top : (top & 0xFFFFFFFFu)),
      m_words(m_size / 64 + 1) {}

std::uint64_t ReplayWindow::infer(std::uint32_t seq_low) const {
  if (!m_esn) return seq_low;
  // RFC 4303 Appendix A2.2. Tl/Th: low/high halves of the top; W: the window size;
  // Bl = Tl - W + 1 (mod 2^32) is the low half of the window's bottom.
  const auto tl = static_cast<std::uint32_t>(m_top);
  const auto th = static_cast<std::uint32_t>(m_top >> 32);
  const std::uint32_t w = m_size;
  const std::uint32_t bl = tl - w + 1;  // wraps in case B, as the RFC's arithmetic does
  std::uint64_t seqh = th;
  if (tl >= w - 1) {
    // Case A: the window lies within one sequence number subspace.
    if (seq_low < bl) {
      if (th == 0xFFFFFFFFu) return 0;  // would need a 65th bit: the sender never wraps
      seqh = std::uint64_t{th} + 1;
    }
  } else {
    // Case B: the window spans two subspaces; a seq at or above Bl is in the lower one.
    if (seq_low >= bl && th > 0) seqh = std::uint64_t{th} - 1;
  }
  return (seqh << 32) | seq_low;
}

bool ReplayWindow::test_bit(std::uint64_t seq) const {
  const std::size_t word = static_cast<std::size_t>((seq >> 6) % m_words);
  return (m_bits[word] >> (seq & 63)) & 1;
}

ReplayCheck ReplayWindow::check(std::uint64_t seq) const {
  // RFC 4303 §3.3.3: the first packet sent has sequence number 1; 0 never appears.
  if (seq == 0) return ReplayCheck::too_old;
  if (!m_enabled || seq > m_top) return ReplayCheck::ok;
  if (m_top - seq >= m_size) return ReplayCheck::too_old;
  return test_bit(seq) ? ReplayCheck::duplicate : ReplayCheck::ok;
}

void ReplayWindow::update(std::uint64_t seq) {
  if (seq == 0) return;
  if (seq > m_top) {
    const std::uint64_t old_word = m_top >> 6, new_word = seq >> 6;
    const std::uint64_t moved = new_word - old_word;
    if (moved >= m_words) {
      m_bits.fill(0);
    } else {
      for (std::uint64_t w = old_word + 1; w <= new_word; ++w) m_bits[static_cast<std::size_t>(w % m_words)] = 0;
    }
    m_top = seq;
  } else if (m_top - seq >= m_size) {
    return;  // left of the window: nothing to record
  }
  if (m_enabled) m_bits[static_cast<std::size_t>((seq >> 6) % m_words)] |= std::uint64_t{1} << (seq & 63);
}

}  // namespace ipseckit::esp
