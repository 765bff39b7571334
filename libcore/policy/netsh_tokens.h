// Words of one `netsh ipsec static` line (windows-cli.md §2.1) and netsh's keyword matching.
//
//   line   := word { blank word }            blank = space | tab
//   word   := { char | '"' { any-but-quote } '"' }   quotes group blanks and are removed
//   tagged := letters '=' value              e.g. name="My Policy", srca=10.0.0.1
//
// As in netsh (MatchTagsInCmdLine), a word is tagged when it contains '=' — here only when
// everything before the first '=' is ASCII letters, so a positional value such as
// "CN=Root, O=Org" whose prefix is not a word stays a value. `\'` inside a value is kept
// as written; rootca="..." turns it into a quote (netsh_values.h).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ipseckit::policy {

struct NetshToken {
  std::string tag;    // the tag as written (not yet matched); empty when untagged
  std::string value;  // the value with quotes removed; for an untagged word, the whole word
  bool tagged = false;
  int offset = 0;  // byte offset of the word within its line
};

// Splits one line into words. Errors (code "usage"): an unterminated quote, a control
// character, a word starting with '='.
Result<std::vector<NetshToken>> tokenize_netsh_line(std::string_view line);

// netsh keyword matching, case-insensitive: an exact match wins, else the word must be a
// prefix of exactly one candidate. Returns the candidate's index. Errors (code "usage")
// name the candidates: "'f' is ambiguous: filterlist, filter, filteraction" or
// "unknown 'x' (expected one of: ...)". `what` names the kind of word ("tag", "command").
Result<std::size_t> match_netsh_keyword(std::string_view word, std::span<const std::string_view> candidates,
                                        std::string_view what);

}  // namespace ipseckit::policy
