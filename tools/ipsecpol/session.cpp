#include "ipsecpol/session.h"

#include <ctime>

#include <fmt/format.h>

#include "crypto/random.h"
#include "policy/spd_json.h"
#include "policydb/keys.h"

namespace ipseckit::ipsecpol {

namespace {
constexpr int kAttempts = 8;
}

Status require_admin(const store::Client& c) {
  if (!c.info().admin)
    return Error::make("forbidden", fmt::format("uid {} may not change IPsec policy: run as root (or a member of the "
                                                "agent's --admin-group)",
                                                c.info().uid));
  return {};
}

Result<policydb::StaticState> load_static(store::Client& c, bool with_secrets) {
  std::vector<store::Entry> entries;
  for (const auto& prefix : policydb::static_prefixes(with_secrets)) {
    auto l = c.list(prefix);
    if (!l) return l.error();
    for (auto& e : l->items)
      if (prefix != policydb::kAssignedKey || e.key == policydb::kAssignedKey) entries.push_back(std::move(e));
  }
  return policydb::decode_static(entries);
}

Status edit_static(store::Client& c, const StaticEditor& fn) {
  IPSECKIT_TRY(require_admin(c));
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto st = load_static(c, true);
    if (!st) return st.error();
    policy::PolicySet work = st->set;
    auto edit = fn(*st, work);
    if (!edit) return edit.error();
    policydb::PlanOptions opt;
    opt.assign = edit->assign;
    opt.assign_policy = edit->assign_policy;
    opt.touch_changed = edit->touch_changed;
    opt.now = static_cast<std::int64_t>(std::time(nullptr));
    opt.new_guid = [] { return crypto::random_guid(); };
    auto txn = policydb::plan_static_write(*st, work, opt);
    if (!txn) return txn.error();
    if (txn->ops.empty()) return {};
    auto r = c.txn(*txn);
    if (r) return {};
    if (r.error().code != "conflict") return r.error();
  }
  return Error::make("conflict", "the policy store kept changing while this command ran; try again");
}

Result<std::vector<policydb::DynamicEntry>> load_dynamic(store::Client& c, bool with_secrets) {
  auto l = c.list(policydb::kDynamicPrefix);
  if (!l) return l.error();
  std::vector<store::Entry> entries = std::move(l->items);
  if (with_secrets) {
    auto s = c.list(policydb::kDynamicPskPrefix);
    if (!s) return s.error();
    entries.insert(entries.end(), s->items.begin(), s->items.end());
  }
  return policydb::decode_dynamic(entries);
}

Result<policy::CompiledSpd> load_spd(store::Client& c) {
  auto e = c.get(policydb::kSpdKey);
  if (!e) {
    if (e.error().code == "not_found") {
      auto status = c.get("spd/status");
      std::string why = status && status->value.contains("error") ? status->value["error"].get<std::string>()
                                                                  : "the agent has not compiled an SPD yet";
      return Error::make("not_found", "no effective SPD: " + why);
    }
    return e.error();
  }
  return policy::compiled_spd_from_json(e->value);
}

}  // namespace ipseckit::ipsecpol
