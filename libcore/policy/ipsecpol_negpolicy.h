// The ipsecpol/ipseccmd NegotiationPolicyList grammar, -n (windows-cli.md §1.6; XP
// text2spd.cpp TextToOffer/TextToAlgoInfo).
//
//   negpolicy := offer [ lifetime ] [ pfs ]  |  "PASS" | "BLOCK" | "INPASS"  (case-sensitive)
//   offer     := "ESP[" alg "," alg "]" | "AH[" hash "]" | "AH[" hash "]+ESP[" alg "," alg "]"
//   lifetime  := n("K"|"S") [ "/" n("K"|"S") ]         KBytes / seconds, either order
//   pfs       := "P" | "PFS" | "P"<group> | "PFS"<group>   uppercase P; no group = main mode's
//
// The two ESP fields are a cipher and an integrity algorithm in either order (NONE allowed
// for one of them); ESP[NONE,NONE] is refused; AES-GCM is combined mode and needs no second
// field (ESP[AES-GCM128], ESP[AES-GCM128,NONE] and ESP[AES-GCM128,AES-GCM128] are the same).
// Names come from algorithms.h (cipher_from_windows / integrity_from_windows), so the AES,
// SHA-2 and GMAC names of later Windows versions work too; PFS groups are any IKE group
// dh_group_from_number accepts (1, 2, 5, 14, 15, 16, 19, 20, 24). Lifetimes below 20480 KB
// or 300 s are refused with Windows' message 0x1b.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/model.h"

namespace ipseckit::policy {

enum class NegPolicyKind : std::uint8_t { offer, pass, block, inpass };

struct NegPolicy {
  NegPolicyKind kind = NegPolicyKind::offer;
  QmOffer offer;  // kind == offer
  std::string text;
  int position = -1;
  friend bool operator==(const NegPolicy&, const NegPolicy&) = default;
};

inline constexpr std::uint32_t kMinQmLifetimeKbytes = 20480;  // POTF_MIN_P2LIFE_BYTES
inline constexpr std::uint32_t kMinQmLifetimeSeconds = 300;   // POTF_MIN_P2LIFE_TIME

Result<NegPolicy> parse_negpolicy(std::string_view text, int position = -1);

// The reverse: "ESP[3DES,SHA]", "AH[SHA]+ESP[DES,NONE]900S/100000KPFS2", "ESP[AES-GCM128]".
// SHA-1 is written "SHA" (both Windows parsers read it). Fails for what -n cannot express:
// an offer with neither AH nor ESP, or a lifetime below the minimum.
Result<std::string> format_qm_offer(const QmOffer& o);

}  // namespace ipseckit::policy
