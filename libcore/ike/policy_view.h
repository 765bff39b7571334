// What the engine asks policy: for a peer, which main-mode offers and authentication methods
// apply (initiator and responder alike), and, as a Quick Mode responder, which rule covers the
// traffic selectors a peer proposes. spd_policy_view.h answers from the compiled SPD; tests
// may answer with fixed values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ike/types.h"
#include "policy/ike_id.h"
#include "policy/model.h"
#include "wire/isakmp_id.h"

namespace ipseckit::ike {

struct MmPolicy {
  std::string rule;                          // named in every log line ("gw-out")
  std::vector<policy::MmOffer> offers;       // preference order
  std::vector<policy::AuthMethod> auth;      // preference order
  bool aggressive_responder = false;         // Aggressive Mode answered only when set (off by default)
  bool aggressive_initiator = false;         // phase 1 started in Aggressive Mode (RFC 2409 5) instead of Main Mode
  std::optional<wire::isakmp::IdPayload> local_id;  // sent as our phase-1 ID; nullopt = our address
  std::optional<wire::isakmp::IdPayload> peer_id;   // the only ID the peer may claim; nullopt = any
};

// One rule's phase-2 side: what we offer or accept and for which traffic.
struct QmPolicy {
  std::string rule;
  std::vector<policy::QmOffer> offers;  // the rule's order
  bool tunnel = false;                  // the rule names a tunnel endpoint
  TrafficSelector local;                // our side (IDci when we initiate)
  TrafficSelector remote;               // the peer's side
};

class PolicyView {
 public:
  virtual ~PolicyView() = default;
  // nullopt: no rule (and no default response) covers this peer; the engine refuses it.
  virtual std::optional<MmPolicy> main_mode(const wire::IpAddr& local, const wire::IpAddr& peer) const = 0;
  // Aggressive Mode responder: the rule for a peer that claims `id` (IDii of message 1), so a
  // rule naming a peer ID (and its pre-shared key) is chosen by it (RFC 2407 4.6.2.1). A rule
  // that names another ID does not cover the peer. The default asks main_mode().
  virtual std::optional<MmPolicy> main_mode_for_id(const wire::IpAddr& local, const wire::IpAddr& peer,
                                                   const wire::isakmp::IdPayload& id) const {
    auto p = main_mode(local, peer);
    if (p && p->peer_id && !policy::ike_id_matches(*p->peer_id, id)) return std::nullopt;
    return p;
  }
  // Responder: the peer proposes `ours` (IDcr) and `theirs` (IDci). The answer's selectors are
  // what we accept: the proposal itself, when a rule covers it.
  virtual std::optional<QmPolicy> quick_mode(const wire::IpAddr& local, const wire::IpAddr& peer,
                                             const TrafficSelector& ours, const TrafficSelector& theirs) const = 0;
};

}  // namespace ipseckit::ike
