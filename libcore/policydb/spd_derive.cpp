#include "policydb/spd_derive.h"

#include <algorithm>

#include "policy/spd_compile.h"
#include "policy/spd_json.h"
#include "policydb/keys.h"
#include "policydb/static_store.h"

namespace ipseckit::policydb {

Result<policy::CompiledSpd> compile_from_view(const store::ReadView& view, const std::vector<wire::IpAddr>& me) {
  std::vector<store::Entry> entries;
  for (const auto& prefix : static_prefixes(false)) {
    auto part = view.list(prefix);
    entries.insert(entries.end(), part.begin(), part.end());
  }
  auto st = decode_static(entries);
  if (!st) return st.error();
  auto dyn_entries = view.list(kDynamicPrefix);
  auto dyn = decode_dynamic(dyn_entries);
  if (!dyn) return dyn.error();

  std::uint64_t generation = 0;
  for (const auto& e : entries) generation = std::max(generation, e.revision);
  for (const auto& e : dyn_entries) generation = std::max(generation, e.revision);

  policy::SpdInputs in;
  in.addresses = me;
  in.generation = generation;
  if (st->assigned) {
    in.assigned_policy = *st->assigned;
    in.assigned_set = st->set.extract(*st->assigned);
  }
  // Dynamic sets in creation order (oldest first): by revision.
  std::sort(dyn->begin(), dyn->end(), [](const auto& a, const auto& b) { return a.revision < b.revision; });
  for (auto& d : *dyn) in.dynamic.push_back({std::string(kDynamicPrefix) + d.id, std::move(d.set)});
  return policy::compile_spd(in);
}

std::vector<store::TxnOp> derive_spd_ops(const store::ReadView& view, const std::vector<wire::IpAddr>& me) {
  std::vector<store::TxnOp> ops;
  auto spd = compile_from_view(view, me);
  store::Json status;
  if (!spd) {
    status = {{"compiled", false}, {"error", spd.error().message}};
    ops.push_back(store::TxnOp::put("spd/status", status));
    return ops;
  }
  store::Json warnings = store::Json::array();
  for (const auto& w : spd->warnings) warnings.push_back(w);
  store::Json addrs = store::Json::array();
  for (const auto& a : spd->addresses) addrs.push_back(a.str());
  status = {{"compiled", true},
            {"generation", spd->generation},
            {"assigned_policy", spd->assigned_policy.empty() ? store::Json(nullptr) : store::Json(spd->assigned_policy)},
            {"dynamic_sets", std::count_if(spd->sources.begin(), spd->sources.end(),
                                           [](const auto& s) { return s.kind == "dynamic"; })},
            {"filters", spd->filters.size()},
            {"specific_filters", spd->specific.size()},
            {"addresses", addrs},
            {"warnings", warnings}};
  ops.push_back(store::TxnOp::put(std::string(kSpdKey), policy::to_json(*spd)));
  ops.push_back(store::TxnOp::put("spd/status", status));
  return ops;
}

}  // namespace ipseckit::policydb
