// Where policy objects live in the store (ARCHITECTURE.md "The store"):
//   policy/<name>        a Policy (JSON form, PSKs as key_ref)           persistent
//   filterlist/<name>    a FilterList                                     persistent
//   filteraction/<name>  a FilterAction                                   persistent
//   secret/psk/{GUID}    {"key": "..."}  a static rule's pre-shared key   persistent, root only
//   assigned             {"policy": NAME, "since": unix-seconds}          persistent
//   dynamic/{GUID}       a PolicySet with one rule (ipsecpol dynamic mode) volatile
//   secret/dynamic/{GUID}/<n>  a dynamic rule's pre-shared key            volatile, root only
//   spd/current          the compiled effective SPD (derived by the agent) volatile
#pragma once

#include <string>
#include <string_view>

namespace ipseckit::policydb {

inline constexpr std::string_view kPolicyPrefix = "policy/";
inline constexpr std::string_view kFilterListPrefix = "filterlist/";
inline constexpr std::string_view kFilterActionPrefix = "filteraction/";
inline constexpr std::string_view kStaticPskPrefix = "secret/psk/";
inline constexpr std::string_view kAssignedKey = "assigned";
inline constexpr std::string_view kDynamicPrefix = "dynamic/";
inline constexpr std::string_view kDynamicPskPrefix = "secret/dynamic/";
inline constexpr std::string_view kSpdKey = "spd/current";
inline constexpr std::string_view kSpdPrefix = "spd/";

inline std::string policy_key(std::string_view name) { return std::string(kPolicyPrefix) + std::string(name); }
inline std::string filter_list_key(std::string_view name) { return std::string(kFilterListPrefix) + std::string(name); }
inline std::string filter_action_key(std::string_view name) {
  return std::string(kFilterActionPrefix) + std::string(name);
}

}  // namespace ipseckit::policydb
