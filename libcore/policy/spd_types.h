// The compiled security policy database (SPD): the document the agent stores under spd/ and
// that espd, ikeview and netdiag read. Like Windows' SPD service (XP/2003 spd/*.c) it keeps
//  * generic filters: the policy's filters as plumbed, "me" still symbolic, mirrored filters
//    and DNS names expanded, one entry per address family;
//  * specific filters: the generic filters expanded for this host's addresses and sorted by
//    weight (most specific first) — what the packet classifier (spd_classifier.h) matches;
//  * main-mode filters derived from the negotiate rules, and the QM policies (offers), MM
//    policies and authentication method sets that the filters reference by index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/model.h"
#include "wire/ip_address.h"

namespace ipseckit::policy {

inline constexpr std::uint32_t kSpdNone = UINT32_MAX;  // "no reference" in the index fields

enum class SpdDirection : std::uint8_t {
  none,      // neither side is known to be this host (generic subnet-to-subnet filters)
  outbound,  // traffic this host sends (source is me) / tunnel to a remote endpoint
  inbound,   // traffic this host receives (destination is me) / tunnel ending here
};

// One side of a filter. `prefix` is what is matched; "any" is 0.0.0.0/0 or ::/0. A generic
// "me" is symbolic: prefix is the family's unspecified address as a host prefix (so that its
// length, and therefore its weight, is a host's). A specific filter expanded from "me" keeps
// me = true and holds the local address in prefix.
struct SpdAddr {
  wire::IpPrefix prefix;
  bool me = false;

  static SpdAddr of(const wire::IpPrefix& p) { return {p, false}; }
  static SpdAddr any(bool v6);
  static SpdAddr symbolic_me(bool v6);
  static SpdAddr local(const wire::IpAddr& a) { return {wire::IpPrefix::host(a), true}; }
  bool is_v6() const { return prefix.addr.is_v6(); }
  bool is_any() const { return !me && prefix.len == 0; }
  friend bool operator==(const SpdAddr&, const SpdAddr&) = default;
};

// Where a rule came from: the assigned (static) policy or one dynamic ipsecpol set.
struct SpdSource {
  std::string kind;    // "static" | "dynamic"
  std::string id;      // the caller's identifier (store key), may be empty
  std::string policy;  // policy name inside that set
  friend bool operator==(const SpdSource&, const SpdSource&) = default;
};

// One active rule of a source, with everything its filters share.
struct SpdRule {
  std::uint32_t source = 0;       // index into CompiledSpd::sources
  std::string policy;
  std::string rule;
  std::string filter_list;
  std::string filter_action;
  ActionType action = ActionType::negotiate;
  bool inpass = false;
  bool soft = false;
  std::optional<Address> tunnel;      // as written in the rule
  std::optional<Address> tunnel_src;  // as written in the rule
  ConnType conn = ConnType::all;
  std::uint32_t qm_policy = kSpdNone;  // negotiate rules only
  std::uint32_t auth = kSpdNone;       // negotiate rules only
  std::uint32_t mm_policy = kSpdNone;  // the source policy's main-mode policy
  bool aggressive_mode = false;        // Rule::aggressive_mode
  std::string local_id;                // Rule::local_id (ike_id.h text; empty = our address)
  std::string peer_id;                 // Rule::peer_id (empty = any identity)
  friend bool operator==(const SpdRule&, const SpdRule&) = default;
};

// A quick-mode filter (generic or specific).
struct SpdFilter {
  std::uint32_t rule = 0;           // index into CompiledSpd::rules
  std::uint32_t index = 0;          // position of the filter in its filter list
  std::uint32_t generic = kSpdNone; // specific filters: index of their generic filter
  bool mirror = false;              // the reversed copy of a mirrored filter
  SpdDirection direction = SpdDirection::none;
  SpdAddr src;
  SpdAddr dst;
  std::uint8_t protocol = 0;     // 0 = any
  std::uint16_t src_port = 0;    // 0 = any
  std::uint16_t dst_port = 0;    // 0 = any
  ActionType action = ActionType::permit;           // the filter action's type
  ActionType inbound_action = ActionType::permit;   // for packets this host receives
  ActionType outbound_action = ActionType::permit;  // for packets this host sends
  bool soft = false;                                // fall back to clear with non-IPsec peers
  std::optional<SpdAddr> tunnel;    // tunnel filters: the tunnel endpoint (any = /0)
  ConnType conn = ConnType::all;
  std::uint32_t weight = 0;
  std::uint32_t qm_policy = kSpdNone;
  std::uint32_t auth = kSpdNone;
  std::uint32_t mm_policy = kSpdNone;

  bool is_v6() const { return src.is_v6(); }
  // The action for a packet in the given direction (outbound = sent by this host).
  ActionType action_for(bool outbound) const { return outbound ? outbound_action : inbound_action; }
  friend bool operator==(const SpdFilter&, const SpdFilter&) = default;
};

// A main-mode filter: which MM policy and authentication methods IKE uses with a peer.
struct SpdMmFilter {
  std::uint32_t rule = 0;
  std::uint32_t index = kSpdNone;   // filter position (transport rules); kSpdNone for tunnel rules
  std::uint32_t generic = kSpdNone; // specific MM filters: index of their generic MM filter
  bool mirror = false;
  SpdDirection direction = SpdDirection::none;
  SpdAddr src;
  SpdAddr dst;
  ConnType conn = ConnType::all;
  std::uint32_t weight = 0;
  std::uint32_t mm_policy = kSpdNone;
  std::uint32_t auth = kSpdNone;
  friend bool operator==(const SpdMmFilter&, const SpdMmFilter&) = default;
};

struct SpdQmPolicy {
  std::string name;  // the filter action's name
  std::uint32_t source = 0;
  bool inpass = false;
  bool soft = false;
  std::vector<QmOffer> offers;
  friend bool operator==(const SpdQmPolicy&, const SpdQmPolicy&) = default;
};

struct SpdMmPolicy {
  std::string name;  // the policy's name
  std::uint32_t source = 0;
  IsakmpPolicy isakmp;
  friend bool operator==(const SpdMmPolicy&, const SpdMmPolicy&) = default;
};

// Authentication methods of one rule (or of the default response rule). Pre-shared keys are
// never copied here: only psk_ref (the store key holding the secret) is kept.
struct SpdAuth {
  std::string name;  // "<policy>/<rule>" or "<policy>/(default response)"
  std::vector<AuthMethod> methods;
  friend bool operator==(const SpdAuth&, const SpdAuth&) = default;
};

// The default response rule: no filters; IKE answers peers with these offers and methods
// when no filter applies.
struct SpdDefaultResponse {
  std::uint32_t source = 0;
  std::vector<QmOffer> offers;
  std::uint32_t auth = kSpdNone;
  std::uint32_t mm_policy = kSpdNone;
  friend bool operator==(const SpdDefaultResponse&, const SpdDefaultResponse&) = default;
};

struct CompiledSpd {
  std::uint64_t generation = 0;       // set by the caller (the agent's revision counter)
  std::string assigned_policy;        // empty: no static policy assigned
  std::vector<SpdSource> sources;     // tie order: first source wins equal weights
  std::vector<wire::IpAddr> addresses;  // what "me" resolved to
  std::vector<SpdRule> rules;
  std::vector<SpdQmPolicy> qm_policies;
  std::vector<SpdMmPolicy> mm_policies;
  std::vector<SpdAuth> auth;
  std::vector<SpdFilter> filters;       // generic, in source/rule/filter order
  std::vector<SpdFilter> specific;      // sorted: weight descending, then the generic order
  std::vector<SpdMmFilter> mm_filters;  // generic main-mode filters
  std::vector<SpdMmFilter> mm_specific; // sorted like specific
  std::optional<SpdDefaultResponse> default_response;
  std::vector<std::string> warnings;    // objects that could not be compiled, and why
  friend bool operator==(const CompiledSpd&, const CompiledSpd&) = default;
};

std::string_view direction_name(SpdDirection d);  // "none" | "outbound" | "inbound"

}  // namespace ipseckit::policy
