// Runs a Windows Server 2003 `netsh ipsec static` script against a PolicySet, in memory and
// all or nothing (windows-cli.md §2; nshipsec static*.cpp semantics). The tool does the
// store transaction with the result.
//
// Which lines are commands (our documented rule for `netsh exec` files and .cmd scripts):
//  * blank lines, lines starting with '#' and lines whose first word is `rem` are skipped;
//  * `netsh [-c <context>] <words>` is absolute: the words (after the -c context) must start
//    with `ipsec static`;
//  * any other line is relative to the current context, which starts as `ipsec static` (the
//    script runs as if by `netsh exec` from `netsh ipsec static>`); a line starting with
//    `ipsec` is taken from the root and one starting with `static` from `ipsec`;
//  * a line that only names a context (`ipsec static`, `netsh ipsec`, `..`, `pushd ipsec
//    static`, `popd`) changes the current context; `exit`, `quit` and `bye` end the script.
// Verbs, objects, tags and keyword values are case-insensitive and may be abbreviated to an
// unambiguous prefix (exact matches win). Only `ipsec static` commands are supported: `show`
// is refused ("use ipsecpol show"), as are exportpolicy/importpolicy (ipsecpol export/import),
// `ipsec dynamic` and other netsh contexts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "policy/model.h"
#include "policy/netsh_values.h"

namespace ipseckit::policy {

struct NetshOptions {
  NetshResolver resolve;                // DNS names in filters and tunnels; unset: names are refused
  std::function<std::string()> new_id;  // "{GUID}" for each new object; unset: random version-4 GUIDs
  std::int64_t now = 0;                 // Policy::changed of every policy the script changes; 0 = time(nullptr)
};

// One executed command.
struct NetshStep {
  int line = 0;         // 1-based line of the script
  std::string command;  // canonical verb and object: "add policy", "delete rule", "restorepolicyexamples"
  std::string summary;  // what was done, for the tool's output: "added policy 'Gateway'"
};

// A request for the store's assignment, which the PolicySet does not hold.
struct NetshAssignment {
  std::string policy;  // name at the end of the script
  bool assign = true;  // false: unassign the policy if it is the assigned one (set policy assign=no,
                       // delete policy, delete all)
  int line = 0;
};

struct NetshOutcome {
  std::vector<NetshStep> steps;
  std::vector<NetshAssignment> assignments;  // script order; apply after the renames
  // Policies of the input set renamed by `set policy newname=` (old, new): an assigned
  // policy keeps its assignment under the new name.
  std::vector<std::pair<std::string, std::string>> renamed_policies;
};

// Parses and applies every line to a copy of `store`, and replaces `store` only when every
// line succeeded. An error names the line, the command, the offending tag=value and why;
// Error::code is "usage" for what is wrong whatever the store holds (grammar, unknown or
// missing tags, bad values, unsupported commands) and "failed" for what the store's content
// refuses (missing object, duplicate name, object in use, DNS lookup failure);
// Error::position is the byte offset in `text` of the offending word (or of its line).
Result<NetshOutcome> run_netsh_script(std::string_view text, PolicySet& store, const NetshOptions& opt = {});

}  // namespace ipseckit::policy
