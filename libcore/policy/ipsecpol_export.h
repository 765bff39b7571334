// A policy as an ipsecpol script: the `ipsecpol -w REG ...` lines that, run in order against
// a store without that policy, recreate an equivalent policy (ipsecpol export --format
// ipsecpol). One line per rule, then `-f DEFAULT` for the default response rule when it
// differs from the default (or when the policy has no rule, to create it), then `-x` when
// asked. Every line carries -p Name:PollMinutes and the ISAKMP flags, so that each line
// is right on its own (XP's ipseccmd resets both on every run that omits them).
//
// The result is a Windows command script (.bat): words are quoted with Windows' rules
// (split_command_line reads them back), and what the ipsecpol grammar cannot express is
// written as a REM line above the command it concerns, never dropped silently: descriptions,
// filter list/action names other than "<rule> filter list/action", lists or actions shared by
// several rules, IPv6 or otherwise unwritable addresses, inactive rules, mixed PFS, per-offer
// main-mode lifetimes, certificate mapping options, withheld pre-shared keys.
#pragma once

#include <string>

#include "policy/model.h"

namespace ipseckit::policy {

// include_psk false writes pre-shared keys as PRESHARE:"(hidden)" (and says so in a REM);
// assign appends the -x line. A missing policy yields a script holding one REM line.
std::string export_ipsecpol_script(const PolicySet& set, const std::string& policy_name, bool include_psk,
                                   bool assign = false);

}  // namespace ipseckit::policy
