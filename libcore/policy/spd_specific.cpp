// Specific filters: generic filters expanded for this host's addresses (Windows' spd
// txspecific.c ApplyTxTransform / tnspecific.c ApplyTnTransform / mmspecific.c), then sorted
// by weight, descending, keeping the generic order on equal weights.
#include <algorithm>
#include <numeric>

#include "policy/spd_compile.h"

namespace ipseckit::policy {
namespace {

bool is_multicast(const wire::IpAddr& a) {
  if (a.is_v4()) return (a.v4_value() & 0xF0000000u) == 0xE0000000u;  // IN_CLASSD
  return a.bytes()[0] == 0xFF;                                        // ff00::/8
}

class LocalAddresses {
 public:
  explicit LocalAddresses(const std::vector<wire::IpAddr>& all) {
    for (const auto& a : all) (a.is_v6() ? m_v6 : m_v4).push_back(a);
  }
  const std::vector<wire::IpAddr>& of(bool v6) const { return v6 ? m_v6 : m_v4; }
  bool is_local(const wire::IpAddr& a) const {
    const auto& v = of(a.is_v6());
    return std::find(v.begin(), v.end(), a) != v.end();
  }
  bool any_in(const wire::IpPrefix& p) const {
    for (const auto& a : of(p.addr.is_v6()))
      if (p.contains(a)) return true;
    return false;
  }

  // SeparateUniqueAddresses / SeparateSubNetAddresses: which side lists an address is in.
  bool is_me(const SpdAddr& a) const {
    if (a.me) return true;
    if (is_multicast(a.prefix.addr)) return true;
    if (a.prefix.is_host()) return is_local(a.prefix.addr);
    return any_in(a.prefix);
  }
  bool not_me(const SpdAddr& a) const {
    if (a.me) return false;
    if (a.prefix.is_host()) return is_multicast(a.prefix.addr) || !is_local(a.prefix.addr);
    return true;
  }

  // FormAddressList: "me" becomes each local address of its family.
  void expand(const SpdAddr& a, std::vector<SpdAddr>& out) const {
    out.clear();
    if (!a.me) {
      out.push_back(a);
      return;
    }
    for (const auto& l : of(a.is_v6())) out.push_back(SpdAddr::local(l));
  }

 private:
  std::vector<wire::IpAddr> m_v4, m_v6;
};

template <class F>
void emit_transport(const LocalAddresses& local, const std::vector<SpdAddr>& srcs, const std::vector<SpdAddr>& dsts,
                    F&& emit) {
  for (const auto& s : srcs)
    if (local.is_me(s))
      for (const auto& d : dsts)
        if (local.not_me(d)) emit(s, d, SpdDirection::outbound);
  for (const auto& s : srcs)
    if (local.not_me(s))
      for (const auto& d : dsts)
        if (local.is_me(d)) emit(s, d, SpdDirection::inbound);
}

void expand_qm(const std::vector<SpdFilter>& generic, const LocalAddresses& local, std::vector<SpdFilter>& out) {
  std::vector<SpdAddr> srcs, dsts, tunnels;
  for (std::size_t gi = 0; gi < generic.size(); ++gi) {
    const SpdFilter& g = generic[gi];
    if (local.of(g.is_v6()).empty()) continue;
    local.expand(g.src, srcs);
    local.expand(g.dst, dsts);
    auto emit = [&](const SpdAddr& s, const SpdAddr& d, SpdDirection dir, const std::optional<SpdAddr>& tunnel) {
      SpdFilter f = g;
      f.generic = static_cast<std::uint32_t>(gi);
      f.src = s;
      f.dst = d;
      f.direction = dir;
      f.tunnel = tunnel;
      out.push_back(std::move(f));
    };
    if (g.tunnel) {
      if (g.tunnel->me) {
        tunnels.clear();
        for (const auto& l : local.of(g.tunnel->is_v6())) tunnels.push_back(SpdAddr::of(wire::IpPrefix::host(l)));
      } else {
        tunnels.assign(1, *g.tunnel);
      }
      for (const auto& t : tunnels) {
        const bool here = t.prefix.is_host() && local.is_local(t.prefix.addr);
        for (const auto& s : srcs)
          for (const auto& d : dsts) emit(s, d, here ? SpdDirection::inbound : SpdDirection::outbound, t);
      }
    } else {
      emit_transport(local, srcs, dsts,
                     [&](const SpdAddr& s, const SpdAddr& d, SpdDirection dir) { emit(s, d, dir, std::nullopt); });
    }
  }
}

void expand_mm(const std::vector<SpdMmFilter>& generic, const LocalAddresses& local, std::vector<SpdMmFilter>& out) {
  std::vector<SpdAddr> srcs, dsts;
  for (std::size_t gi = 0; gi < generic.size(); ++gi) {
    const SpdMmFilter& g = generic[gi];
    if (local.of(g.src.is_v6()).empty()) continue;
    local.expand(g.src, srcs);
    local.expand(g.dst, dsts);
    emit_transport(local, srcs, dsts, [&](const SpdAddr& s, const SpdAddr& d, SpdDirection dir) {
      SpdMmFilter m = g;
      m.generic = static_cast<std::uint32_t>(gi);
      m.src = s;
      m.dst = d;
      m.direction = dir;
      out.push_back(std::move(m));
    });
  }
}

// Stable sort by weight, descending, through an index permutation (the filters are large).
template <class T>
void sort_by_weight(std::vector<T>& v) {
  std::vector<std::uint32_t> order(v.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return v[a].weight > v[b].weight; });
  std::vector<T> sorted;
  sorted.reserve(v.size());
  for (auto i : order) sorted.push_back(std::move(v[i]));
  v = std::move(sorted);
}

}  // namespace

void specialize_spd(CompiledSpd& spd, std::vector<wire::IpAddr> addresses) {
  spd.addresses = std::move(addresses);
  spd.specific.clear();
  spd.mm_specific.clear();
  const LocalAddresses local(spd.addresses);
  expand_qm(spd.filters, local, spd.specific);
  expand_mm(spd.mm_filters, local, spd.mm_specific);
  sort_by_weight(spd.specific);
  sort_by_weight(spd.mm_specific);
}

}  // namespace ipseckit::policy
