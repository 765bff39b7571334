// The ipsecpol/ipseccmd command line; see ipsecpol_cmdline.h for the rules.
#include "policy/ipsecpol_cmdline.h"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <limits>

#include "base/strings.h"
#include "policy/ipsecpol_auth.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {

bool is_ipsecpol_flag(std::string_view word) {
  return word.empty() || word.front() == '-' || word.front() == '/';
}

std::vector<QmOffer> IpsecpolCommand::offers() const {
  std::vector<QmOffer> out;
  for (const auto& n : negpolicies)
    if (n.kind == NegPolicyKind::offer) out.push_back(n.offer);
  return out;
}

std::optional<NegPolicyKind> IpsecpolCommand::special_action() const {
  std::optional<NegPolicyKind> k;
  for (const auto& n : negpolicies)
    if (n.kind != NegPolicyKind::offer) k = n.kind;
  return k;
}

bool IpsecpolCommand::sets_isakmp() const {
  return !mm_offers.empty() || mm_rekey.qm_limit || mm_rekey.seconds || mm_pfs || soft_sa_expiry;
}

namespace {

using ValueFn = std::function<Status(std::string_view value, int position)>;

class Parser {
 public:
  Parser(const std::vector<std::string>& args, const Resolver& resolver) : m_args(args), m_resolver(resolver) {
    m_cmd.args = args;
  }

  Result<IpsecpolCommand> run();

 private:
  int pos(std::size_t i) const { return static_cast<int>(i) + 1; }
  const std::string& arg(std::size_t i) const { return m_args[i]; }

  void prescan(std::size_t start);
  Status parse_flags(std::size_t start);
  Status parse_flag();
  Status list(std::size_t keylen, const ValueFn& fn);
  Status value(std::size_t keylen, std::string_view what, const ValueFn& fn);
  Status finish();

  Status add_filter(std::string_view v, int position, bool main_mode);
  Status set_tunnel(std::string_view v, int position);
  Status set_storage(std::string_view v, int position);
  Status set_policy(std::string_view v, int position);

  const std::vector<std::string>& m_args;
  const Resolver& m_resolver;
  IpsecpolCommand m_cmd;
  std::size_t m_i = 0;
  bool m_static = false;
  bool m_tunnel = false;
  int m_conn_pos = -1;
};

Result<IpsecpolCommand> Parser::run() {
  if (m_args.empty()) return m_cmd;  // short usage
  const std::string& a0 = arg(0);
  // main(): "-file" as the first argument, before anything else.
  if (str::iequals(a0, "-file")) {
    if (m_args.size() < 2) return usage_error("You must specify a file name: -file. Check usage.", 1);
    m_cmd.mode = IpsecpolMode::batch;
    m_cmd.batch_file = arg(1);  // further words are ignored, as ipseccmd does
    return m_cmd;
  }
  if (is_ipsecpol_flag(a0) && a0.size() >= 2 && (a0[1] == 'h' || a0[1] == 'H' || a0[1] == '?')) {
    m_cmd.mode = IpsecpolMode::extended_usage;
    return m_cmd;
  }
  if (a0 == "export" || a0 == "import" || a0 == "check" || a0 == "netsh") {
    m_cmd.mode = IpsecpolMode::subcommand;
    m_cmd.subcommand = a0;
    return m_cmd;
  }
  for (std::size_t i = 0; i < m_args.size(); ++i) {
    if (arg(i).size() > kMaxIpsecpolArgLength)
      return usage_error("Error: the argument is too long (>255 symbols)", pos(i));
  }
  std::size_t start = 0;
  if (a0.size() >= 2 && a0[0] == '\\' && a0[1] == '\\') {
    m_cmd.machine = a0.substr(2);
    start = 1;
  }
  // Query mode: ipseccmd looks for "show" before the first -1f; words before it are ignored.
  for (std::size_t i = 0; i < m_args.size(); ++i) {
    const auto& w = arg(i);
    if (is_ipsecpol_flag(w) && w.size() >= 3 && w.compare(1, 2, "1f") == 0) break;
    if (!str::iequals(w, "show")) continue;
    m_cmd.mode = IpsecpolMode::show;
    for (std::size_t j = i + 1; j < m_args.size(); ++j) {
      const auto& k = arg(j);
      auto& s = m_cmd.show;
      if (str::iequals(k, "show")) continue;
      if (str::iequals(k, "filters"))
        s.filters = true;
      else if (str::iequals(k, "policies"))
        s.policies = true;
      else if (str::iequals(k, "auth"))
        s.auth = true;
      else if (str::iequals(k, "stats"))
        s.stats = true;
      else if (str::iequals(k, "sas"))
        s.sas = true;
      else if (str::iequals(k, "all"))
        s = ShowQuery{true, true, true, true, true};
      else {
        m_cmd.mode = IpsecpolMode::extended_usage;  // IPSECCMD_USAGE
        m_cmd.show = {};
        break;
      }
    }
    return m_cmd;
  }
  if (m_args.size() - start == 1) {
    const auto& w = arg(start);
    if (is_ipsecpol_flag(w) && w.size() >= 2 && std::tolower(static_cast<unsigned char>(w[1])) == 'u') {
      m_cmd.mode = IpsecpolMode::delete_dynamic;
      return m_cmd;
    }
  }
  prescan(start);
  IPSECKIT_TRY(parse_flags(start));
  IPSECKIT_TRY(finish());
  return m_cmd;
}

// Static mode (-w) and tunnel mode (-t) change how -f values are read, wherever the flag is.
void Parser::prescan(std::size_t start) {
  for (std::size_t i = start; i < m_args.size(); ++i) {
    const auto& w = arg(i);
    if (w.size() < 2 || (w[0] != '-' && w[0] != '/')) continue;
    if (w[1] == 'w') m_static = true;
    if (w[1] == 't') m_tunnel = true;
  }
}

Status Parser::parse_flags(std::size_t start) {
  for (m_i = start; m_i < m_args.size();) {
    if (!is_ipsecpol_flag(arg(m_i))) return usage_error("I don't understand: " + arg(m_i), pos(m_i));
    IPSECKIT_TRY(parse_flag());
  }
  return {};
}

Status Parser::parse_flag() {
  const std::string& w = arg(m_i);
  const std::string_view body = w.empty() ? std::string_view{} : std::string_view(w).substr(1);
  auto starts = [&](std::string_view k) { return body.substr(0, k.size()) == k; };
  auto flag = [&](bool& b) {
    b = true;
    ++m_i;
    return Status{};
  };
  const char c = body.empty() ? '\0' : body.front();
  // The order of ipseccmd's tests matters: single letters first, "dialup" before 'd'.
  switch (c) {
    case 'f':
      return list(1, [&](std::string_view v, int p) { return add_filter(v, p, false); });
    case 'n':
      return list(1, [&](std::string_view v, int p) -> Status {
        auto n = parse_negpolicy(v, p);
        if (!n) return n.error();
        m_cmd.negpolicies.push_back(std::move(*n));
        return {};
      });
    case 't':
      return value(1, "tunnel address", [&](std::string_view v, int p) { return set_tunnel(v, p); });
    case 'a':
      return list(1, [&](std::string_view v, int p) -> Status {
        auto a = parse_auth_method(v, p);
        if (!a) return a.error();
        m_cmd.auth.push_back(std::move(*a));
        return {};
      });
    case 'w':
      return value(1, "storage info", [&](std::string_view v, int p) { return set_storage(v, p); });
    case 'p':
      return value(1, "policy name", [&](std::string_view v, int p) { return set_policy(v, p); });
    case 'r':
      return value(1, "rule name", [&](std::string_view v, int) -> Status {
        m_cmd.rule_name = std::string(v);
        return {};
      });
    case 'x':
      return flag(m_cmd.assign);
    case 'y':
      return flag(m_cmd.unassign);
    case 'c':
      return flag(m_cmd.confirm);
    case 'o':
      return flag(m_cmd.delete_policy);
    default:
      break;
  }
  if (starts("dialup") || starts("lan")) {
    const ConnType t = starts("lan") ? ConnType::lan : ConnType::dialup;
    if (m_cmd.conn && *m_cmd.conn != t)
      return usage_error(
          fmt::format("-lan and -dialup are mutually exclusive: {} after argument {}", cite(w, pos(m_i)), m_conn_pos),
          pos(m_i));
    m_cmd.conn = t;
    m_conn_pos = pos(m_i);
    ++m_i;
    return {};
  }
  if (c == 'd') return flag(m_cmd.unassign_active);
  if (starts("1f")) return list(2, [&](std::string_view v, int p) { return add_filter(v, p, true); });
  if (starts("1s")) {
    return list(2, [&](std::string_view v, int p) -> Status {
      auto o = parse_mm_offer(v, p);
      if (!o) return o.error();
      m_cmd.mm_offers.push_back(*o);
      return {};
    });
  }
  if (starts("1p")) return flag(m_cmd.mm_pfs);
  if (starts("soft")) return flag(m_cmd.soft);
  if (starts("1e")) {
    return value(2, "soft SA expiration time", [&](std::string_view v, int p) -> Status {
      auto s = parse_soft_sa_expiry(v, p);
      if (!s) return s.error();
      m_cmd.soft_sa_expiry = *s;
      return {};
    });
  }
  if (starts("1k")) {
    return value(2, "phase 1 rekey", [&](std::string_view v, int p) -> Status {
      auto r = parse_mm_rekey(v, p);
      if (!r) return r.error();
      if (r->qm_limit) m_cmd.mm_rekey.qm_limit = r->qm_limit;
      if (r->seconds) m_cmd.mm_rekey.seconds = r->seconds;
      return {};
    });
  }
  return usage_error("Unknown flag: " + w, pos(m_i));
}

Status Parser::list(std::size_t keylen, const ValueFn& fn) {
  const std::string& w = arg(m_i);
  const int flag_pos = pos(m_i);
  if (w.size() > keylen + 1) {
    const std::string_view glued = std::string_view(w).substr(keylen + 1);
    if (is_ipsecpol_flag(glued)) return usage_error("Unexpected flag: " + w + ". Check usage.", flag_pos);
    IPSECKIT_TRY(fn(glued, flag_pos));
  }
  for (++m_i; m_i < m_args.size() && !is_ipsecpol_flag(arg(m_i)); ++m_i) IPSECKIT_TRY(fn(arg(m_i), pos(m_i)));
  return {};
}

Status Parser::value(std::size_t keylen, std::string_view what, const ValueFn& fn) {
  const std::string& w = arg(m_i);
  if (w.size() > keylen + 1) {
    const std::string_view glued = std::string_view(w).substr(keylen + 1);
    if (is_ipsecpol_flag(glued)) return usage_error("Unexpected flag: " + w + ". Check usage.", pos(m_i));
    IPSECKIT_TRY(fn(glued, pos(m_i)));
    ++m_i;
    return {};
  }
  ++m_i;
  if (m_i >= m_args.size() || is_ipsecpol_flag(arg(m_i))) {
    // ipseccmd names the word it found instead (or crashes when there is none).
    const std::size_t at = m_i < m_args.size() ? m_i : m_i - 1;
    return usage_error(fmt::format("You must specify {}: {}. Check usage.", what, arg(at)), pos(at));
  }
  IPSECKIT_TRY(fn(arg(m_i), pos(m_i)));
  ++m_i;
  return {};
}

Status Parser::add_filter(std::string_view v, int position, bool main_mode) {
  FilterSpecContext ctx;
  ctx.resolver = m_resolver;
  ctx.dns = m_static ? DnsResolution::all : DnsResolution::first;
  ctx.position = position;
  ctx.main_mode = main_mode;
  auto f = parse_filterspec(v, ctx);
  if (!f) return f.error();
  if (main_mode) {
    m_cmd.mm_filters.push_back(std::move(*f));
    return {};
  }
  if (m_static && f->action != FilterSpecAction::none) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("{} filter {} is not allowed in static mode (-w): use -n {} instead",
                                 f->action == FilterSpecAction::permit ? "pass-through" : "block", cite(v, position),
                                 f->action == FilterSpecAction::permit ? "PASS" : "BLOCK"),
                     position);
  }
  if (f->is_default && m_tunnel) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("the default response rule {} cannot be a tunnel rule (-t)", cite(v, position)),
                     position);
  }
  m_cmd.filters.push_back(std::move(*f));
  return {};
}

Status Parser::set_tunnel(std::string_view v, int position) {
  auto a = parse_tunnel_endpoint(v, m_resolver, position);
  if (!a) return a.error();
  m_cmd.tunnel = std::move(*a);
  m_cmd.tunnel_src.reset();
  // ipseccmd: a second word that is not a flag makes the first the local endpoint.
  const std::size_t next = m_i + 1;
  if (next < m_args.size() && !is_ipsecpol_flag(arg(next))) {
    auto b = parse_tunnel_endpoint(arg(next), m_resolver, pos(next));
    if (!b) return b.error();
    m_cmd.tunnel_src = std::move(m_cmd.tunnel);
    m_cmd.tunnel = std::move(*b);
    ++m_i;
  }
  return {};
}

Status Parser::set_storage(std::string_view v, int position) {
  // TextToStorageLocation: only the first letter counts; DS takes ":domain".
  const auto colon = v.find(':');
  const auto type = v.substr(0, colon);
  const char c = type.empty() ? '\0' : static_cast<char>(std::tolower(static_cast<unsigned char>(type.front())));
  if (c == 'd') {
    m_cmd.storage = StorageType::directory;
    m_cmd.storage_location = colon == std::string_view::npos ? std::string() : std::string(v.substr(colon + 1));
  } else if (c == 'r') {
    m_cmd.storage = StorageType::registry;
  } else if (c == 'c') {
    m_cmd.storage = StorageType::cache;  // undocumented
  } else {
    return t2p_error(T2p::invalid_storage_info,
                     fmt::format("The TYPE of storage {} is not supported: use REG or DS[:domain]", cite(v, position)),
                     position);
  }
  return {};
}

Status Parser::set_policy(std::string_view v, int position) {
  // TextToPolicyName: the name ends at the first ':'; minutes follow.
  const auto colon = v.find(':');
  m_cmd.policy_name = std::string(v.substr(0, colon));
  if (colon == std::string_view::npos || colon + 1 == v.size()) return {};
  auto m = str::parse_uint(v.substr(colon + 1), std::numeric_limits<std::uint32_t>::max() / 60);
  if (!m) {
    // Windows: wcstol(), silently 0 for garbage.
    return t2p_error(T2p::general_parse_error,
                     fmt::format("polling interval \"{}\" of -p {} is not a number of minutes", v.substr(colon + 1),
                                 cite(v, position)),
                     position);
  }
  // 0 minutes means "not given" to ipseccmd (tPollingInterval is tested for non-zero).
  if (*m != 0)
    m_cmd.poll_minutes = static_cast<std::uint32_t>(*m);
  else
    m_cmd.poll_minutes.reset();
  return {};
}

Status Parser::finish() {
  m_cmd.mode = m_cmd.storage != StorageType::none ? IpsecpolMode::static_mode : IpsecpolMode::dynamic_mode;
  const bool static_only_flags =
      m_cmd.mode == IpsecpolMode::static_mode && (m_cmd.assign || m_cmd.unassign || m_cmd.delete_policy);
  if (m_cmd.filters.empty() && !static_only_flags) return usage_error("You must supply filters with -f");
  bool has_default = false;
  for (const auto& f : m_cmd.filters) has_default = has_default || f.is_default;
  if (has_default && m_cmd.filters.size() > 1) {
    // Windows only looks at the first filter to decide; a mix is refused here.
    return t2p_error(T2p::general_parse_error, "DEFAULT (the default response rule) must be the only filterspec of -f",
                     -1);
  }
  if (m_cmd.mode == IpsecpolMode::static_mode && (!m_cmd.policy_name || m_cmd.policy_name->empty())) {
    // ipseccmd -w REG -y with no filters only unassigns and needs no name.
    if (!(m_cmd.unassign && m_cmd.filters.empty())) return usage_error("You must supply a policy name");
  }
  return {};
}

}  // namespace

Result<IpsecpolCommand> parse_ipsecpol_command(const std::vector<std::string>& args, const Resolver& resolver) {
  Parser p(args, resolver);
  return p.run();
}

}  // namespace ipseckit::policy
