#include "policy/ipsecpol_build.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "policy/defaults.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {

IsakmpPolicy ipsecpol_isakmp(const IpsecpolCommand& cmd) {
  IsakmpPolicy p;
  // ipseccmd: no -1s means LoadIkeDefaults; -1k/-1p then apply to every offer.
  p.offers = cmd.mm_offers.empty() ? default_mm_offers() : cmd.mm_offers;
  const std::uint32_t lifetime = cmd.mm_rekey.seconds.value_or(kDefaultMmLifetimeSeconds);
  std::uint32_t qm_limit = cmd.mm_rekey.qm_limit.value_or(0);
  if (cmd.mm_pfs) qm_limit = 1;  // main-mode PFS is "one quick mode per main mode"
  for (auto& o : p.offers) {
    o.lifetime_seconds = lifetime;
    o.qm_limit = qm_limit;
  }
  p.mm_pfs = cmd.mm_pfs;
  if (cmd.soft_sa_expiry)
    p.soft_sa_expiry_seconds = *cmd.soft_sa_expiry;
  else if (cmd.soft)
    p.soft_sa_expiry_seconds = kDefaultSoftSaExpirySeconds;
  return p;
}

namespace ipsecpol_detail {
namespace {

constexpr std::string_view kIdPrefix = "{00000000-0000-4000-8000-";

// The counter of an id we generated ("{00000000-0000-4000-8000-00000000002A}" -> 42), else 0.
std::uint64_t counter_of(const std::string& id) {
  if (id.size() != kIdPrefix.size() + 13 || id.compare(0, kIdPrefix.size(), kIdPrefix) != 0 || id.back() != '}')
    return 0;
  std::uint64_t v = 0;
  for (std::size_t i = kIdPrefix.size(); i + 1 < id.size(); ++i) {
    const char c = id[i];
    unsigned d = 0;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'A' && c <= 'F')
      d = static_cast<unsigned>(c - 'A' + 10);
    else
      return 0;
    v = v * 16 + d;
  }
  return v;
}

template <class Pred>
std::string unique_name(const std::string& base, Pred taken) {
  if (!taken(base)) return base;
  for (unsigned n = 2;; ++n) {
    std::string s = fmt::format("{} ({})", base, n);
    if (!taken(s)) return s;
  }
}

}  // namespace

IdSource::IdSource(const IpsecpolBuildOptions& opt, const PolicySet& existing) : m_fn(opt.new_id) {
  auto see = [this](const std::string& id) { m_counter = std::max(m_counter, counter_of(id)); };
  for (const auto& p : existing.policies) {
    see(p.id);
    for (const auto& r : p.rules) see(r.id);
  }
  for (const auto& l : existing.filter_lists) see(l.id);
  for (const auto& a : existing.filter_actions) see(a.id);
}

std::string IdSource::next() {
  if (m_fn) return m_fn();
  ++m_counter;
  return fmt::format("{}{:012X}}}", kIdPrefix, m_counter);
}

std::int64_t now(const IpsecpolBuildOptions& opt) {
  return opt.now ? *opt.now : static_cast<std::int64_t>(std::time(nullptr));
}

std::string describe(const FilterSpec& f) {
  return fmt::format("filter {}", cite(f.text, f.position));
}

std::vector<Filter> rule_filters(const std::vector<FilterSpec>& specs, bool tunnel, std::vector<std::string>& notes) {
  std::vector<Filter> out;
  for (const auto& s : specs) {
    Filter f = s.filter;
    if (tunnel && f.mirrored) {
      // ipseccmd's ConvertFilter stores tunnel filters with dwMirrorFlag = FALSE: a tunnel
      // rule covers one direction, the other direction needs a second run.
      f.mirrored = false;
      notes.push_back(
          fmt::format("{}: tunnel filters are one-way; stored as '=' (the reverse direction needs its "
                      "own rule with the other tunnel endpoint)",
                      describe(s)));
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<QmOffer> command_offers(const IpsecpolCommand& cmd, bool spread_pfs) {
  std::vector<QmOffer> offers = cmd.offers();
  if (offers.empty()) offers = default_ipsecpol_qm_offers();  // LoadOfferDefaults
  if (spread_pfs) {
    // MakeNegotiationPolicy: PfsQMRequired is set on every method if any offer asked for it.
    for (const auto& o : offers) {
      if (!o.pfs.enabled) continue;
      for (auto& x : offers) x.pfs = o.pfs;
      break;
    }
  }
  return offers;
}

FilterAction action_from_command(const IpsecpolCommand& cmd, bool spread_pfs) {
  FilterAction fa;
  fa.soft = cmd.soft;
  const auto special = cmd.special_action();
  if (special == NegPolicyKind::pass) {
    fa.action = ActionType::permit;  // other offers are ignored
    fa.soft = false;
    return fa;
  }
  if (special == NegPolicyKind::block) {
    fa.action = ActionType::block;
    fa.soft = false;
    return fa;
  }
  fa.action = ActionType::negotiate;
  fa.inpass = special == NegPolicyKind::inpass;
  fa.offers = command_offers(cmd, spread_pfs);
  return fa;
}

std::vector<AuthMethod> command_auth(const IpsecpolCommand& cmd) {
  if (!cmd.auth.empty()) return cmd.auth;
  return {AuthMethod{}};  // Kerberos, stored explicitly as ipseccmd does
}

std::string unique_list_name(const PolicySet& set, const std::string& base) {
  return unique_name(base, [&](const std::string& n) { return set.find_filter_list(n) != nullptr; });
}

std::string unique_action_name(const PolicySet& set, const std::string& base) {
  return unique_name(base, [&](const std::string& n) { return set.find_filter_action(n) != nullptr; });
}

}  // namespace ipsecpol_detail
}  // namespace ipseckit::policy
