// Internal helpers shared by the ipsecpol static and dynamic builders (ipsecpol_static.cpp,
// ipsecpol_dynamic.cpp). Not a public interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ipsecpol_apply.h"

namespace ipseckit::policy::ipsecpol_detail {

// Ids for new objects: the injected generator, or deterministic counter-based GUIDs that do
// not collide with those already in `existing`.
class IdSource {
 public:
  IdSource(const IpsecpolBuildOptions& opt, const PolicySet& existing);
  std::string next();

 private:
  std::function<std::string()> m_fn;
  std::uint64_t m_counter = 0;
};

std::int64_t now(const IpsecpolBuildOptions& opt);

// The filters of the run's filterspecs; in tunnel mode mirrored ones are made one-way
// (noted in `notes`).
std::vector<Filter> rule_filters(const std::vector<FilterSpec>& specs, bool tunnel, std::vector<std::string>& notes);

// The filter action the -n list (and -soft) describe, unnamed. With spread_pfs, PFS given on
// any offer is set on every offer (the store keeps PFS per filter action).
FilterAction action_from_command(const IpsecpolCommand& cmd, bool spread_pfs);

// Offers given with -n (or the ipsecpol defaults), PFS spread when asked.
std::vector<QmOffer> command_offers(const IpsecpolCommand& cmd, bool spread_pfs);

// -a or Kerberos.
std::vector<AuthMethod> command_auth(const IpsecpolCommand& cmd);

// `base`, or `base (2)`, `base (3)` ... whichever no filter list (or action) has yet.
std::string unique_list_name(const PolicySet& set, const std::string& base);
std::string unique_action_name(const PolicySet& set, const std::string& base);

// "filter \"...\" (argument N)"-style mention of a filterspec.
std::string describe(const FilterSpec& f);

}  // namespace ipseckit::policy::ipsecpol_detail
