// The agent's one compilation point: assigned policy + dynamic rules + this host's addresses
// -> the effective SPD under spd/ (ARCHITECTURE.md). Every daemon and netdiag read it.
#pragma once

#include <vector>

#include "base/result.h"
#include "policy/spd_types.h"
#include "store/read_view.h"
#include "store/types.h"
#include "wire/ip_address.h"

namespace ipseckit::policydb {

// Compiles from the store's current state (no secrets are read: PSKs stay references).
// generation = the highest revision among the keys it read, so an unchanged input gives a
// byte-identical document.
Result<policy::CompiledSpd> compile_from_view(const store::ReadView& view, const std::vector<wire::IpAddr>& me);

// The ops that bring spd/current and spd/status up to date. On a compile error (a corrupt
// document) spd/current is left as it was and spd/status says why.
std::vector<store::TxnOp> derive_spd_ops(const store::ReadView& view, const std::vector<wire::IpAddr>& me);

}  // namespace ipseckit::policydb
