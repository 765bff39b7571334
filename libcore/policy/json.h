// The documented JSON form of policy objects (man ipsecpol(8), "JSON FORMAT"). Export is
// canonical: every field is always written, in a fixed order, objects sorted by name, so
// export -> import -> export is byte-identical. Import is strict: an unknown field, a wrong
// type or a bad value is an error that names its path ("policies[0].rules[1].tunnel").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "policy/model.h"

namespace ipseckit::policy {

using ojson = nlohmann::ordered_json;

inline constexpr const char* kJsonFormat = "ipseckit-policy";
inline constexpr int kJsonVersion = 1;

enum class PskOutput {
  key,       // {"method":"psk","key":"..."} (root export; the store's own form uses key_ref)
  ref,       // {"method":"psk","key_ref":"secret/psk/{GUID}"}
  hidden,    // {"method":"psk","key":"(hidden)"} for display to people
};

struct JsonOptions {
  PskOutput psk = PskOutput::key;
};

ojson to_json(const PolicySet& set, const JsonOptions& opt = {});
std::string to_json_text(const PolicySet& set, const JsonOptions& opt = {});  // dump(2) + "\n"
Result<PolicySet> policy_set_from_json(const nlohmann::json& j);
Result<PolicySet> policy_set_from_text(std::string_view text);

// Pieces, for store documents and other tools' JSON.
ojson to_json(const Policy& p, const JsonOptions& opt = {});
ojson to_json(const FilterList& fl);
ojson to_json(const FilterAction& fa);
ojson to_json(const QmOffer& o);
ojson to_json(const MmOffer& o);
ojson to_json(const AuthMethod& a, const JsonOptions& opt = {});
ojson address_json(const Address& a);
Result<Policy> policy_from_json(const nlohmann::json& j, const std::string& path = "policy");
Result<FilterList> filter_list_from_json(const nlohmann::json& j, const std::string& path = "filter_list");
Result<FilterAction> filter_action_from_json(const nlohmann::json& j, const std::string& path = "filter_action");
Result<Address> address_from_json(const nlohmann::json& j, const std::string& path);

std::string_view action_name(ActionType a);      // "permit" | "block" | "negotiate"
std::string_view conn_type_name(ConnType c);     // "all" | "lan" | "dialup"
std::string_view auth_kind_name(AuthKind k);     // "kerberos" | "psk" | "cert"

}  // namespace ipseckit::policy
