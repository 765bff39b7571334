// The Windows 2000 IPsec policy model, kept faithfully (MS-GPIPSEC objects, polstore
// semantics): policies with ISAKMP (main-mode) settings and rules; rules tie a filter list,
// a filter action, authentication methods, a tunnel endpoint and a connection type together;
// filter lists and filter actions are named objects of the store that rules reference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "policy/algorithms.h"
#include "wire/ip_address.h"

namespace ipseckit::policy {

// ---------------------------------------------------------------- addresses and filters

enum class AddrKind : std::uint8_t {
  me,      // "0" / "me": this host's addresses, resolved by the SPD compiler
  any,     // "*" / "any": every address (IPv4 and IPv6)
  subnet,  // an address with a mask; a host is a /32 (/128)
  dns,     // a DNS name, resolved when the filter was created (resolved[] kept)
};

struct Address {
  AddrKind kind = AddrKind::any;
  wire::IpPrefix prefix;                 // subnet
  std::string dns_name;                  // dns: the name as written
  std::vector<wire::IpAddr> resolved;    // dns: what it resolved to at creation

  static Address me() { return {AddrKind::me, {}, {}, {}}; }
  static Address any() { return {AddrKind::any, {}, {}, {}}; }
  static Address subnet(const wire::IpPrefix& p) { return {AddrKind::subnet, p, {}, {}}; }
  static Address host(const wire::IpAddr& a) { return subnet(wire::IpPrefix::host(a)); }
  static Address dns(std::string name, std::vector<wire::IpAddr> addrs) {
    return {AddrKind::dns, {}, std::move(name), std::move(addrs)};
  }
  // "me", "any", "192.0.2.0/24", "192.0.2.1/32", or the DNS name.
  std::string str() const;
  friend bool operator==(const Address&, const Address&) = default;
};

struct Filter {
  Address src = Address::me();
  Address dst = Address::any();
  std::uint8_t protocol = 0;     // 0 = any; ICMP=1, TCP=6, UDP=17, RAW=255
  std::uint16_t src_port = 0;    // 0 = any
  std::uint16_t dst_port = 0;    // 0 = any
  bool mirrored = true;          // also matches the reverse direction
  std::string description;
  friend bool operator==(const Filter&, const Filter&) = default;
};

struct FilterList {
  std::string id;  // "{GUID}"
  std::string name;
  std::string description;
  std::vector<Filter> filters;
  friend bool operator==(const FilterList&, const FilterList&) = default;
};

// ---------------------------------------------------------------- filter actions

enum class ActionType : std::uint8_t { permit, block, negotiate };

struct EspTransform {
  Cipher cipher = Cipher::des3;
  Integrity integrity = Integrity::sha1;  // none for AES-GCM or ESP without integrity
  friend bool operator==(const EspTransform&, const EspTransform&) = default;
};

struct Pfs {
  bool enabled = false;
  DhGroup group = DhGroup::none;  // enabled with none = use the main-mode group ("P", "PFS")
  friend bool operator==(const Pfs&, const Pfs&) = default;
};

// One quick-mode security method: AH, ESP, or AH+ESP in one offer.
struct QmOffer {
  std::optional<Integrity> ah;
  std::optional<EspTransform> esp;
  std::uint32_t lifetime_kbytes = 0;   // 0 = engine default
  std::uint32_t lifetime_seconds = 0;  // 0 = engine default
  Pfs pfs;
  friend bool operator==(const QmOffer&, const QmOffer&) = default;
};

struct FilterAction {
  std::string id;
  std::string name;
  std::string description;
  ActionType action = ActionType::negotiate;
  std::vector<QmOffer> offers;  // preference order (negotiate only)
  bool inpass = false;          // accept unsecured inbound, always respond with IPsec
  bool soft = false;            // fall back to clear with non-IPsec peers
  friend bool operator==(const FilterAction&, const FilterAction&) = default;
};

// ---------------------------------------------------------------- rules and policies

enum class AuthKind : std::uint8_t { kerberos, psk, cert };

struct AuthMethod {
  AuthKind kind = AuthKind::kerberos;
  std::string psk;        // psk: the key (a secret; never printed unless asked at "private")
  std::string psk_ref;    // psk: the store key that holds it ("secret/psk/{GUID}"), if stored
  std::string ca;         // cert: root CA distinguished name; empty = any CA
  bool cert_map = false;           // netsh certmap:yes
  bool exclude_ca_name = false;    // netsh excludecaname:yes
  friend bool operator==(const AuthMethod&, const AuthMethod&) = default;
};

enum class ConnType : std::uint8_t { all, lan, dialup };

struct Rule {
  std::string id;
  std::string name;
  std::string description;
  std::string filter_list;     // name of a FilterList in the same PolicySet
  std::string filter_action;   // name of a FilterAction in the same PolicySet
  std::vector<AuthMethod> auth;      // preference order; empty means Kerberos
  std::optional<Address> tunnel;     // remote tunnel endpoint; absent = transport mode
  std::optional<Address> tunnel_src; // local tunnel endpoint (ipseccmd "-t src dst")
  ConnType conn = ConnType::all;
  bool active = true;
  // Explicit main-mode filters (ipseccmd -1f, dynamic mode): addresses only, no protocol or
  // ports. Empty: main-mode filters are derived from the rule's filters, as polagent does.
  std::vector<Filter> mm_filters;
  // IKEv1 Aggressive Mode (RFC 2409 5) with this rule's peers: we initiate in it, and answer a
  // peer's Aggressive Mode, only when set. JSON form only ("aggressive_mode": true); Windows
  // has no such setting, so the ipsecpol/netsh syntaxes neither set nor show it.
  bool aggressive_mode = false;
  // Phase-1 identities (ike_id.h: "fqdn:NAME", "user_fqdn:USER@NAME" or an address; empty =
  // our address / any identity). local_id is what we send as IDii/IDir; peer_id is the one
  // identity this rule's peers may claim, so a rule (and its pre-shared key) is bound to a
  // peer's FQDN or USER_FQDN ID (RFC 2407 4.6.2.1): an Aggressive Mode responder picks the rule
  // by it. JSON form only, like aggressive_mode.
  std::string local_id;
  std::string peer_id;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// The default response rule: no filters of its own; tells IKE how to answer peers that ask
// for security when no other rule applies.
struct DefaultResponseRule {
  bool active = true;
  std::vector<QmOffer> offers;
  std::vector<AuthMethod> auth;
  friend bool operator==(const DefaultResponseRule&, const DefaultResponseRule&) = default;
};

struct MmOffer {
  Cipher cipher = Cipher::des3;
  Integrity hash = Integrity::sha1;
  DhGroup group = DhGroup::modp1024;
  std::uint32_t lifetime_seconds = 28800;  // 480 minutes
  std::uint32_t qm_limit = 0;              // quick modes per main mode; 0 = unlimited
  friend bool operator==(const MmOffer&, const MmOffer&) = default;
};

struct IsakmpPolicy {
  std::vector<MmOffer> offers;               // preference order
  bool mm_pfs = false;                       // main-mode PFS (QM limit 1 on every offer)
  std::uint32_t soft_sa_expiry_seconds = 0;  // 0 = not set
  friend bool operator==(const IsakmpPolicy&, const IsakmpPolicy&) = default;
};

struct Policy {
  std::string id;
  std::string name;
  std::string description;
  std::uint32_t poll_interval_seconds = 10800;  // 180 minutes
  IsakmpPolicy isakmp;
  std::vector<Rule> rules;
  DefaultResponseRule default_response;
  std::int64_t changed = 0;  // unix time of the last change ("whenChanged")
  friend bool operator==(const Policy&, const Policy&) = default;
};

// A set of policy objects: the whole local store, one policy's export, or one dynamic
// ipsecpol run. Rules reference filter lists and filter actions of the same set by name.
struct PolicySet {
  std::vector<Policy> policies;
  std::vector<FilterList> filter_lists;
  std::vector<FilterAction> filter_actions;

  Policy* find_policy(std::string_view name);
  const Policy* find_policy(std::string_view name) const;
  FilterList* find_filter_list(std::string_view name);
  const FilterList* find_filter_list(std::string_view name) const;
  FilterAction* find_filter_action(std::string_view name);
  const FilterAction* find_filter_action(std::string_view name) const;

  // The subset that one policy needs: the policy plus the lists and actions its rules use.
  PolicySet extract(std::string_view policy_name) const;
  // Copies every object of other into this set, replacing objects with the same name.
  void merge(const PolicySet& other);
  // Sorts every vector by name (the canonical order of exports).
  void sort();
  friend bool operator==(const PolicySet&, const PolicySet&) = default;
};

// Checks references (every rule's list and action exist), unique names, sane values
// (ports only with TCP/UDP..., lifetimes, ESP not NULL/NULL, address families agree).
// The error names the object and field.
Status validate(const PolicySet& set);

// The policy name under which dynamic (non -w) ipsecpol rules are shown.
inline constexpr std::string_view kDynamicPolicyName = "(dynamic)";

}  // namespace ipseckit::policy
