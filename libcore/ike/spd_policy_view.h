// The PolicyView that answers from the compiled SPD (policy/spd_types.h), as ikeview uses it:
//  * main mode: the first specific main-mode filter (highest weight) whose two sides are this
//    host's address and the peer's, either way round; its rule's MM policy and authentication
//    methods. No filter: the default response rule, when the SPD has one. For an Aggressive
//    Mode peer (main_mode_for_id) rules whose "peer_id" names another identity are skipped.
//  * quick mode, responder: the first specific negotiate filter that covers the proposed
//    selectors (ours within its source, the peer's within its destination, protocol and ports
//    equal or any) and, for tunnel filters, whose tunnel endpoint is the peer; transport
//    filters need the selectors to be the two hosts themselves. No filter: the default
//    response rule answers host-to-host transport requests.
//  * quick mode, initiator: the selectors of the filter an outbound packet matched (an acquire)
//    or of a rule's first outbound filter towards a peer ("ikeview initiate --rule").
#pragma once

#include <optional>
#include <string_view>

#include "ike/policy_view.h"
#include "policy/spd_types.h"
#include "wire/ip_packet.h"

namespace ipseckit::ike {

class SpdPolicyView final : public PolicyView {
 public:
  explicit SpdPolicyView(policy::CompiledSpd spd) : m_spd(std::move(spd)) {}

  std::optional<MmPolicy> main_mode(const wire::IpAddr& local, const wire::IpAddr& peer) const override;
  std::optional<MmPolicy> main_mode_for_id(const wire::IpAddr& local, const wire::IpAddr& peer,
                                           const wire::isakmp::IdPayload& id) const override;
  std::optional<QmPolicy> quick_mode(const wire::IpAddr& local, const wire::IpAddr& peer, const TrafficSelector& ours,
                                     const TrafficSelector& theirs) const override;

  // Initiator side: what to negotiate for an outbound packet, and with whom (the tunnel
  // endpoint, else the packet's destination). nullopt unless a negotiate filter matches.
  struct Initiation {
    wire::IpAddr peer;
    QmPolicy qm;
  };
  std::optional<Initiation> for_packet(const wire::FiveTuple& packet) const;
  // The first outbound negotiate filter of a rule (by name) that can reach `peer`.
  std::optional<Initiation> for_rule(std::string_view rule, const wire::IpAddr& peer) const;

  const policy::CompiledSpd& spd() const { return m_spd; }

 private:
  std::optional<QmPolicy> qm_from(const policy::SpdFilter& f) const;
  std::optional<MmPolicy> mm_for(const wire::IpAddr& local, const wire::IpAddr& peer,
                                 const wire::isakmp::IdPayload* id) const;
  policy::CompiledSpd m_spd;
};

}  // namespace ipseckit::ike
