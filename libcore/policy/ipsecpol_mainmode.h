// Main-mode (IKE phase 1) grammars of ipsecpol/ipseccmd: -1s, -1k, -1e (windows-cli.md §1.4;
// XP text2spd.cpp TextToSecMethod/TextToP1Rekey).
//
//   -1s  Conf-Hash-Group ...   Conf and Hash in either order: 3DES-SHA-2, SHA-3DES-2,
//                              AES128-SHA256-14, AES256-SHA384-20
//        Conf  DES 3DES AES128 AES192 AES256       Hash  MD5 SHA SHA1 SHA256 SHA384 SHA512
//        Group 1 2 5 14 15 16 19 20 24
//   -1k  <n>Q | <n>S | <n>Q/<m>S | <m>S/<n>Q      units case-insensitive
//   -1e  <seconds>
//
// Windows' -1s parser knows DES/3DES, MD5/SHA and groups 1/2 only (and not "SHA1"); the rest
// is accepted here in the same grammar.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/model.h"

namespace ipseckit::policy {

inline constexpr std::uint32_t kDefaultMmLifetimeSeconds = 480 * 60;  // POTF_DEFAULT_P1REKEY_TIME
inline constexpr std::uint32_t kDefaultSoftSaExpirySeconds = 300;     // POTF_DEF_P1SOFT_TIME

// One -1s item; lifetime 480 minutes and no QM limit (the -1k/-1p post-processing applies
// those to every offer).
Result<MmOffer> parse_mm_offer(std::string_view text, int position = -1);

struct MmRekey {
  std::optional<std::uint32_t> qm_limit;  // "Q"
  std::optional<std::uint32_t> seconds;   // "S"
  friend bool operator==(const MmRekey&, const MmRekey&) = default;
};
Result<MmRekey> parse_mm_rekey(std::string_view text, int position = -1);

// -1e seconds (decimal).
Result<std::uint32_t> parse_soft_sa_expiry(std::string_view text, int position = -1);

// "3DES-SHA-2", "AES256-SHA384-20" (SHA-1 written "SHA", which every Windows parser reads).
// Fails for what -1s cannot express (no cipher, AES-GCM, GMAC, no group).
Result<std::string> format_mm_offer(const MmOffer& o);

}  // namespace ipseckit::policy
