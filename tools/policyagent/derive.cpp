// The effective SPD: compiled by libcore/policydb from the store's current state and the
// host's addresses ("me" is re-resolved on every call; the agent calls rederive() when its
// netlink watcher sees an address change).
#include "derive.h"

#include "policydb/spd_derive.h"
#include "sys/netif.h"

std::vector<ipseckit::store::TxnOp> derive_spd(const ipseckit::store::ReadView& view) {
  return ipseckit::policydb::derive_spd_ops(view, ipseckit::sys::local_addresses());
}
