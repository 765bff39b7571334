// Binding a line's words to a command's parameters, as netsh's MatchTagsInCmdLine does:
// tagged words first (tags abbreviated to an unambiguous prefix), then each untagged word
// takes the first parameter, in the documented order, that is still free. Parameters that
// are alternatives (`name | guid`, `name | id`) share a slot; an untagged word fills the
// slot's first alternative. Internal to the netsh_* files.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/netsh_tokens.h"

namespace ipseckit::policy {

struct NetshTagSpec {
  std::string_view name;
  int slot = 0;             // specs with the same slot are alternatives
  bool required = false;    // the slot must be filled
  bool repeatable = false;  // may be given several times (rootca); never filled positionally
};

struct NetshArg {
  std::string_view tag;  // the spec's canonical name
  std::string value;
  int offset = 0;       // byte offset of the word in its line
  int order = 0;        // position of the word among the command's arguments
  bool tagged = false;  // written as tag=value (not positionally)
};

class NetshArgs {
 public:
  explicit NetshArgs(std::vector<NetshArg> args) : m_args(std::move(args)) {}
  const NetshArg* get(std::string_view tag) const;
  bool has(std::string_view tag) const { return get(tag) != nullptr; }
  std::vector<const NetshArg*> all(std::string_view tag) const;
  const std::vector<NetshArg>& list() const { return m_args; }  // command-line order

 private:
  std::vector<NetshArg> m_args;
};

// Errors (code "usage", position = the word's offset): unknown or ambiguous tag, a tag given
// twice, two alternatives of one slot, a word with no parameter left, a missing required
// parameter.
Result<NetshArgs> bind_netsh_args(std::span<const NetshToken> words, std::span<const NetshTagSpec> specs);

}  // namespace ipseckit::policy
