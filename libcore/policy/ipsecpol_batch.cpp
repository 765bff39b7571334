#include "policy/ipsecpol_batch.h"

#include "base/strings.h"

namespace ipseckit::policy {
namespace {

bool program_word(std::string_view w, bool exe_too) {
  if (str::iequals(w, "ipseccmd") || str::iequals(w, "ipsecpol")) return true;
  return exe_too && (str::iequals(w, "ipseccmd.exe") || str::iequals(w, "ipsecpol.exe"));
}

// Calls fn(line_number, line) for every line of text ('\n'-separated; the last line may
// lack its newline).
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
  int n = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(++n, text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::vector<BatchLine> split_batch_file(std::string_view text) {
  std::vector<BatchLine> out;
  for_each_line(text, [&](int n, std::string_view line) {
    if (auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    // fgets keeps the '\n' (already cut here); ipseccmd then strips the last character
    // twice if it is CR or LF.
    for (int k = 0; k < 2 && !line.empty() && (line.back() == '\r' || line.back() == '\n'); ++k) line.remove_suffix(1);
    auto words = str::split(line, " \t", true);
    if (words.empty()) return;
    BatchLine b;
    b.line = n;
    std::size_t first = program_word(words.front(), false) ? 1 : 0;
    for (std::size_t i = first; i < words.size(); ++i) b.args.emplace_back(words[i]);
    out.push_back(std::move(b));
  });
  return out;
}

std::vector<std::string> split_command_line(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size();) {
    const char c = line[i];
    if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      std::size_t n = 0;
      while (i < line.size() && line[i] == '\\') {
        ++n;
        ++i;
      }
      if (i < line.size() && line[i] == '"') {
        cur.append(n / 2, '\\');
        if (n % 2 == 1) {
          cur.push_back('"');
          ++i;
        }
        // even: the quote is processed by the next iteration
      } else {
        cur.append(n, '\\');
      }
      continue;
    }
    if (c == '"') {
      quoted = !quoted;
      ++i;
      continue;
    }
    cur.push_back(c);
    ++i;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::string quote_command_arg(std::string_view arg, bool force) {
  if (!force && !arg.empty() && arg.find_first_of(" \t\n\r\"") == std::string_view::npos) return std::string(arg);
  std::string out = "\"";
  for (std::size_t i = 0;; ++i) {
    std::size_t backslashes = 0;
    while (i < arg.size() && arg[i] == '\\') {
      ++backslashes;
      ++i;
    }
    if (i == arg.size()) {
      out.append(backslashes * 2, '\\');  // before the closing quote
      break;
    }
    if (arg[i] == '"') {
      out.append(backslashes * 2 + 1, '\\');
      out.push_back('"');
    } else {
      out.append(backslashes, '\\');
      out.push_back(arg[i]);
    }
  }
  out.push_back('"');
  return out;
}

std::vector<BatchLine> split_script(std::string_view text) {
  std::vector<BatchLine> out;
  for_each_line(text, [&](int n, std::string_view line) {
    auto words = split_command_line(line);
    if (words.empty() || str::iequals(words.front(), "REM")) return;
    BatchLine b;
    b.line = n;
    std::size_t first = program_word(words.front(), true) ? 1 : 0;
    b.args.assign(words.begin() + static_cast<std::ptrdiff_t>(first), words.end());
    out.push_back(std::move(b));
  });
  return out;
}

}  // namespace ipseckit::policy
