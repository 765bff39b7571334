// The script runner: lines, netsh contexts, command dispatch, all-or-nothing application.
#include "policy/netsh_script.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <ctime>

#include "base/strings.h"
#include "policy/netsh_commands.h"

namespace ipseckit::policy {
namespace {

constexpr std::array<std::string_view, 9> kVerbs{
    "add", "set", "delete", "show", "exportpolicy", "importpolicy", "restorepolicyexamples", "dump", "help"};

const std::vector<NetshCommandDef>& all_commands() {
  static const std::vector<NetshCommandDef> commands = [] {
    std::vector<NetshCommandDef> v;
    for (auto table :
         {netsh_policy_commands(), netsh_filterlist_commands(), netsh_filteraction_commands(), netsh_rule_commands()})
      v.insert(v.end(), table.begin(), table.end());
    return v;
  }();
  return commands;
}

using Context = std::vector<std::string>;  // "", "ipsec", "ipsec static"
const Context kStatic{"ipsec", "static"};

struct Session {
  PolicySet& set;
  const NetshOptions& opt;
  std::int64_t now;
  Context ctx = kStatic;
  std::vector<Context> stack;
  std::vector<NetshPendingAssignment> assignments;
  NetshOutcome out;
  bool ended = false;
};

bool word_is(const NetshToken& t, std::string_view w) {
  return !t.tagged && str::iequals(t.value, w);
}

std::string context_name(const Context& c) {
  return c.empty() ? "netsh" : "netsh " + str::join(c, " ");
}

// Walks context words (ipsec, static, ..) from words[i] on; returns the first other word.
Result<std::size_t> walk_context(Context& ctx, std::span<const NetshToken> words, std::size_t i) {
  for (; i < words.size(); ++i) {
    const auto& w = words[i];
    if (word_is(w, "..")) {
      if (!ctx.empty()) ctx.pop_back();
    } else if (ctx.empty() && word_is(w, "ipsec")) {
      ctx.push_back("ipsec");
    } else if (ctx.size() == 1 && word_is(w, "static")) {
      ctx.push_back("static");
    } else if (ctx.size() == 1 && word_is(w, "dynamic")) {
      return netsh_usage("'ipsec dynamic' is not supported in scripts (dynamic policy is ipsecpol's)", w.offset);
    } else {
      break;
    }
  }
  return i;
}

// The context a relative line starts from: `ipsec ...` from the root, `static ...` from ipsec.
Context base_for(const Context& current, const NetshToken& first) {
  if (word_is(first, "ipsec")) return {};
  if (word_is(first, "static") || word_is(first, "dynamic")) return {"ipsec"};
  return current;
}

Status run_command(Session& s, int line, std::span<const NetshToken> words, std::string& command) {
  const auto& first = words.front();
  if (first.tagged) return netsh_usage(fmt::format("expected a command before '{}='", first.tag), first.offset);
  auto verb = match_netsh_keyword(first.value, kVerbs, "command");
  if (!verb) return netsh_usage(verb.error().message, first.offset);
  const std::string_view v = kVerbs[*verb];
  command = std::string(v);
  if (v == "show") return netsh_usage("show is not supported in scripts; use ipsecpol show", first.offset);
  if (v == "exportpolicy")
    return netsh_usage("exportpolicy is not supported in scripts; use ipsecpol export", first.offset);
  if (v == "importpolicy")
    return netsh_usage("importpolicy is not supported in scripts; use ipsecpol import", first.offset);
  if (v == "dump" || v == "help") return netsh_usage(fmt::format("{} is not supported in scripts", v), first.offset);

  std::vector<std::string_view> objects;
  std::vector<const NetshCommandDef*> defs;
  for (const auto& d : all_commands())
    if (d.verb == v) {
      objects.push_back(d.object);
      defs.push_back(&d);
    }
  const NetshCommandDef* def = defs.front();
  std::size_t first_arg = 1;
  if (!def->object.empty()) {
    if (words.size() < 2 || words[1].tagged)
      return netsh_usage(fmt::format("{} what? (expected one of: {})", v, fmt::join(objects, ", ")),
                         words.size() < 2 ? first.offset : words[1].offset);
    auto o = match_netsh_keyword(words[1].value, objects, "object");
    if (!o) return netsh_usage(o.error().message, words[1].offset);
    def = defs[*o];
    command += " " + std::string(def->object);
    first_arg = 2;
  }
  auto args = bind_netsh_args(words.subspan(first_arg), def->tags);
  if (!args) return args.error();
  NetshCommandContext c{s.set, s.opt, s.now, line, s.assignments, {}};
  IPSECKIT_TRY(def->run(c, *args));
  s.out.steps.push_back(NetshStep{line, command, std::move(c.summary)});
  return {};
}

// `netsh [-c ctx] words...`: the context words after -c come first.
Result<std::vector<NetshToken>> netsh_words(std::span<const NetshToken> words) {
  std::vector<NetshToken> out;
  std::size_t i = 1;
  while (i < words.size() && !words[i].tagged && (words[i].value.starts_with('-') || words[i].value.starts_with('/'))) {
    const auto& flag = words[i];
    if (!(str::iequals(flag.value, "-c") || str::iequals(flag.value, "/c")))
      return netsh_usage(fmt::format("netsh option '{}' is not supported in scripts", flag.value), flag.offset);
    if (i + 1 >= words.size()) return netsh_usage("netsh -c needs a context", flag.offset);
    for (auto w : str::split(words[i + 1].value, " \t", true)) {
      NetshToken t;
      t.value = std::string(w);
      t.offset = words[i + 1].offset;
      out.push_back(std::move(t));
    }
    i += 2;
  }
  out.insert(out.end(), words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  return out;
}

Status run_line(Session& s, int line, std::string_view text, std::string& command) {
  const auto trimmed = str::trim(text);
  if (trimmed.empty() || trimmed.front() == '#') return {};
  const auto first_word = trimmed.substr(0, trimmed.find_first_of(" \t"));
  if (str::iequals(first_word, "rem")) return {};

  auto tokens = tokenize_netsh_line(text);
  if (!tokens) return tokens.error();
  std::vector<NetshToken> words = std::move(*tokens);
  Context ctx;
  if (word_is(words.front(), "netsh")) {
    auto w = netsh_words(words);
    if (!w) return w.error();
    words = std::move(*w);
    if (words.empty()) return {};
  } else {
    const auto& w = words.front();
    if (word_is(w, "exit") || word_is(w, "quit") || word_is(w, "bye")) {
      s.ended = true;
      return {};
    }
    if (word_is(w, "popd")) {
      if (s.stack.empty()) return netsh_usage("popd without pushd", w.offset);
      s.ctx = s.stack.back();
      s.stack.pop_back();
      return {};
    }
    if (word_is(w, "pushd")) {
      Context next = words.size() > 1 ? base_for(s.ctx, words[1]) : s.ctx;
      auto end = walk_context(next, words, 1);
      if (!end) return end.error();
      if (*end != words.size())
        return netsh_usage(fmt::format("pushd: '{}' is not a context", words[*end].value), words[*end].offset);
      s.stack.push_back(s.ctx);
      s.ctx = std::move(next);
      return {};
    }
    ctx = base_for(s.ctx, w);
  }
  auto end = walk_context(ctx, words, 0);
  if (!end) return end.error();
  if (*end == words.size()) {  // only context words: enter that context
    s.ctx = std::move(ctx);
    return {};
  }
  if (ctx != kStatic) {
    const auto& w = words[*end];
    return netsh_usage(fmt::format("'{}' in context '{}': only 'netsh ipsec static' commands are supported",
                                   w.tagged ? w.tag + "=" : w.value, context_name(ctx)),
                       w.offset);
  }
  return run_command(s, line, std::span<const NetshToken>(words).subspan(*end), command);
}

}  // namespace

Result<NetshOutcome> run_netsh_script(std::string_view text, PolicySet& store, const NetshOptions& opt) {
  PolicySet work = store;
  const std::int64_t now = opt.now ? opt.now : static_cast<std::int64_t>(std::time(nullptr));
  Session s{work, opt, now, kStatic, {}, {}, {}, false};
  std::size_t offset = 0;
  int line = 0;
  while (offset <= text.size() && !s.ended) {
    const auto nl = text.find('\n', offset);
    const auto end = nl == std::string_view::npos ? text.size() : nl;
    ++line;
    std::string command;
    auto st = run_line(s, line, text.substr(offset, end - offset), command);
    if (!st) {
      const auto& e = st.error();
      const auto where = command.empty() ? fmt::format("line {}", line) : fmt::format("line {}: {}", line, command);
      const auto pos = static_cast<int>(offset) + (e.position >= 0 ? e.position : 0);
      return Error::make(e.code, fmt::format("{}: {}", where, e.message), e.proto, pos);
    }
    if (nl == std::string_view::npos) break;
    offset = nl + 1;
  }

  NetshOutcome out = std::move(s.out);
  for (const auto& a : s.assignments) {
    if (a.policy_id.empty()) {  // an unassign of a policy the script deleted
      out.assignments.push_back({a.name, a.assign, a.line});
      continue;
    }
    const Policy* p = nullptr;
    for (const auto& q : work.policies)
      if (q.id == a.policy_id) p = &q;
    if (p)
      out.assignments.push_back({p->name, a.assign, a.line});
    else if (!a.assign)
      out.assignments.push_back({a.name, false, a.line});
  }
  for (const auto& before : store.policies) {
    if (before.id.empty()) continue;
    for (const auto& after : work.policies)
      if (after.id == before.id && after.name != before.name)
        out.renamed_policies.emplace_back(before.name, after.name);
  }
  store = std::move(work);
  return out;
}

}  // namespace ipseckit::policy
