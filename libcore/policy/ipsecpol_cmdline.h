// The ipsecpol (Windows 2000 Resource Kit) / ipseccmd (XP Support Tools) command line
// (windows-cli.md §1.1-§1.4, §1.10; XP ipseccmd.cpp main/ipseccmd_main, text2pol.cpp
// CmdLineToPolicy, query.cpp ipseccmd_show_main).
//
// Tokenizer rules, as ipseccmd applies them:
//  * A flag is a word starting with '-' or '/' (an empty word counts as one too: Windows'
//    strchr("-/", '\0') matches the terminator). Flag letters are case-sensitive.
//  * Single-letter flags look at their first letter only (-confirm = -c, -xyz = -x);
//    the keywords 1s 1k 1p 1e 1f soft lan dialup must be spelt out, trailing characters are
//    ignored (-lanx = -lan). -dialup is tested before -d, so -dial is -d.
//  * List flags (-f -n -a -1s -1f) take every following word up to the next flag; their
//    first value may be glued (-f0+*, -1sDES-MD5-1); repeating a flag appends.
//  * Value flags (-t -w -p -r -1k -1e) take a glued value or the next word; -t also takes a
//    second word (local endpoint first, remote second). Repeating one replaces the value.
//  * A glued value that itself starts with '-' or '/' is "Unexpected flag: <arg>. Check usage."
//  * An argument of 256 characters or more: "Error: the argument is too long (>255 symbols)".
//  * First argument -file <path>: batch mode (case-insensitive). First argument -?, -h, -H,
//    /? (or any flag whose second character is one of hH?): extended usage. No argument:
//    short usage. "\\machine" counts only as the first argument. -u must be the only
//    argument (after \\machine). A word "show" anywhere (case-insensitive, before any -1f)
//    switches to query mode; the words after it are filters policies auth stats sas all,
//    and any other word there asks for the extended usage, as in ipseccmd.
//  * Our own subcommands: a first argument export, import, check or netsh is returned as
//    mode subcommand for the tool to dispatch (CLI11 parses those).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/ipsecpol_filterspec.h"
#include "policy/ipsecpol_mainmode.h"
#include "policy/ipsecpol_negpolicy.h"
#include "policy/model.h"

namespace ipseckit::policy {

enum class IpsecpolMode : std::uint8_t {
  usage,           // no arguments: short usage
  extended_usage,  // -? -h -H /? (also "show" with an unknown keyword)
  batch,           // -file <path>
  subcommand,      // export / import / check / netsh: the tool parses args itself
  show,            // query mode
  delete_dynamic,  // -u
  dynamic_mode,    // a rule for the SPD (no -w)
  static_mode,     // -w: a named policy in the store
};

enum class StorageType : std::uint8_t { none, registry, directory, cache };  // -w REG | DS | C

struct ShowQuery {
  bool filters = false, policies = false, auth = false, stats = false, sas = false;
  friend bool operator==(const ShowQuery&, const ShowQuery&) = default;
};

inline constexpr std::size_t kMaxIpsecpolArgLength = 255;  // POTF_MAX_STRLEN - 1

struct IpsecpolCommand {
  IpsecpolMode mode = IpsecpolMode::usage;
  std::vector<std::string> args;  // as given (the tool re-parses subcommands from these)
  std::string machine;            // "\\name" -> "name"; empty = local
  std::string subcommand;         // mode subcommand: args[0]
  std::string batch_file;         // mode batch
  ShowQuery show;                 // mode show

  // Rule (-f -n -a -t -soft -lan -dialup)
  std::vector<FilterSpec> filters;
  std::vector<NegPolicy> negpolicies;  // in order, PASS/BLOCK/INPASS included
  std::vector<AuthMethod> auth;
  std::optional<Address> tunnel;      // -t: remote (destination) endpoint
  std::optional<Address> tunnel_src;  // -t src dst: the local endpoint
  bool soft = false;
  std::optional<ConnType> conn;  // -lan / -dialup

  // IKE main mode (-1s -1k -1p -1e -1f)
  std::vector<MmOffer> mm_offers;               // as given (480 min, no QM limit)
  MmRekey mm_rekey;                             // -1k
  bool mm_pfs = false;                          // -1p
  std::optional<std::uint32_t> soft_sa_expiry;  // -1e
  std::vector<FilterSpec> mm_filters;           // -1f

  bool confirm = false;  // -c / -confirm

  // Static mode (-w -p -r -x -y -o -d)
  StorageType storage = StorageType::none;
  std::string storage_location;  // -w DS:domain
  std::optional<std::string> policy_name;
  std::optional<std::uint32_t> poll_minutes;  // -p Name:Poll (0 = not given, as in Windows)
  std::optional<std::string> rule_name;
  bool assign = false;           // -x
  bool unassign = false;         // -y
  bool delete_policy = false;    // -o
  bool unassign_active = false;  // -d (legacy: unassign whatever local policy is assigned)

  bool tunnel_mode() const { return tunnel.has_value(); }
  bool is_default_response() const { return filters.size() == 1 && filters.front().is_default; }
  // The negotiation offers of -n (PASS/BLOCK/INPASS left out).
  std::vector<QmOffer> offers() const;
  // The last of PASS / BLOCK / INPASS in -n, if any (ipseccmd keeps the last one).
  std::optional<NegPolicyKind> special_action() const;
  // Whether any of -1s -1k -1p -1e was given (they rewrite the policy's ISAKMP settings).
  bool sets_isakmp() const;
};

bool is_ipsecpol_flag(std::string_view word);

// Parses argv without the program name. DNS names in -f and -t are resolved through
// `resolver` at once (first address in dynamic mode, all addresses in static mode). Every
// error is code "usage" (see ipsecpol_errors.h).
Result<IpsecpolCommand> parse_ipsecpol_command(const std::vector<std::string>& args, const Resolver& resolver);

}  // namespace ipseckit::policy
