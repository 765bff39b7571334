// Internal: the per-family tuple space of the SPD classifier (design in spd_classifier.h).
// K is the address key: std::uint32_t for IPv4, u128 for IPv6.
#pragma once

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "policy/spd_prefix_index.h"
#include "policy/spd_types.h"

namespace ipseckit::policy::spd_detail {

// One filter reduced to what matching needs (addresses masked).
template <class K>
struct Rec {
  K src, dst;
  std::uint8_t src_len, dst_len, proto;
  std::uint16_t sport, dport;
  std::uint32_t index;
};

// One packet's fields as a tuple space sees them.
template <class K>
struct Query {
  K src, dst;
  std::uint8_t proto;
  std::uint16_t sport, dport;
};

// Exact port value -> bitmap id; other values (and 0) -> the "wildcard only" bitmap. A
// presence bitmap over all 65536 ports answers most lookups without touching the table.
class PortTable {
 public:
  void build(const std::vector<std::pair<std::uint16_t, std::uint32_t>>& entries, std::uint32_t wild) {
    m_wild = wild;
    std::size_t cap = 2;
    while (cap < entries.size() * 2) cap *= 2;
    m_mask = static_cast<std::uint32_t>(cap - 1);
    m_keys.assign(entries.empty() ? 0 : cap, kEmpty);
    m_ids.assign(m_keys.size(), 0);
    m_present.assign(entries.empty() ? 0 : 65536 / 64, 0);
    for (const auto& [port, id] : entries) {
      m_present[port / 64] |= std::uint64_t{1} << (port % 64);
      std::uint32_t s = slot(port);
      while (m_keys[s] != kEmpty) s = (s + 1) & m_mask;
      m_keys[s] = port;
      m_ids[s] = id;
    }
  }
  std::uint32_t find(std::uint16_t port) const {
    if (m_present.empty() || !((m_present[port / 64] >> (port % 64)) & 1)) return m_wild;
    for (std::uint32_t s = slot(port);; s = (s + 1) & m_mask)
      if (m_keys[s] == port) return m_ids[s];
  }
  std::size_t memory_bytes() const {
    return (m_keys.capacity() + m_ids.capacity()) * sizeof(std::uint32_t) + m_present.capacity() * sizeof(std::uint64_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  std::uint32_t slot(std::uint16_t port) const { return (std::uint32_t{port} * 0x9E3779B1u >> 16) & m_mask; }
  std::vector<std::uint32_t> m_keys, m_ids;
  std::vector<std::uint64_t> m_present;
  std::uint32_t m_mask = 0;
  std::uint32_t m_wild = 0;
};

template <class K>
class TupleSpace {
 public:
  static constexpr std::uint32_t npos = kSpdNone;
  // Packets per group in lookup_group(): enough independent hash-slot loads in flight to
  // hide memory latency.
  static constexpr std::size_t kGroup = 16;

  void build(std::vector<Rec<K>> recs);  // recs in ascending index order
  std::uint32_t lookup(const Query<K>& q) const;
  // Same results as lookup() for n <= kGroup packets: the first hash slot each packet needs
  // is prefetched for all of them before any is read.
  void lookup_group(const Query<K>* q, std::size_t n, std::uint32_t* out) const;
  std::size_t tuple_count() const { return m_tuples.size(); }  // 0 for small (scanned) sets
  std::size_t memory_bytes() const;

  // Up to this many filters are kept as a plain list and scanned in order (faster than any
  // index at that size).
  static constexpr std::size_t kLinearMax = 16;

 private:
  struct Tuple {
    K src_mask, dst_mask;
    std::uint32_t min_index;  // smallest filter index in the tuple
    std::uint32_t offset;     // first slot of its hash table in m_entries
    std::uint32_t mask;       // slots - 1
    std::uint8_t shift;       // 64 - log2(slots)
    Bloom bloom;              // its keys, in m_bloom
    bool sport, dport;        // ports part of the key
  };
  struct Entry {
    K src, dst;
    std::uint32_t ports;
    std::uint32_t index;  // npos = empty slot
  };
  // Candidate bitmaps live on the stack up to this many words (4096 tuples); wider tuple
  // spaces are walked word by word (lookup_wide).
  static constexpr std::size_t kMaxStackWords = 64;

  static std::uint32_t ports_key(const Tuple& t, const Query<K>& q) {
    return (t.sport ? std::uint32_t{q.sport} << 16 : 0u) | (t.dport ? q.dport : 0u);
  }
  static std::uint64_t hash(const Tuple& t, const Query<K>& q) {
    return key_hash(static_cast<K>(q.src & t.src_mask), static_cast<K>(q.dst & t.dst_mask), ports_key(t, q));
  }
  // The home slot: the top bits of the hash (the Bloom filter uses the low ones).
  std::size_t slot(const Tuple& t, std::uint64_t h) const { return t.offset + static_cast<std::size_t>(h >> t.shift); }

  // Tuples whose protocol, ports and prefix lengths can match. W: the bitmap width when
  // known at compile time (1, 2, 4 or 8 words), 0 for m_stride words (at most kMaxStackWords).
  template <std::size_t W>
  void candidates(const Query<K>& q, std::uint64_t* out) const;
  template <std::size_t W>
  std::uint32_t lookup_w(const Query<K>& q) const;
  template <std::size_t W>
  void lookup_group_w(const Query<K>* q, std::size_t n, std::uint32_t* out) const;
  // A walk over candidate tuples in tuple (= smallest index) order; cand[0] bit 0 is tuple
  // `base`.
  struct Walk {
    const std::uint64_t* cand;
    std::size_t words;
    std::size_t base;
    std::size_t w;
    std::uint64_t cur;  // bits of cand[w] not visited yet
  };
  static Walk walk(const std::uint64_t* cand, std::size_t words, std::size_t base) {
    return Walk{cand, words, base, 0, words ? cand[0] : 0};
  }
  // The next candidate whose Bloom filter may hold the key (h: its key hash); npos when the
  // candidates run out or reach a tuple that cannot beat `best`.
  std::uint32_t next_positive(const Query<K>& q, Walk& walk, std::uint32_t best, std::uint64_t& h) const;
  std::uint32_t probe(const Tuple& t, const Query<K>& q, std::uint64_t h) const;
  // Probes tuple t (from next_positive), then walks on.
  std::uint32_t finish(const Query<K>& q, Walk& walk, std::uint32_t t, std::uint64_t h, std::uint32_t best) const;
  std::uint32_t lookup_wide(const Query<K>& q) const;

  struct Small {
    K src, src_mask, dst, dst_mask;
    std::uint8_t proto;
    std::uint16_t sport, dport;
    std::uint32_t index;
  };
  std::uint32_t lookup_small(const Query<K>& q) const {
    for (const Small& f : m_small)
      if ((q.src & f.src_mask) == f.src && (q.dst & f.dst_mask) == f.dst && (f.proto == 0 || f.proto == q.proto) &&
          (f.sport == 0 || f.sport == q.sport) && (f.dport == 0 || f.dport == q.dport))
        return f.index;
    return npos;
  }

  std::vector<Small> m_small;  // small sets: the filters themselves, in index order
  std::vector<Tuple> m_tuples;
  std::vector<Entry> m_entries;
  std::vector<std::uint64_t> m_bloom;
  std::size_t m_stride = 1;  // words per tuple bitmap: 1, 2, 4, 8, or exact above 8
  BitmapPool m_bitmaps;
  PrefixLengthIndex<K> m_src, m_dst;
  std::uint32_t m_proto[256] = {};
  PortTable m_sport, m_dport;
};

template <class K>
void TupleSpace<K>::build(std::vector<Rec<K>> recs) {
  m_small.clear();
  m_tuples.clear();
  m_entries.clear();
  m_bloom.clear();
  if (recs.empty()) return;
  if (recs.size() <= kLinearMax) {
    for (const auto& r : recs)
      m_small.push_back(Small{r.src, prefix_mask<K>(r.src_len), r.dst, prefix_mask<K>(r.dst_len), r.proto, r.sport, r.dport, r.index});
    return;
  }
  // Group by shape; tuples are numbered by their smallest index (recs are in index order).
  using Shape = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t, bool, bool>;
  auto shape = [](const Rec<K>& r) { return Shape{r.src_len, r.dst_len, r.proto, r.sport != 0, r.dport != 0}; };
  std::vector<Shape> distinct;
  for (const auto& r : recs) distinct.push_back(shape(r));
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<std::uint32_t> tuple_of_shape(distinct.size(), npos), tuple_of(recs.size()), members;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const auto si = static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), shape(r)) - distinct.begin());
    if (tuple_of_shape[si] == npos) {
      tuple_of_shape[si] = static_cast<std::uint32_t>(m_tuples.size());
      m_tuples.push_back(Tuple{prefix_mask<K>(r.src_len), prefix_mask<K>(r.dst_len), r.index, 0, 0, 0, {}, r.sport != 0, r.dport != 0});
      members.push_back(0);
    }
    tuple_of[i] = tuple_of_shape[si];
    ++members[tuple_of[i]];
  }
  // Hash tables (load <= 1/2) and Bloom filters (12 bits per key).
  std::uint32_t slots = 0, words = 0;
  for (std::size_t t = 0; t < m_tuples.size(); ++t) {
    const unsigned bits = log2_ceil(std::size_t{members[t]} * 2);
    const std::uint32_t n = std::uint32_t{1} << bits;
    m_tuples[t].offset = slots;
    m_tuples[t].mask = n - 1;
    m_tuples[t].shift = static_cast<std::uint8_t>(64 - bits);
    slots += n;
    const auto bw = static_cast<std::uint32_t>(Bloom::words_for(members[t], 12));
    m_tuples[t].bloom = Bloom{words, bw - 1};
    words += bw;
  }
  m_entries.assign(slots, Entry{K{0}, K{0}, 0, npos});
  m_bloom.assign(words, 0);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    const Tuple& t = m_tuples[tuple_of[i]];
    const Query<K> q{r.src, r.dst, r.proto, r.sport, r.dport};
    const std::uint64_t h = hash(t, q);
    t.bloom.add(m_bloom, h);
    for (std::size_t s = slot(t, h);; s = t.offset + ((s - t.offset + 1) & t.mask)) {
      Entry& e = m_entries[s];
      if (e.index == npos) {
        e = Entry{r.src, r.dst, ports_key(t, q), r.index};
        break;
      }
      if (e.src == r.src && e.dst == r.dst && e.ports == ports_key(t, q)) break;  // first (smallest) index wins
    }
  }
  // Pruning bitmaps: prefix lengths per address field, exact protocol, exact ports.
  const std::size_t exact = (m_tuples.size() + 63) / 64;
  m_stride = exact <= 1 ? 1 : exact <= 2 ? 2 : exact <= 4 ? 4 : exact <= 8 ? 8 : exact;
  const std::size_t bw = m_stride;
  m_bitmaps = BitmapPool(bw);
  std::vector<typename PrefixLengthIndex<K>::Prefix> src, dst;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    src.push_back({recs[i].src, recs[i].src_len, tuple_of[i]});
    dst.push_back({recs[i].dst, recs[i].dst_len, tuple_of[i]});
  }
  m_src.build(std::move(src), bw);
  m_dst.build(std::move(dst), bw);
  auto set_bit = [](std::vector<std::uint64_t>& v, std::uint32_t t) { v[t / 64] |= std::uint64_t{1} << (t % 64); };
  std::vector<std::vector<std::uint64_t>> by_proto(256, std::vector<std::uint64_t>(bw, 0));
  for (std::size_t i = 0; i < recs.size(); ++i) set_bit(by_proto[recs[i].proto], tuple_of[i]);
  std::vector<std::uint64_t> scratch(bw);
  for (std::size_t p = 0; p < 256; ++p) {
    for (std::size_t w = 0; w < bw; ++w) scratch[w] = by_proto[0][w] | by_proto[p][w];
    m_proto[p] = m_bitmaps.intern(scratch.data());
  }
  auto build_ports = [&](PortTable& table, bool is_src) {
    std::vector<std::uint64_t> wild(bw, 0);
    std::vector<std::pair<std::uint16_t, std::uint32_t>> items, entries;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const std::uint16_t port = is_src ? recs[i].sport : recs[i].dport;
      if (port == 0) set_bit(wild, tuple_of[i]);
      else items.emplace_back(port, tuple_of[i]);
    }
    std::sort(items.begin(), items.end());
    for (std::size_t i = 0; i < items.size();) {
      scratch = wild;
      std::size_t j = i;
      for (; j < items.size() && items[j].first == items[i].first; ++j) set_bit(scratch, items[j].second);
      entries.emplace_back(items[i].first, m_bitmaps.intern(scratch.data()));
      i = j;
    }
    table.build(entries, m_bitmaps.intern(wild.data()));
  };
  build_ports(m_sport, true);
  build_ports(m_dport, false);
  m_bitmaps.freeze();
}

template <class K>
template <std::size_t W>
void TupleSpace<K>::candidates(const Query<K>& q, std::uint64_t* out) const {
  const std::size_t words = W ? W : m_stride;
  const std::uint64_t* p = m_bitmaps.get(m_proto[q.proto]);
  const std::uint64_t* sp = m_bitmaps.get(m_sport.find(q.sport));
  const std::uint64_t* dp = m_bitmaps.get(m_dport.find(q.dport));
  std::uint64_t src[W ? W : kMaxStackWords], dst[W ? W : kMaxStackWords];
  m_src.template tuples<W>(q.src, src, words);
  m_dst.template tuples<W>(q.dst, dst, words);
  for (std::size_t w = 0; w < words; ++w) out[w] = p[w] & sp[w] & dp[w] & src[w] & dst[w];
}

template <class K>
std::uint32_t TupleSpace<K>::next_positive(const Query<K>& q, Walk& walk, std::uint32_t best, std::uint64_t& h) const {
  for (;;) {
    while (walk.cur == 0) {
      if (++walk.w >= walk.words) return npos;
      walk.cur = walk.cand[walk.w];
    }
    const auto t = static_cast<std::uint32_t>(walk.base + walk.w * 64 + static_cast<unsigned>(__builtin_ctzll(walk.cur)));
    walk.cur &= walk.cur - 1;
    const Tuple& tu = m_tuples[t];
    if (tu.min_index >= best) {  // tuples are in min_index order: none later can do better
      walk.cur = 0;
      walk.w = walk.words;
      return npos;
    }
    h = hash(tu, q);
    if (tu.bloom.maybe(m_bloom.data(), h)) return t;
  }
}

template <class K>
std::uint32_t TupleSpace<K>::probe(const Tuple& t, const Query<K>& q, std::uint64_t h) const {
  const K ks = q.src & t.src_mask, kd = q.dst & t.dst_mask;
  const std::uint32_t kp = ports_key(t, q);
  for (std::size_t s = slot(t, h);; s = t.offset + ((s - t.offset + 1) & t.mask)) {
    const Entry& e = m_entries[s];
    if (e.index == npos) return npos;
    if (e.src == ks && e.dst == kd && e.ports == kp) return e.index;
  }
}

template <class K>
std::uint32_t TupleSpace<K>::finish(const Query<K>& q, Walk& walk, std::uint32_t t, std::uint64_t h,
                                    std::uint32_t best) const {
  while (t != npos) {
    best = std::min(best, probe(m_tuples[t], q, h));
    t = next_positive(q, walk, best, h);
  }
  return best;
}

template <class K>
template <std::size_t W>
std::uint32_t TupleSpace<K>::lookup_w(const Query<K>& q) const {
  std::uint64_t cand[W ? W : kMaxStackWords];
  candidates<W>(q, cand);
  Walk wk = walk(cand, W ? W : m_stride, 0);
  std::uint64_t h = 0;
  const std::uint32_t t = next_positive(q, wk, npos, h);
  return finish(q, wk, t, h, npos);
}

template <class K>
std::uint32_t TupleSpace<K>::lookup(const Query<K>& q) const {
  if (m_tuples.empty()) return lookup_small(q);
  switch (m_stride) {
    case 1: return lookup_w<1>(q);
    case 2: return lookup_w<2>(q);
    case 4: return lookup_w<4>(q);
    case 8: return lookup_w<8>(q);
    default: return m_stride > kMaxStackWords ? lookup_wide(q) : lookup_w<0>(q);
  }
}

template <class K>
template <std::size_t W>
void TupleSpace<K>::lookup_group_w(const Query<K>* q, std::size_t n, std::uint32_t* out) const {
  std::uint64_t cand[kGroup][W ? W : kMaxStackWords];
  Walk wk[kGroup];
  std::uint32_t first[kGroup];
  std::uint64_t h[kGroup];
  for (std::size_t i = 0; i < n; ++i) {
    candidates<W>(q[i], cand[i]);
    wk[i] = walk(cand[i], W ? W : m_stride, 0);
    first[i] = next_positive(q[i], wk[i], npos, h[i]);
    if (first[i] != npos) __builtin_prefetch(&m_entries[slot(m_tuples[first[i]], h[i])]);
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = finish(q[i], wk[i], first[i], h[i], npos);
}

template <class K>
void TupleSpace<K>::lookup_group(const Query<K>* q, std::size_t n, std::uint32_t* out) const {
  if (m_tuples.empty() || m_stride > kMaxStackWords) {
    for (std::size_t i = 0; i < n; ++i) out[i] = lookup(q[i]);
    return;
  }
  switch (m_stride) {
    case 1: return lookup_group_w<1>(q, n, out);
    case 2: return lookup_group_w<2>(q, n, out);
    case 4: return lookup_group_w<4>(q, n, out);
    case 8: return lookup_group_w<8>(q, n, out);
    default: return lookup_group_w<0>(q, n, out);
  }
}

// More tuples than the stack bitmaps hold (over 64 * kMaxStackWords shapes): the same walk,
// one candidate word at a time.
template <class K>
std::uint32_t TupleSpace<K>::lookup_wide(const Query<K>& q) const {
  std::uint32_t src[kKeyBits<K> + 1], dst[kKeyBits<K> + 1];
  const std::size_t nsrc = m_src.matching(q.src, src), ndst = m_dst.matching(q.dst, dst);
  const std::uint64_t* p = m_bitmaps.get(m_proto[q.proto]);
  const std::uint64_t* sp = m_bitmaps.get(m_sport.find(q.sport));
  const std::uint64_t* dp = m_bitmaps.get(m_dport.find(q.dport));
  std::uint32_t best = npos;
  for (std::size_t w = 0; w < m_stride; ++w) {
    if (m_tuples[w * 64].min_index >= best) break;
    std::uint64_t s = m_src.always()[w], d = m_dst.always()[w];
    for (std::size_t i = 0; i < nsrc; ++i) s |= m_src.level_bits(src[i], m_stride)[w];
    for (std::size_t i = 0; i < ndst; ++i) d |= m_dst.level_bits(dst[i], m_stride)[w];
    const std::uint64_t cand = p[w] & sp[w] & dp[w] & s & d;
    Walk wk = walk(&cand, 1, w * 64);
    std::uint64_t h = 0;
    const std::uint32_t t = next_positive(q, wk, best, h);
    best = finish(q, wk, t, h, best);
  }
  return best;
}

template <class K>
std::size_t TupleSpace<K>::memory_bytes() const {
  return m_small.capacity() * sizeof(Small) + m_tuples.capacity() * sizeof(Tuple) + m_entries.capacity() * sizeof(Entry) +
         m_bloom.capacity() * sizeof(std::uint64_t) + m_bitmaps.memory_bytes() + m_src.memory_bytes() +
         m_dst.memory_bytes() + sizeof(m_proto) + m_sport.memory_bytes() + m_dport.memory_bytes();
}

}  // namespace ipseckit::policy::spd_detail
