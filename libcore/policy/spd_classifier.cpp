#include "policy/spd_classifier.h"

#include <bit>
#include <algorithm>
#include <cstring>

#include "policy/spd_compile.h"
#include "policy/spd_tuple_space.h"

namespace ipseckit::policy {
namespace {

using spd_detail::u128;

std::uint32_t key4(const wire::IpAddr& a) {
  const auto& b = a.bytes();
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

u128 key6(const wire::IpAddr& a) {
  if constexpr (std::endian::native == std::endian::little) {
    std::uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, a.bytes().data(), 8);
    std::memcpy(&lo, a.bytes().data() + 8, 8);
    return (static_cast<u128>(__builtin_bswap64(hi)) << 64) | __builtin_bswap64(lo);
  }
  u128 k = 0;
  for (auto b : a.bytes()) k = (k << 8) | b;
  return k;
}

template <class K>
spd_detail::Query<K> query(const wire::FiveTuple& t, K (*key)(const wire::IpAddr&)) {
  return spd_detail::Query<K>{key(t.src), key(t.dst), t.protocol, t.src_port, t.dst_port};
}

bool family_ok(const SpdFilter& f) { return f.src.is_v6() == f.dst.is_v6(); }

// Builder records; a prefix with bits set past its length can never match (IpPrefix::contains
// compares the masked packet address with it), so such filters are left out.
template <class K>
bool make_rec(const SpdFilter& f, std::uint32_t index, K (*key)(const wire::IpAddr&), spd_detail::Rec<K>& r) {
  const unsigned width = spd_detail::kKeyBits<K>;
  r.src_len = static_cast<std::uint8_t>(std::min<unsigned>(f.src.prefix.len, width));
  r.dst_len = static_cast<std::uint8_t>(std::min<unsigned>(f.dst.prefix.len, width));
  r.src = key(f.src.prefix.addr);
  r.dst = key(f.dst.prefix.addr);
  if ((r.src & spd_detail::prefix_mask<K>(r.src_len)) != r.src) return false;
  if ((r.dst & spd_detail::prefix_mask<K>(r.dst_len)) != r.dst) return false;
  r.proto = f.protocol;
  r.sport = f.src_port;
  r.dport = f.dst_port;
  r.index = index;
  return true;
}

}  // namespace

bool spd_matches(const SpdFilter& f, const wire::FiveTuple& t) {
  if (!family_ok(f) || t.src.is_v6() != f.src.is_v6() || t.dst.is_v6() != f.dst.is_v6()) return false;
  if (f.protocol != 0 && f.protocol != t.protocol) return false;
  if (f.src_port != 0 && f.src_port != t.src_port) return false;
  if (f.dst_port != 0 && f.dst_port != t.dst_port) return false;
  return f.src.prefix.contains(t.src) && f.dst.prefix.contains(t.dst);
}

std::uint32_t lookup_linear(std::span<const SpdFilter> filters, const wire::FiveTuple& t) {
  for (std::size_t i = 0; i < filters.size(); ++i)
    if (spd_matches(filters[i], t)) return static_cast<std::uint32_t>(i);
  return kSpdNone;
}

struct Classifier::Impl {
  std::size_t size = 0;
  spd_detail::TupleSpace<std::uint32_t> v4;
  spd_detail::TupleSpace<u128> v6;
};

Classifier::Classifier() : m_impl(std::make_unique<Impl>()) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

Classifier::Classifier(std::span<const SpdFilter> filters) : m_impl(std::make_unique<Impl>()) {
  m_impl->size = filters.size();
  std::vector<spd_detail::Rec<std::uint32_t>> r4;
  std::vector<spd_detail::Rec<u128>> r6;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const SpdFilter& f = filters[i];
    if (!family_ok(f)) continue;
    const auto idx = static_cast<std::uint32_t>(i);
    if (f.is_v6()) {
      spd_detail::Rec<u128> r{};
      if (make_rec<u128>(f, idx, key6, r)) r6.push_back(r);
    } else {
      spd_detail::Rec<std::uint32_t> r{};
      if (make_rec<std::uint32_t>(f, idx, key4, r)) r4.push_back(r);
    }
  }
  m_impl->v4.build(std::move(r4));
  m_impl->v6.build(std::move(r6));
}

std::uint32_t Classifier::lookup(const wire::FiveTuple& t) const {
  if (!m_impl || t.src.is_v6() != t.dst.is_v6()) return npos;
  if (t.src.is_v4()) return m_impl->v4.lookup(query(t, key4));
  return m_impl->v6.lookup(query(t, key6));
}

void Classifier::lookup_batch(std::span<const wire::FiveTuple> in, std::span<std::uint32_t> out) const {
  constexpr std::size_t G = spd_detail::TupleSpace<std::uint32_t>::kGroup;
  static_assert(G == spd_detail::TupleSpace<u128>::kGroup);
  const std::size_t n = std::min(in.size(), out.size());
  if (!m_impl) {
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), npos);
    return;
  }
  spd_detail::Query<std::uint32_t> q4[G];
  spd_detail::Query<u128> q6[G];
  std::uint32_t r4[G], r6[G];
  std::size_t at4[G], at6[G];
  for (std::size_t base = 0; base < n; base += G) {
    const std::size_t end = std::min(n, base + G);
    std::size_t n4 = 0, n6 = 0;
    for (std::size_t i = base; i < end; ++i) {
      const wire::FiveTuple& t = in[i];
      if (t.src.is_v6() != t.dst.is_v6()) {
        out[i] = npos;
      } else if (t.src.is_v4()) {
        at4[n4] = i;
        q4[n4++] = query(t, key4);
      } else {
        at6[n6] = i;
        q6[n6++] = query(t, key6);
      }
    }
    if (n4) m_impl->v4.lookup_group(q4, n4, r4);
    if (n6) m_impl->v6.lookup_group(q6, n6, r6);
    for (std::size_t k = 0; k < n4; ++k) out[at4[k]] = r4[k];
    for (std::size_t k = 0; k < n6; ++k) out[at6[k]] = r6[k];
  }
}

std::size_t Classifier::size() const { return m_impl ? m_impl->size : 0; }
std::size_t Classifier::tuple_count() const { return m_impl ? m_impl->v4.tuple_count() + m_impl->v6.tuple_count() : 0; }
std::size_t Classifier::memory_bytes() const {
  return m_impl ? sizeof(Impl) + m_impl->v4.memory_bytes() + m_impl->v6.memory_bytes() : 0;
}

SpdMatcher::SpdMatcher(CompiledSpd spd) : m_spd(std::move(spd)), m_classifier(m_spd.specific) {}

const SpdFilter* SpdMatcher::lookup(const wire::FiveTuple& t) const {
  const std::uint32_t i = m_classifier.lookup(t);
  return i == Classifier::npos ? nullptr : &m_spd.specific[i];
}

void SpdMatcher::set_addresses(std::vector<wire::IpAddr> addresses) {
  specialize_spd(m_spd, std::move(addresses));
  m_classifier = Classifier(m_spd.specific);
}

}  // namespace ipseckit::policy
