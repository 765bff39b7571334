// What netdiag gathers from the store, and its text/JSON forms.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/tool_common.h"
#include "policy/spd_types.h"
#include "policydb/static_store.h"

namespace ipseckit::netdiag {

inline constexpr const char* kTool = "netdiag";

struct IpsecReport {
  bool agent_running = false;
  std::string socket;
  std::string agent_error;          // why we could not talk to it
  store::HelloInfo hello;
  std::optional<policy::Policy> policy;  // the assigned policy
  policy::PolicySet policy_set;          // its lists and actions
  std::vector<policydb::DynamicEntry> dynamic;
  std::optional<policy::CompiledSpd> spd;
  std::string spd_error;
};

// Never starts an agent: "is it running" is part of the answer.
IpsecReport gather(const tool::StoreOptions& so);

// Passed / Failed / Skipped, as netdiag's test line says it.
std::string result_word(const IpsecReport& r);

std::string ipsec_text(const IpsecReport& r, bool verbose, bool debug);
nlohmann::json ipsec_json(const IpsecReport& r, bool verbose);

std::string filters_text(const policy::CompiledSpd& spd, bool specific);
nlohmann::json filters_json(const policy::CompiledSpd& spd, bool specific);

// sas.cpp: `netdiag sas` (ike/mm/, ike/qm/, esp/sa/; never keys) and `netdiag stats`
// (stats/ikeview, stats/espd). Exit 0, or 1 when the agent cannot be reached.
int run_sas(const tool::StoreOptions& so, bool as_json);
int run_stats(const tool::StoreOptions& so, bool as_json);

}  // namespace ipseckit::netdiag
