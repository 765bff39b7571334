// The SPD compiler: assigned policy + dynamic rule sets + this host's addresses -> the
// compiled SPD (spd_types.h). One compilation point (the agent), so every daemon and netdiag
// see the same filter table.
//
// Windows semantics (XP/2003 polagent + spd, windows-cli.md §1.5, §5):
//  * only active rules; a rule whose filter list or filter action is missing is skipped and
//    reported in CompiledSpd::warnings;
//  * the default response rule makes no filters; its offers and methods go to
//    CompiledSpd::default_response, as IKE needs them to respond: the assigned policy's if
//    it is active and has offers, else the newest dynamic set's that is (Windows' SPD holds
//    one default QM policy, and the static policy is plumbed first);
//  * permit -> inbound/outbound permit; block -> block; negotiate -> negotiate, except that
//    "inpass" makes the inbound action permit; "soft" is kept;
//  * a mirrored filter expands to two generic filters (addresses AND ports swapped), except
//    when both are equal (Windows' EqualIniTxFilterPKeys); tunnel filters are never mirrored
//    (the mirror flag is ignored there; `ipsecpol check` warns);
//  * a DNS address expands to one filter per resolved address; "any" matches IPv4 and IPv6,
//    so a filter whose two sides are both me/any becomes one generic filter per family;
//  * "me" stays symbolic in the generic list. Specific filters expand it to each local address
//    of the filter's family and, for transport filters, follow Windows' ApplyTxTransform:
//    outbound = (source is me) x (destination is not me), inbound = (source is not me) x
//    (destination is me), where a subnet counts as "me" when it holds a local address and as
//    "not me" always, a host address is "me" only when it is local, and multicast counts as
//    both. A transport filter that cannot involve this host makes no specific filter. Tunnel
//    filters expand source x destination, and are inbound when the tunnel endpoint is local.
//    A family without local addresses makes no specific filters (Windows: no matching
//    interface addresses -> none).
//  * main-mode filters (polagent PACreateMMFilter): each negotiate transport filter gives one
//    (same addresses, mirrored like the filter; duplicates within a rule are merged); each
//    negotiate tunnel rule gives me <-> tunnel endpoint, mirrored.
//
// Ordering (documented choice): specific filters are sorted by weight, descending; equal
// weights keep the generic order, which is: sources in CompiledSpd::sources order (dynamic
// sets first, newest first, then the assigned policy — Windows' SPD merge puts the most
// recently plumbed list first on equal weight, and dynamic rules are plumbed on top of the
// running static policy); within a source, rules as written; within a rule, filters as
// written; a filter before its mirror; IPv4 before IPv6; DNS addresses in resolution order;
// local addresses in the order given. (Windows orders same-weight filters of one policy in
// reverse plumbing order, which polstore does not expose; we use the written order.)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/model.h"
#include "policy/spd_types.h"
#include "wire/ip_address.h"

namespace ipseckit::policy {

struct SpdDynamicSet {
  std::string id;  // the store key or any identifier; reported in CompiledSpd::sources
  PolicySet set;   // one policy named kDynamicPolicyName (others are ignored)
};

struct SpdInputs {
  std::optional<PolicySet> assigned_set;  // the set holding the assigned policy
  std::string assigned_policy;            // its name; empty = no policy assigned
  std::vector<SpdDynamicSet> dynamic;     // creation order, oldest first
  std::vector<wire::IpAddr> addresses;    // what "me" resolves to
  std::uint64_t generation = 0;
};

CompiledSpd compile_spd(const SpdInputs& in);

// Re-resolves "me" for a new address set: rebuilds addresses, specific and mm_specific from
// the generic lists (cheap; the generic lists do not depend on addresses).
void specialize_spd(CompiledSpd& spd, std::vector<wire::IpAddr> addresses);

}  // namespace ipseckit::policy
