#include "policy/netsh_tokens.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ipseckit::policy {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Error usage(std::string msg, int position) {
  return Error::make("usage", std::move(msg), 0, position);
}

std::string candidate_list(std::span<const std::string_view> candidates) {
  std::string out;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i) out += ", ";
    out += candidates[i];
  }
  return out;
}

}  // namespace

Result<std::vector<NetshToken>> tokenize_netsh_line(std::string_view line) {
  std::vector<NetshToken> out;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i >= line.size()) break;
    const auto start = static_cast<int>(i);
    std::string text;
    std::size_t first_eq = std::string::npos;  // index in text of the first '='
    bool quoted = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      const auto uc = static_cast<unsigned char>(c);
      if ((uc < 0x20 && c != '\t' && c != '\r') || uc == 0x7f)
        return usage(fmt::format("control character 0x{:02x} in the line", uc), static_cast<int>(i));
      if (c == '"') {
        quoted = !quoted;
        continue;
      }
      if (!quoted && is_blank(c)) break;
      if (c == '=' && first_eq == std::string::npos) first_eq = text.size();
      text.push_back(c);
    }
    if (quoted) return usage("unterminated quote", start);

    NetshToken t;
    t.offset = start;
    bool tag_like = first_eq != std::string::npos && first_eq > 0;
    for (std::size_t k = 0; tag_like && k < first_eq; ++k) tag_like = is_letter(text[k]);
    if (first_eq == 0) return usage(fmt::format("'{}': a value without a tag", text), start);
    if (tag_like) {
      t.tagged = true;
      t.tag = text.substr(0, first_eq);
      t.value = text.substr(first_eq + 1);
    } else {
      t.value = std::move(text);
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::size_t> match_netsh_keyword(std::string_view word, std::span<const std::string_view> candidates,
                                        std::string_view what) {
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (str::iequals(word, candidates[i])) return i;
  std::vector<std::size_t> hits;
  if (!word.empty())
    for (std::size_t i = 0; i < candidates.size(); ++i)
      if (str::istarts_with(candidates[i], word)) hits.push_back(i);
  if (hits.size() == 1) return hits.front();
  if (hits.empty())
    return usage(fmt::format("unknown {} '{}' (expected one of: {})", what, word, candidate_list(candidates)), -1);
  std::vector<std::string_view> names;
  for (auto h : hits) names.push_back(candidates[h]);
  return usage(fmt::format("{} '{}' is ambiguous: it could be {}", what, word, candidate_list(names)), -1);
}

}  // namespace ipseckit::policy
