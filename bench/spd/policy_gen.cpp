#include "policy_gen.h"

#include <fmt/format.h>

#include <random>

namespace spdbench {
namespace {

using namespace ipseckit;
using namespace ipseckit::policy;

const wire::IpAddr kLocal4 = wire::IpAddr::v4(0xC6336E0Au);  // 198.51.110.10
const wire::IpAddr kLocal6 = *wire::IpAddr::parse("2001:db8:ffff::10");

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : m_rng(seed) {}
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(m_rng() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::uint32_t u32() { return static_cast<std::uint32_t>(m_rng()); }

 private:
  std::mt19937_64 m_rng;
};

std::uint16_t service_port(Rng& r) {
  static const std::uint16_t common[] = {22, 25, 53, 80, 88, 110, 123, 143, 389, 443, 445, 465, 500, 587, 636, 993,
                                         995, 1433, 1521, 1701, 1723, 3306, 3389, 4500, 5060, 5432, 6379, 8080, 8443, 9200};
  return r.chance(70) ? common[r.below(30)] : static_cast<std::uint16_t>(1024 + r.below(64000));
}

// A remote IPv4 subnet of one of the usual lengths that does not hold the local address.
wire::IpPrefix remote4(Rng& r, bool allow_any) {
  static const std::uint8_t lens[] = {8, 16, 16, 24, 24, 24, 32, 32, 32, 32};
  for (;;) {
    const std::uint8_t len = allow_any && r.chance(8) ? 0 : lens[r.below(10)];
    const wire::IpAddr a = wire::IpAddr::v4((1u + r.below(223)) << 24 | (r.u32() & 0x00FFFFFFu));
    wire::IpPrefix p{a.masked(len), len};
    if (len == 0 || !p.contains(kLocal4)) return p;
  }
}

wire::IpPrefix remote6(Rng& r) {
  static const std::uint8_t lens[] = {0, 32, 48, 64, 128, 128};
  std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  for (std::size_t i = 4; i < 16; ++i) b[i] = static_cast<std::uint8_t>(r.below(256));
  b[4] = static_cast<std::uint8_t>(r.below(0xff));  // never 2001:db8:ff..
  const std::uint8_t len = lens[r.below(6)];
  return wire::IpPrefix{wire::IpAddr::v6(b).masked(len), len};
}

void protocol_and_ports(Rng& r, Filter& f) {
  const unsigned p = r.below(10);
  f.protocol = p < 4 ? 0 : p < 7 ? 6 : p < 9 ? 17 : 1;
  if (f.protocol == 6 || f.protocol == 17) {
    if (r.chance(60)) f.dst_port = service_port(r);
    if (r.chance(15)) f.src_port = service_port(r);
  }
}

}  // namespace

std::vector<wire::IpAddr> local_addresses() { return {kLocal4, kLocal6}; }

PolicySet make_policy(std::size_t specific, std::uint64_t seed) {
  Rng r(seed);
  PolicySet set;
  Policy p;
  p.name = "bench";
  p.isakmp.offers = {MmOffer{Cipher::aes256, Integrity::sha256, DhGroup::modp2048, 28800, 0}};
  p.default_response.active = false;
  const char* actions[] = {"permit", "block", "secure", "secure-inpass"};
  for (const char* name : actions) {
    FilterAction fa;
    fa.name = name;
    fa.action = name[0] == 'p' ? ActionType::permit : name[0] == 'b' ? ActionType::block : ActionType::negotiate;
    fa.inpass = std::string_view(name) == "secure-inpass";
    if (fa.action == ActionType::negotiate) fa.offers = {QmOffer{std::nullopt, EspTransform{Cipher::aes_gcm128, Integrity::none}, 0, 0, {}}};
    set.filter_actions.push_back(fa);
  }
  constexpr std::size_t kPerList = 500;
  std::size_t made = 0;
  FilterList transport, tunnel;
  auto flush = [&](FilterList& fl, bool is_tunnel) {
    if (fl.filters.empty()) return;
    fl.name = fmt::format("list-{}", set.filter_lists.size());
    Rule rule;
    rule.name = fmt::format("rule-{}", p.rules.size());
    rule.filter_list = fl.name;
    rule.filter_action = actions[r.below(4)];
    if (is_tunnel) {
      rule.filter_action = "secure";
      rule.tunnel = Address::host(wire::IpAddr::v4(0xCB007100u | r.below(256)));  // 203.0.113.x
    }
    p.rules.push_back(rule);
    set.filter_lists.push_back(fl);
    fl.filters.clear();
  };
  while (made < specific) {
    Filter f;
    const unsigned kind = r.below(100);
    if (kind < 30) {  // tunnel: subnet -> subnet, one specific filter
      f.src = Address::subnet(remote4(r, false));
      f.dst = Address::subnet(remote4(r, false));
      f.mirrored = false;
      protocol_and_ports(r, f);
      tunnel.filters.push_back(f);
      made += 1;
      if (tunnel.filters.size() == kPerList) flush(tunnel, true);
      continue;
    }
    const bool v6 = kind >= 90;
    const Address remote = v6 ? Address::subnet(remote6(r)) : Address::subnet(remote4(r, true));
    const bool outbound = kind < 75 || v6;
    f.src = outbound ? Address::me() : remote;
    f.dst = outbound ? remote : Address::me();
    protocol_and_ports(r, f);
    // Transport: me <-> remote gives one specific filter per direction (one local address
    // per family); the last filter is not mirrored if only one more is wanted.
    f.mirrored = r.chance(50) && made + 2 <= specific;
    transport.filters.push_back(f);
    made += f.mirrored ? 2 : 1;
    if (transport.filters.size() == kPerList) flush(transport, false);
  }
  flush(transport, false);
  flush(tunnel, true);
  set.policies.push_back(p);
  return set;
}

std::vector<wire::FiveTuple> make_packets(const std::vector<SpdFilter>& specific, std::size_t count, std::uint64_t seed) {
  Rng r(seed);
  auto inside = [&](const wire::IpPrefix& p) {
    if (p.addr.is_v4()) {
      const std::uint32_t host = p.len >= 32 ? 0 : (r.u32() & (0xFFFFFFFFu >> p.len));
      return wire::IpAddr::v4(p.addr.v4_value() | host);
    }
    auto b = p.addr.bytes();
    for (unsigned i = p.len; i < 128; ++i)
      if (r.chance(50)) b[i / 8] = static_cast<std::uint8_t>(b[i / 8] | (0x80u >> (i % 8)));
    return wire::IpAddr::v6(b);
  };
  std::vector<wire::FiveTuple> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    wire::FiveTuple t;
    if (!specific.empty() && r.chance(50)) {
      const SpdFilter& f = specific[r.below(static_cast<std::uint32_t>(specific.size()))];
      t.src = inside(f.src.prefix);
      t.dst = inside(f.dst.prefix);
      t.protocol = f.protocol ? f.protocol : static_cast<std::uint8_t>(r.chance(50) ? 6 : 17);
      t.src_port = f.src_port ? f.src_port : static_cast<std::uint16_t>(1024 + r.below(60000));
      t.dst_port = f.dst_port ? f.dst_port : service_port(r);
      if (t.protocol == 1) t.src_port = t.dst_port = 0;
    } else {
      const bool v6 = r.chance(10);
      const wire::IpAddr local = v6 ? kLocal6 : kLocal4;
      const wire::IpAddr remote = v6 ? inside(wire::IpPrefix{*wire::IpAddr::parse("2001:db8::"), 32})
                                     : wire::IpAddr::v4((1u + r.below(223)) << 24 | (r.u32() & 0x00FFFFFFu));
      const bool out_dir = r.chance(50);
      t.src = out_dir ? local : remote;
      t.dst = out_dir ? remote : local;
      const unsigned p = r.below(10);
      t.protocol = p < 6 ? 6 : p < 9 ? 17 : 1;
      if (t.protocol != 1) {
        t.src_port = out_dir ? static_cast<std::uint16_t>(1024 + r.below(60000)) : service_port(r);
        t.dst_port = out_dir ? service_port(r) : static_cast<std::uint16_t>(1024 + r.below(60000));
      }
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace spdbench
