// Splitting text into ipsecpol command lines.
//
// split_batch_file: `ipseccmd -file <path>` exactly (windows-cli.md §1.8; XP ipseccmd.cpp
// main): one command per line; up to two trailing CR/LF characters stripped; a line is cut
// at a NUL byte (C strings); words split on space and tab with no quote handling; a first
// word "ipseccmd" (or "ipsecpol") is dropped, case-insensitively; lines with no word are
// skipped. A line that held only "ipseccmd" yields an empty argument list (ipseccmd then
// prints its usage). Keys or names containing blanks therefore cannot be used in batch files.
//
// split_command_line / quote_command_arg: Windows command-line words (CommandLineToArgvW /
// the MSVC runtime): blanks separate words outside double quotes; a quote toggles quoting
// and is removed; 2n backslashes before a quote become n backslashes and the quote acts,
// 2n+1 become n backslashes and a literal quote; other backslashes are literal. This is how
// an exported .bat script (export_ipsecpol_script) reaches ipsecpol's argv on Windows, so
// `-p "Branch Office:60"` and `PRESHARE:"s3cret"` arrive as Branch Office:60 / PRESHARE:s3cret.
//
// split_script: an exported script: blank lines and REM comments (first word REM,
// case-insensitive) skipped, Windows quoting, a first word ipsecpol/ipseccmd (optionally
// with ".exe") dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ipseckit::policy {

struct BatchLine {
  int line = 0;                   // 1-based line number in the text
  std::vector<std::string> args;  // without the program word
  friend bool operator==(const BatchLine&, const BatchLine&) = default;
};

std::vector<BatchLine> split_batch_file(std::string_view text);

std::vector<std::string> split_command_line(std::string_view line);
// The word as a command line writes it: unchanged when it has no blank or quote, else
// double-quoted with the backslash rules above; `force` quotes always.
std::string quote_command_arg(std::string_view arg, bool force = false);

std::vector<BatchLine> split_script(std::string_view text);

}  // namespace ipseckit::policy
