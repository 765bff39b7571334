// Choosing what to accept from a peer's SA payload, given the policy's offers (Windows 2000
// semantics: the responder takes the first of the initiator's proposals/transforms that one
// of its own offers allows). Unknown or incomplete transforms are skipped with a reason, never
// fatal. A failure carries NO-PROPOSAL-CHOSEN and says in words what each side wanted:
// "peer offered AES-256/SHA-256/group 14; we allow 3DES/SHA-1/group 2".
//
// Part of libcore/ike: it joins the ISAKMP codecs (libcore/wire) with the policy model's offers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "wire/isakmp_sa.h"
#include "wire/isakmp_transform.h"

namespace ipseckit::ike {

namespace isakmp = ipseckit::wire::isakmp;

struct MmSelection {
  std::size_t proposal = 0;   // index into isakmp::SaPayload::proposals
  std::size_t transform = 0;  // index into that proposal's transforms
  std::size_t offer = 0;      // index into our offers
  isakmp::IkeTransformAttrs attrs;
};

// Auth methods we accept, in our order (PSK = 1, RSA signatures = 3, GSS-API Kerberos = 65001).
// `allowed_by` words our side of the failure sentence ("rule 'gw-out' allows only"); empty
// keeps "we allow".
Result<MmSelection> select_main_mode(const isakmp::SaPayload& sa, std::span<const policy::MmOffer> offers,
                                     std::span<const isakmp::IkeAuthMethod> auth_methods,
                                     std::string_view allowed_by = {});

struct QmContext {
  bool tunnel = true;       // the rule's tunnel endpoint is set
  bool udp_encap = false;   // NAT detected: UDP-Encapsulated modes (RFC 3947 or draft values)
  isakmp::GroupDescription mm_group = isakmp::GroupDescription::modp1024;  // what "PFS" without a group means
  bool draft_encap = false;  // offer draft-02 values (61443/61444) instead of RFC 3947's (3/4)
};

struct QmChoice {
  std::size_t proposal = 0;   // index into isakmp::SaPayload::proposals
  std::size_t transform = 0;  // index into its transforms
  isakmp::IpsecTransformAttrs attrs;
};

struct QmSelection {
  std::uint8_t proposal_number = 0;
  std::optional<QmChoice> ah;
  std::optional<QmChoice> esp;
  std::size_t offer = 0;  // index into our offers
};

Result<QmSelection> select_quick_mode(const isakmp::SaPayload& sa, std::span<const policy::QmOffer> offers,
                                      const QmContext& ctx, std::string_view allowed_by = {});

// Our offers in the same words the failure messages use.
std::string describe_offer(const policy::MmOffer& o);  // "3DES/SHA-1/group 2"
std::string describe_offer(const policy::QmOffer& o);  // "ESP 3DES/SHA-1", "AH SHA-1 + ESP AES-128/SHA-1, PFS group 2"

// Phase-1/phase-2 transforms that express our offers (for building the initiator's SA).
std::optional<isakmp::IkeTransformSpec> ike_spec_for(const policy::MmOffer& o, isakmp::IkeAuthMethod auth);
struct QmSpecs {
  std::optional<isakmp::IpsecTransformSpec> ah;
  std::optional<isakmp::IpsecTransformSpec> esp;
};
std::optional<QmSpecs> qm_specs_for(const policy::QmOffer& o, const QmContext& ctx);

}  // namespace ipseckit::ike
