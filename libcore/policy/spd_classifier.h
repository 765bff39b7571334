// The packet classifier: which specific filter of the SPD applies to a five-tuple.
//
// Semantics (the oracle is lookup_linear): the first filter of the list that matches, i.e.
// the matching filter with the smallest index. For a CompiledSpd's `specific` list, which is
// sorted by weight (spd_compile.h), that is the highest-weight match, ties broken by the
// documented order. A filter matches when its source and destination families equal the
// packet's (a filter or packet mixing IPv4 and IPv6 never matches), both addresses are in its
// prefixes (a prefix with bits set past its length matches nothing), and its protocol and
// ports are 0 (any) or equal to the packet's (a packet without ports carries port 0, so it
// never matches a port-specific filter).
//
// Design (tuple space search with cache-resident pruning and early exit), per family:
//  * filters are grouped into tuples by shape (source and destination prefix lengths, exact
//    protocol or any, source/destination port specific or not); each tuple is an
//    open-addressing hash table from the masked key to the smallest filter index with it,
//    plus a small Bloom filter of its keys;
//  * tuples are numbered by their smallest filter index, so a set bit i means "tuple i";
//  * pruning, all in structures small enough to stay in cache: for each address field, the
//    prefix lengths in use and whether the packet's prefix of each length occurs at all
//    (a bitset over the top bits up to /16, a Bloom filter above), each length with the
//    bitmap of tuples using it; bitmaps of tuples by exact protocol and port; the lookup
//    ANDs them into the candidate tuples;
//  * the candidates are walked in tuple order; each one's Bloom filter is tested before its
//    hash table is probed, so a lookup usually touches one uncached cache line (the slot of
//    the filter that matches); the walk stops at the first tuple whose smallest index is not
//    below the best match so far;
//  * sets of at most 16 filters per family are simply scanned.
// That one cache miss bounds a lookup's latency on large sets; lookup_batch() overlaps the
// misses of a group of packets (prefetching each packet's first hash slot), which is what
// a data plane reading packets in batches should use. Lookups allocate nothing and are
// const, so one Classifier can serve several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "policy/spd_types.h"
#include "wire/ip_address.h"
#include "wire/ip_packet.h"

namespace ipseckit::policy {

bool spd_matches(const SpdFilter& f, const wire::FiveTuple& t);

// First-match scan: the reference the classifier must agree with. Returns kSpdNone on no match.
std::uint32_t lookup_linear(std::span<const SpdFilter> filters, const wire::FiveTuple& t);

class Classifier {
 public:
  static constexpr std::uint32_t npos = kSpdNone;

  Classifier();
  explicit Classifier(std::span<const SpdFilter> filters);
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;
  ~Classifier();

  // Index (into the list the classifier was built from) of the first matching filter, or npos.
  std::uint32_t lookup(const wire::FiveTuple& t) const;
  // out[i] = lookup(in[i]) for i < min(in.size(), out.size()). Faster per packet on large
  // filter sets: packets are taken in groups of 16 and the hash slot each needs first is
  // prefetched for the whole group before any is read, so their cache misses overlap.
  void lookup_batch(std::span<const wire::FiveTuple> in, std::span<std::uint32_t> out) const;

  std::size_t size() const;          // filters it was built from
  std::size_t tuple_count() const;   // distinct shapes (IPv4 + IPv6; 0 for sets small enough to scan)
  std::size_t memory_bytes() const;  // heap owned by the lookup structures

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// A compiled SPD together with its classifier, for the daemons: lookup() returns the
// filter, and set_addresses() re-resolves "me" (specific filters + classifier) in place.
class SpdMatcher {
 public:
  SpdMatcher() = default;
  explicit SpdMatcher(CompiledSpd spd);

  const SpdFilter* lookup(const wire::FiveTuple& t) const;
  void set_addresses(std::vector<wire::IpAddr> addresses);
  const CompiledSpd& spd() const { return m_spd; }
  const Classifier& classifier() const { return m_classifier; }

 private:
  CompiledSpd m_spd;
  Classifier m_classifier;
};

}  // namespace ipseckit::policy
