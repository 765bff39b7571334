// Listing the policy-routing rules over rtnetlink (RTM_GETRULE dump), so a daemon can find and
// remove the leftovers of a previous run that crashed (every rule that looks up its table).
#pragma once

#include <vector>

#include "base/result.h"
#include "sys/rtnl.h"

namespace ipseckit::sys::rtnl {

// The IPv4 (or IPv6) rules as rule_del() takes them back.
Result<std::vector<Rule>> rule_list(bool v6 = false);

}  // namespace ipseckit::sys::rtnl
