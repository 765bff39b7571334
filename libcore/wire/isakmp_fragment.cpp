#include "wire/isakmp_fragment.h"

#include <algorithm>

#include <fmt/format.h>

#include "wire/isakmp_error.h"
#include "wire/isakmp_header.h"

namespace ipseckit::wire::isakmp {

Result<FragmentPayload> parse_fragment(ByteView body) {
  ByteReader r(body, "FRAGMENT payload");
  FragmentPayload f;
  f.id = r.u16be();
  f.number = r.u8();
  f.flags = r.u8();
  if (!r.ok()) return malformed("FRAGMENT payload: shorter than 4 bytes");
  if (f.number == 0) return malformed("FRAGMENT payload: fragment number 0");
  if (r.remaining() == 0) return malformed(fmt::format("FRAGMENT payload: fragment {} carries no data", f.number));
  const ByteView d = r.rest();
  f.data.assign(d.begin(), d.end());
  return f;
}

void write_fragment(ByteWriter& w, const FragmentPayload& f) {
  w.u16be(f.id);
  w.u8(f.number);
  w.u8(f.flags);
  w.bytes(f.data);
}

Result<std::vector<Bytes>> fragment_message(ByteView message, std::uint16_t fragment_id, std::size_t max_datagram) {
  auto h = parse_header(message);
  if (!h) return h.error();
  constexpr std::size_t overhead = kHeaderSize + kGenericHeaderSize + 4;
  if (max_datagram <= overhead) return malformed(fmt::format("fragment size {} leaves no room for data", max_datagram));
  // The fragment payload's own 16-bit length bounds a piece too.
  const std::size_t chunk = std::min(max_datagram - overhead, std::size_t{0xFFFF} - kGenericHeaderSize - 4);
  const std::size_t count = (message.size() + chunk - 1) / chunk;
  if (count > 0xFF) return malformed(fmt::format("{} bytes need {} fragments of {} (at most 255)", message.size(), count, chunk));
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    const ByteView piece = message.subspan(i * chunk, std::min(chunk, message.size() - i * chunk));
    Header fh = *h;
    fh.next_payload = PayloadType::fragment;
    fh.flags = 0;
    fh.length = static_cast<std::uint32_t>(overhead + piece.size());
    ByteWriter w;
    write_header(w, fh);
    w.u8(raw(PayloadType::none));
    w.u8(0);
    w.u16be(static_cast<std::uint16_t>(kGenericHeaderSize + 4 + piece.size()));
    FragmentPayload f;
    f.id = fragment_id;
    f.number = static_cast<std::uint8_t>(i + 1);
    f.flags = i + 1 == count ? FragmentPayload::kLastFragment : 0;
    f.data.assign(piece.begin(), piece.end());
    write_fragment(w, f);
    out.push_back(w.take());
  }
  return out;
}

FragmentReassembler::FragmentReassembler(ReassemblyLimits limits) : m_limits(limits) {
  m_limits.max_fragments = std::clamp<std::size_t>(m_limits.max_fragments, 1, 255);
}

void FragmentReassembler::reset() {
  m_active = false;
  m_last = 0;
  m_count = 0;
  m_bytes = 0;
  m_slots.clear();
}

Result<std::optional<Bytes>> FragmentReassembler::add(const FragmentPayload& f, Clock::time_point now) {
  if (f.number == 0 || f.number > m_limits.max_fragments)
    return malformed(fmt::format("fragment number {} (at most {})", f.number, m_limits.max_fragments));
  if (f.data.empty()) return malformed(fmt::format("fragment {} carries no data", f.number));
  if (m_active && now - m_started > m_limits.timeout) reset();
  if (m_active && f.id < m_id)
    return malformed(fmt::format("fragment of message {} while reassembling the newer {}", f.id, m_id));
  if (!m_active || f.id > m_id) {
    reset();
    m_active = true;
    m_id = f.id;
    m_started = now;
    m_slots.resize(m_limits.max_fragments + 1);
  }
  const std::size_t n = f.number;
  if (m_last != 0 && n > m_last)
    return malformed(fmt::format("fragment {} after the last fragment {}", n, m_last));
  if (f.last()) {
    if (m_last != 0 && m_last != n)
      return malformed(fmt::format("fragment {} claims to be last, but {} was", n, m_last));
    for (std::size_t i = n + 1; i < m_slots.size(); ++i)
      if (!m_slots[i].empty()) return malformed(fmt::format("fragment {} claims to be last, but {} arrived", n, i));
    m_last = n;
  }
  if (!m_slots[n].empty()) return std::optional<Bytes>{};  // a retransmitted duplicate
  if (m_bytes + f.data.size() > m_limits.max_bytes) {
    const std::size_t had = m_bytes;
    reset();
    return malformed(fmt::format("fragments of message {} exceed {} bytes ({} + {})", f.id, m_limits.max_bytes, had,
                                 f.data.size()));
  }
  m_slots[n] = f.data;
  m_bytes += f.data.size();
  ++m_count;
  if (m_last == 0 || m_count != m_last) return std::optional<Bytes>{};
  Bytes whole;
  whole.reserve(m_bytes);
  for (std::size_t i = 1; i <= m_last; ++i) whole.insert(whole.end(), m_slots[i].begin(), m_slots[i].end());
  reset();
  return std::optional<Bytes>{std::move(whole)};
}

}  // namespace ipseckit::wire::isakmp
