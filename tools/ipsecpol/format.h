// Text forms of the compiled SPD in ipseccmd's "show" layout (windows-cli.md §1.10, §2.5).
#pragma once

#include <string>

#include "policy/spd_types.h"

namespace ipseckit::ipsecpol {

std::string section(const std::string& title);  // title + "\n" + 30 dashes + "\n"
std::string format_filters(const policy::CompiledSpd& spd);
std::string format_policies(const policy::CompiledSpd& spd);
std::string format_auth(const policy::CompiledSpd& spd);
std::string windows_offer(const policy::QmOffer& o);  // "AH[SHA1]+ESP[3DES,SHA1]"

}  // namespace ipseckit::ipsecpol
