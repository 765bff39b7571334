// The agent's derived keys: the effective SPD compiled from the assigned policy and the
// dynamic rules. The engine calls derive_spd() after every commit that touches one of
// derive_spd_inputs(), once at startup, and when the host's addresses change.
// derive.cpp holds the implementation (replaced by the real compiler from libcore/policydb).
#pragma once

#include <string>
#include <vector>

#include "store/read_view.h"
#include "store/types.h"

// Keys and prefixes (ending in '/') whose changes make the SPD stale.
inline std::vector<std::string> derive_spd_inputs() {
  return {"assigned", "policy/", "filterlist/", "filteraction/", "dynamic/", "config/"};
}

// The ops that bring spd/ up to date with view. Puts of unchanged values are dropped by the
// engine, so returning the full output every time commits only what changed.
std::vector<ipseckit::store::TxnOp> derive_spd(const ipseckit::store::ReadView& view);
