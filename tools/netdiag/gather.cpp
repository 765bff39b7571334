#include <fmt/format.h>

#include "netdiag/report.h"
#include "policy/spd_json.h"
#include "policydb/keys.h"
#include "sys/paths.h"

namespace ipseckit::netdiag {

IpsecReport gather(const tool::StoreOptions& so) {
  IpsecReport r;
  r.socket = sys::socket_path(so.socket);
  auto c = tool::connect(so, /*autostart=*/false);
  if (!c) {
    r.agent_error = c.error().message;
    return r;
  }
  r.agent_running = true;
  r.hello = c->info();
  std::vector<store::Entry> entries;
  for (const auto& prefix : policydb::static_prefixes(false)) {
    auto l = c->list(prefix);
    if (!l) {
      r.agent_error = l.error().message;
      return r;
    }
    for (auto& e : l->items)
      if (prefix != policydb::kAssignedKey || e.key == policydb::kAssignedKey) entries.push_back(std::move(e));
  }
  auto st = policydb::decode_static(entries);
  if (st && st->assigned) {
    if (const auto* p = st->set.find_policy(*st->assigned)) {
      r.policy = *p;
      r.policy_set = st->set.extract(p->name);
    }
  }
  if (auto l = c->list(policydb::kDynamicPrefix); l) {
    if (auto d = policydb::decode_dynamic(l->items); d) r.dynamic = *d;
  }
  auto spd = c->get(policydb::kSpdKey);
  if (spd) {
    auto parsed = policy::compiled_spd_from_json(spd->value);
    if (parsed) r.spd = *parsed;
    else r.spd_error = parsed.error().message;
  } else {
    auto status = c->get("spd/status");
    r.spd_error = status && status->value.contains("error") ? status->value["error"].get<std::string>()
                                                            : "the agent has not compiled an SPD";
  }
  if (r.spd && !st) r.spd_error = st.error().message;
  return r;
}

std::string result_word(const IpsecReport& r) {
  if (!r.agent_running) return "Skipped";
  if (!r.spd) return "Failed";
  return "Passed";
}

}  // namespace ipseckit::netdiag
