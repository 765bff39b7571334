// Phase-1 identities a rule may name (JSON form only: "local_id", "peer_id"), as the IPsec DOI
// spells them (RFC 2407 4.6.2.1): "fqdn:vpn.example.com" (ID_FQDN), "user_fqdn:alice@example.com"
// (ID_USER_FQDN), or a bare IPv4/IPv6 address (ID_IPV4_ADDR / ID_IPV6_ADDR). Windows has no
// such setting: its IKE always sends and expects address identities.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "wire/isakmp_id.h"

namespace ipseckit::policy {

// The error names the offending text and the accepted forms.
Result<wire::isakmp::IdPayload> parse_ike_id(std::string_view text);
// The inverse of parse_ike_id ("fqdn:vpn.example.com", "198.51.100.2").
std::string ike_id_text(const wire::isakmp::IdPayload& id);
// Whether a peer's ID payload is the identity a rule names: same type, FQDN and USER_FQDN text
// compared without regard to ASCII case (DNS names are case-insensitive), addresses exactly;
// the payload's protocol and port are not compared (RFC 2407 4.6.2: 0 in phase 1 anyway).
bool ike_id_matches(const wire::isakmp::IdPayload& named, const wire::isakmp::IdPayload& peer);

}  // namespace ipseckit::policy
