// NAT traversal for IKEv1 (RFC 3947; draft-ietf-ipsec-nat-t-ike-02/03 as older peers speak
// it) and the vendor IDs that announce it, DPD (RFC 3706 2) and fragmentation:
//
//   MM1/MM2: VID(RFC 3947), VID(draft-02\n), VID(draft-02)      -- RFC 3947 3.1
//   MM3/MM4: NAT-D(peer's address as we see it), NAT-D(ours)   -- RFC 3947 3.2
//            NAT-D = HASH(CKY-I | CKY-R | IP | Port), the negotiated hash
//   MM5 on:  the initiator floats to UDP 4500 when a NAT was detected (RFC 3947 4);
//            IKE on 4500 carries the non-ESP marker (RFC 3948 2.2)
//   QM:      UDP-Encapsulated-Tunnel/Transport (3/4, or 61443/61444 for the drafts) and, in
//            transport mode, NAT-OA (RFC 3947 5.2)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ike/config.h"
#include "ike/context.h"
#include "ike/ike_sa.h"
#include "wire/isakmp_message.h"

namespace ipseckit::ike {

struct PeerVendors {
  NatTVariant nat_t = NatTVariant::none;
  bool dpd = false;
  bool fragmentation = false;
  std::vector<std::string> names;  // every VID, described, for the log
};
PeerVendors read_vendors(const std::vector<isakmp::Payload>& ps);

// The VIDs of message 1 (everything we support) or of message 2 (the answer to `peer`).
std::vector<isakmp::Payload> vendor_ids_mm1(const EngineConfig& cfg);
std::vector<isakmp::Payload> vendor_ids_mm2(const EngineConfig& cfg, const PeerVendors& peer);

// After VIDs were exchanged: records NAT-T and DPD support in the SA (both sides).
void record_vendors(IkeSa& sa, const EngineConfig& cfg, const PeerVendors& peer, EventLog& log);

// NAT-D payloads for message 3/4 (empty unless NAT-T was negotiated).
std::vector<isakmp::Payload> natd_payloads(const IkeSa& sa);
// Compares the peer's NAT-D payloads of message 3/4 with our view; sets nat_local/nat_remote
// and logs the result. The initiator then floats to port 4500 when a NAT is in the path.
void detect_nat(IkeSa& sa, const std::vector<isakmp::Payload>& ps, EventLog& log);
void float_to_natt_port(IkeSa& sa, EventLog& log);

// The NAT-OA payload type and UDP-encapsulated mode values for this SA's NAT-T variant.
isakmp::PayloadType nat_oa_type(const IkeSa& sa);
// The addresses of a Quick Mode message's NAT-OA payloads (RFC or draft type), in order.
std::vector<wire::IpAddr> nat_oa_addresses(const std::vector<isakmp::Payload>& ps);

}  // namespace ipseckit::ike
