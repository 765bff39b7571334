// Internal building blocks of the SPD classifier (spd_tuple_space.h): address keys and
// hashing, interned tuple bitmaps, blocked Bloom filters, and the per-field index that tells
// which prefix lengths can match an address. All of them are small enough to stay in cache.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipseckit::policy::spd_detail {

__extension__ typedef unsigned __int128 u128;

template <class K>
inline constexpr unsigned kKeyBits = sizeof(K) * 8;

// The mask of a len-bit prefix (len is clamped to the key width).
template <class K>
K prefix_mask(unsigned len) {
  if (len == 0) return K{0};
  if (len >= kKeyBits<K>) return static_cast<K>(~K{0});
  return static_cast<K>(static_cast<K>(~K{0}) << (kKeyBits<K> - len));
}

inline unsigned log2_ceil(std::size_t n) {
  unsigned b = 0;
  while ((std::size_t{1} << b) < n) ++b;
  return b;
}

// Two multiply-xorshift rounds: every output bit depends on every input bit (a single
// product would leave the low output bits blind to the high input bits).
inline std::uint64_t mix64(std::uint64_t x) {
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ull;
  return x ^ (x >> 29);
}

inline std::uint64_t fold(std::uint32_t k) { return k; }
inline std::uint64_t fold(u128 k) {
  return (static_cast<std::uint64_t>(k) * 0xC2B2AE3D27D4EB4Full) ^ static_cast<std::uint64_t>(k >> 64);
}

// The hash of a tuple key (masked addresses and ports) and of a field prefix.
inline std::uint64_t key_hash(std::uint32_t s, std::uint32_t d, std::uint32_t ports) {
  return mix64(((std::uint64_t{s} << 32) | d) ^ (std::uint64_t{ports} * 0xD6E8FEB86659FD93ull));
}
inline std::uint64_t key_hash(u128 s, u128 d, std::uint32_t ports) {
  return mix64(fold(s) ^ mix64(fold(d) ^ (std::uint64_t{ports} * 0xD6E8FEB86659FD93ull)));
}
template <class K>
std::uint64_t prefix_hash(K masked, unsigned len) {
  return mix64(fold(masked) ^ (std::uint64_t{len} << 56));
}

// Blocked Bloom filter geometry: one 64-bit word per key, chosen by hash bits 18.., with
// three bits set chosen by hash bits 0..17. No false negatives; with ~12 bits per key about
// 2% false positives.
struct Bloom {
  std::uint32_t offset = 0;  // first word in the owner's word array
  std::uint32_t mask = 0;    // words - 1 (a power of two)

  static std::size_t words_for(std::size_t keys, unsigned bits_per_key) {
    return std::size_t{1} << log2_ceil(std::max<std::size_t>(1, (keys * bits_per_key + 63) / 64));
  }
  static std::uint64_t bits(std::uint64_t h) {
    return (std::uint64_t{1} << (h & 63)) | (std::uint64_t{1} << ((h >> 6) & 63)) | (std::uint64_t{1} << ((h >> 12) & 63));
  }
  std::size_t word(std::uint64_t h) const { return offset + static_cast<std::size_t>((h >> 18) & mask); }
  void add(std::vector<std::uint64_t>& words, std::uint64_t h) const { words[word(h)] |= bits(h); }
  bool maybe(const std::uint64_t* words, std::uint64_t h) const {
    const std::uint64_t b = bits(h);
    return (words[word(h)] & b) == b;
  }
};

// Fixed-width bitmaps (one bit per tuple), interned so equal sets share one copy. Id 0 is
// the empty set.
class BitmapPool {
 public:
  explicit BitmapPool(std::size_t words = 1) : m_words(words ? words : 1) {
    const std::vector<std::uint64_t> zero(m_words, 0);
    (void)intern(zero.data());
  }
  std::size_t words() const { return m_words; }
  std::uint32_t intern(const std::uint64_t* w) {
    std::string key(m_words * sizeof(std::uint64_t), '\0');
    std::memcpy(key.data(), w, key.size());
    auto [it, fresh] = m_index.emplace(std::move(key), static_cast<std::uint32_t>(m_index.size()));
    if (fresh) m_bits.insert(m_bits.end(), w, w + m_words);
    return it->second;
  }
  const std::uint64_t* get(std::uint32_t id) const { return m_bits.data() + std::size_t{id} * m_words; }
  // Drops the interning index once building is done; get() keeps working.
  void freeze() { std::unordered_map<std::string, std::uint32_t>().swap(m_index); }
  std::size_t memory_bytes() const { return m_bits.capacity() * sizeof(std::uint64_t); }

 private:
  std::size_t m_words;
  std::vector<std::uint64_t> m_bits;
  std::unordered_map<std::string, std::uint32_t> m_index;
};

// For one address field (source or destination) of a tuple space: for each prefix length in
// use, which tuples use it and whether an address's prefix of that length occurs at all —
// exactly for lengths up to 16 (a bitset over the top bits), by a Bloom filter above; /0
// matches everything. tuples(key) ORs the tuple bitmaps of the lengths that can match.
template <class K>
class PrefixLengthIndex {
 public:
  struct Prefix {
    K addr;  // masked
    std::uint8_t len;
    std::uint32_t tuple;
  };

  // bitmap_words: the width of the tuple bitmaps.
  void build(std::vector<Prefix> prefixes, std::size_t bitmap_words) {
    std::sort(prefixes.begin(), prefixes.end(), [](const Prefix& a, const Prefix& b) {
      return a.len != b.len ? a.len > b.len : a.addr < b.addr;  // longest first
    });
    m_levels.clear();
    m_words.clear();
    m_level_bits.clear();
    m_always.assign(bitmap_words, 0);
    std::vector<std::uint64_t> tuples(bitmap_words);
    for (std::size_t i = 0; i < prefixes.size();) {
      std::size_t j = i;
      std::size_t distinct = 0;
      std::fill(tuples.begin(), tuples.end(), 0);
      for (; j < prefixes.size() && prefixes[j].len == prefixes[i].len; ++j) {
        tuples[prefixes[j].tuple / 64] |= std::uint64_t{1} << (prefixes[j].tuple % 64);
        if (j == i || prefixes[j].addr != prefixes[j - 1].addr) ++distinct;
      }
      if (prefixes[i].len == 0) {  // sorted longest first: the last group
        m_always = tuples;
        break;
      }
      Level lv;
      lv.len = prefixes[i].len;
      lv.mask = prefix_mask<K>(lv.len);
      m_level_bits.insert(m_level_bits.end(), tuples.begin(), tuples.end());
      lv.kind = lv.len <= kDirectBits ? Kind::direct : Kind::bloom;
      lv.bloom.offset = static_cast<std::uint32_t>(m_words.size());
      const std::size_t words = lv.kind == Kind::direct ? ((std::size_t{1} << lv.len) + 63) / 64
                                                        : Bloom::words_for(distinct, kBloomBitsPerKey);
      lv.bloom.mask = static_cast<std::uint32_t>(words - 1);
      m_words.resize(m_words.size() + words, 0);
      for (std::size_t k = i; k < j; ++k) {
        if (lv.kind == Kind::direct) {
          const std::size_t bit = static_cast<std::size_t>(prefixes[k].addr >> (kKeyBits<K> - lv.len));
          m_words[lv.bloom.offset + bit / 64] |= std::uint64_t{1} << (bit % 64);
        } else if (lv.kind == Kind::bloom) {
          lv.bloom.add(m_words, prefix_hash(prefixes[k].addr, lv.len));
        }
      }
      m_levels.push_back(lv);
      i = j;
    }
  }

  // out[0, words) = the tuples of every length whose prefix of key may occur. W: the bitmap
  // width when known at compile time (0: runtime_words).
  template <std::size_t W>
  void tuples(K key, std::uint64_t* out, std::size_t runtime_words) const {
    const std::size_t words = W ? W : runtime_words;
    std::copy(m_always.begin(), m_always.begin() + static_cast<std::ptrdiff_t>(words), out);
    const std::uint64_t* bits = m_level_bits.data();
    for (const Level& lv : m_levels) {
      if (matches(lv, key))
        for (std::size_t w = 0; w < words; ++w) out[w] |= bits[w];
      bits += words;
    }
  }

  // For very wide bitmaps: the levels whose prefix of key may occur (levels holds
  // lengths() entries); returns how many. level_bits(i) gives a level's tuples.
  std::size_t matching(K key, std::uint32_t* levels) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < m_levels.size(); ++i)
      if (matches(m_levels[i], key)) levels[n++] = static_cast<std::uint32_t>(i);
    return n;
  }
  const std::uint64_t* level_bits(std::uint32_t level, std::size_t words) const {
    return m_level_bits.data() + std::size_t{level} * words;
  }
  // Tuples whose prefix on this field is /0: they match every address.
  const std::uint64_t* always() const { return m_always.data(); }

  std::size_t lengths() const { return m_levels.size(); }
  std::size_t memory_bytes() const {
    return m_levels.capacity() * sizeof(Level) +
           (m_words.capacity() + m_level_bits.capacity() + m_always.capacity()) * sizeof(std::uint64_t);
  }

 private:
  static constexpr unsigned kDirectBits = 16;       // bitset of 2^len bits: at most 8 KiB
  static constexpr unsigned kBloomBitsPerKey = 10;
  enum class Kind : std::uint8_t { direct, bloom };
  struct Level {
    K mask;
    std::uint8_t len;
    Kind kind;
    Bloom bloom;  // direct: offset of the bitset in m_words; bloom: the filter
  };
  bool matches(const Level& lv, K key) const {
    if (lv.kind == Kind::direct) {
      const std::size_t bit = static_cast<std::size_t>(key >> (kKeyBits<K> - lv.len));
      return (m_words[lv.bloom.offset + bit / 64] >> (bit % 64)) & 1;
    }
    return lv.bloom.maybe(m_words.data(), prefix_hash(static_cast<K>(key & lv.mask), lv.len));
  }

  std::vector<Level> m_levels;
  std::vector<std::uint64_t> m_words;       // bitsets and Bloom filters
  std::vector<std::uint64_t> m_level_bits;  // each level's tuple bitmap, in level order
  std::vector<std::uint64_t> m_always;      // tuples with a /0 prefix on this field
};

}  // namespace ipseckit::policy::spd_detail
