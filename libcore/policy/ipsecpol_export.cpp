// export_ipsecpol_script; see ipsecpol_export.h.
#include "policy/ipsecpol_export.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "policy/defaults.h"
#include "policy/ipsecpol_auth.h"
#include "policy/ipsecpol_batch.h"
#include "policy/ipsecpol_cmdline.h"
#include "policy/ipsecpol_filterspec.h"
#include "policy/ipsecpol_mainmode.h"
#include "policy/ipsecpol_negpolicy.h"

namespace ipseckit::policy {
namespace {

std::string one_line(std::string_view s) {
  std::string r(s);
  std::replace_if(
      r.begin(), r.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return r;
}

// Whether ipsecpol's tokenizer hands `v` to a value flag unchanged.
bool writable_value(std::string_view v) {
  return !v.empty() && !is_ipsecpol_flag(v) && v.size() <= kMaxIpsecpolArgLength && !str::iequals(v, "show") &&
         v.find_first_of("\r\n") == std::string_view::npos;  // one command per line
}

class ScriptWriter {
 public:
  ScriptWriter(const PolicySet& set, const Policy& p, bool include_psk) : m_set(set), m_p(p), m_psk(include_psk) {}
  std::string run(bool assign);

 private:
  void rem(std::string_view text) { m_out += "REM " + one_line(text) + "\n"; }
  void command(const std::vector<std::string>& words) { m_out += "ipsecpol " + str::join(words, " ") + "\n"; }
  std::vector<std::string> head() const { return {"-w", "REG", "-p", m_pflag}; }
  void mm_flags();
  bool rule(const Rule& r);
  void filters(const Rule& r, const FilterList& fl, std::vector<std::string>& words);
  void action(const Rule& r, const FilterAction& fa, std::vector<std::string>& words);
  void offers(const std::vector<QmOffer>& offers, std::string_view where, std::vector<std::string>& words);
  void auth(const std::vector<AuthMethod>& auth, std::string_view where, std::vector<std::string>& words);
  void default_response(bool needed);
  std::size_t rules_using_list(const std::string& name) const;
  std::size_t rules_using_action(const std::string& name) const;

  const PolicySet& m_set;
  const Policy& m_p;
  const bool m_psk;
  std::string m_out;
  std::string m_pflag;
  std::vector<std::string> m_mm;  // -1s/-1k/-1p/-1e words, on every line
};

std::string ScriptWriter::run(bool assign) {
  rem(
      fmt::format("ipsecpol script for policy \"{}\", written by ipseckit. Run the lines in order; REM lines note "
                  "what the ipsecpol syntax cannot express.",
                  m_p.name));
  const bool name_ok = writable_value(m_p.name) && m_p.name.find(':') == std::string::npos &&
                       m_p.name.size() + 11 <= kMaxIpsecpolArgLength;
  if (!name_ok) {
    rem(
        fmt::format("the policy name \"{}\" cannot be given to -p (it is empty, starts with - or /, contains ':' or a "
                    "line break, is \"show\" or is too long); nothing can be recreated",
                    m_p.name));
    return m_out;
  }
  const std::uint32_t poll = m_p.poll_interval_seconds;
  if (poll != 0 && poll % 60 == 0) {
    m_pflag = quote_command_arg(fmt::format("{}:{}", m_p.name, poll / 60), true);
  } else {
    m_pflag = quote_command_arg(m_p.name, true);
    rem(fmt::format("polling interval {} s is not a whole, non-zero number of minutes; the policy gets 180 minutes",
                    poll));
  }
  if (!m_p.description.empty()) rem("policy description (not expressible): " + m_p.description);
  mm_flags();
  std::size_t written = 0;
  for (const auto& r : m_p.rules)
    if (rule(r)) ++written;
  default_response(written == 0);
  if (assign) command({"-w", "REG", "-p", m_pflag, "-x"});
  return m_out;
}

void ScriptWriter::mm_flags() {
  const IsakmpPolicy& k = m_p.isakmp;
  if (k.offers.empty()) return;
  const auto defaults = default_mm_offers();
  auto same_algos = [](const MmOffer& a, const MmOffer& b) {
    return a.cipher == b.cipher && a.hash == b.hash && a.group == b.group;
  };
  const bool default_algos = std::equal(k.offers.begin(), k.offers.end(), defaults.begin(), defaults.end(), same_algos);
  if (!default_algos) {
    std::vector<std::string> items;
    for (const auto& o : k.offers) {
      if (auto s = format_mm_offer(o))
        items.push_back(*s);
      else
        rem(fmt::format("a main mode offer ({}, {}, group {}) cannot be written for -1s; left out",
                        windows_name(o.cipher), windows_name(o.hash), static_cast<unsigned>(o.group)));
    }
    if (!items.empty()) {
      m_mm.emplace_back("-1s");
      m_mm.insert(m_mm.end(), items.begin(), items.end());
    }
  }
  const MmOffer& first = k.offers.front();
  for (const auto& o : k.offers) {
    if (o.lifetime_seconds != first.lifetime_seconds || o.qm_limit != first.qm_limit) {
      rem("main mode offers have different lifetimes or quick-mode limits; ipsecpol applies the first offer's to "
          "all");
      break;
    }
  }
  if (k.mm_pfs) {
    m_mm.emplace_back("-1p");
    if (first.qm_limit != 1) rem(fmt::format("-1p sets a quick-mode limit of 1 (the policy has {})", first.qm_limit));
  }
  std::vector<std::string> rekey;
  if (!k.mm_pfs && first.qm_limit != 0) rekey.push_back(fmt::format("{}Q", first.qm_limit));
  if (first.lifetime_seconds != kDefaultMmLifetimeSeconds) rekey.push_back(fmt::format("{}S", first.lifetime_seconds));
  if (!rekey.empty()) {
    m_mm.emplace_back("-1k");
    m_mm.push_back(str::join(rekey, "/"));
  }
  if (k.soft_sa_expiry_seconds != 0) {
    m_mm.emplace_back("-1e");
    m_mm.push_back(std::to_string(k.soft_sa_expiry_seconds));
  }
}

std::size_t ScriptWriter::rules_using_list(const std::string& name) const {
  std::size_t n = 0;
  for (const auto& p : m_set.policies)
    for (const auto& r : p.rules)
      if (r.filter_list == name) ++n;
  return n;
}

std::size_t ScriptWriter::rules_using_action(const std::string& name) const {
  std::size_t n = 0;
  for (const auto& p : m_set.policies)
    for (const auto& r : p.rules)
      if (r.filter_action == name) ++n;
  return n;
}

bool ScriptWriter::rule(const Rule& r) {
  if (!writable_value(r.name)) {
    rem(
        fmt::format("rule \"{}\" cannot be named with -r (empty, starts with - or /, is \"show\" or is too long); "
                    "left out",
                    r.name));
    return false;
  }
  const FilterList* fl = m_set.find_filter_list(r.filter_list);
  const FilterAction* fa = m_set.find_filter_action(r.filter_action);
  if (!fl || !fa) {
    rem(fmt::format("rule \"{}\" refers to a missing filter list or action; left out", r.name));
    return false;
  }
  std::vector<std::string> words = head();
  words.emplace_back("-r");
  words.push_back(quote_command_arg(r.name, true));
  const std::size_t before = words.size();
  filters(r, *fl, words);
  if (words.size() == before + 1) {  // only "-f"
    rem(fmt::format("rule \"{}\" has no filter that ipsecpol can express; left out", r.name));
    return false;
  }
  action(r, *fa, words);
  if (!r.mm_filters.empty())
    rem(fmt::format("rule \"{}\": its {} explicit main-mode filter(s) (-1f) apply to dynamic rules only; a static "
                    "policy derives its main-mode filters from the rule's filters",
                    r.name, r.mm_filters.size()));
  auth(r.auth, fmt::format("rule \"{}\"", r.name), words);
  if (r.tunnel) {
    auto dst = format_tunnel_endpoint(*r.tunnel);
    auto src = r.tunnel_src ? format_tunnel_endpoint(*r.tunnel_src) : Result<std::string>(std::string());
    if (dst && src && (!writable_value(*dst) || (r.tunnel_src && !writable_value(*src)))) {
      dst = Error::make("unsupported", "a word ipsecpol would not read as an address, such as \"show\"");
    }
    if (!dst || !src) {
      rem(fmt::format("rule \"{}\": its tunnel endpoint cannot be written for -t ({}); left out", r.name,
                      !dst ? dst.error().message : src.error().message));
      return false;
    }
    words.emplace_back("-t");
    if (r.tunnel_src) words.push_back(*src);
    words.push_back(*dst);
  }
  if (r.conn == ConnType::lan) words.emplace_back("-lan");
  if (r.conn == ConnType::dialup) words.emplace_back("-dialup");
  const bool soft = fa->action == ActionType::negotiate && fa->soft;
  if (soft) words.emplace_back("-soft");
  words.insert(words.end(), m_mm.begin(), m_mm.end());
  // -soft sets a 300 s soft SA expiry when none is set; pin the policy's value.
  if (soft && m_p.isakmp.soft_sa_expiry_seconds == 0) {
    words.emplace_back("-1e");
    words.emplace_back("0");
  }
  if (!r.description.empty()) rem(fmt::format("rule \"{}\" description (not expressible): {}", r.name, r.description));
  if (!r.active) rem(fmt::format("rule \"{}\" is inactive; ipsecpol creates active rules", r.name));
  command(words);
  return true;
}

void ScriptWriter::filters(const Rule& r, const FilterList& fl, std::vector<std::string>& words) {
  words.emplace_back("-f");
  const bool tunnel = r.tunnel.has_value();
  if (fl.name != r.name + " filter list")
    rem(fmt::format("filter list \"{}\" of rule \"{}\" is recreated as \"{} filter list\"", fl.name, r.name, r.name));
  if (!fl.description.empty())
    rem(fmt::format("filter list \"{}\" description (not expressible): {}", fl.name, fl.description));
  if (rules_using_list(fl.name) > 1)
    rem(fmt::format("filter list \"{}\" is shared by several rules; the script gives rule \"{}\" its own copy", fl.name,
                    r.name));
  for (std::size_t i = 0; i < fl.filters.size(); ++i) {
    Filter f = fl.filters[i];
    const auto where = fmt::format("filter {} of list \"{}\"", i + 1, fl.name);
    if (tunnel && f.mirrored) {
      rem(where + " is mirrored, but ipsecpol tunnel filters are one-way; written with '='");
      f.mirrored = false;
    }
    if (!f.description.empty()) rem(where + " description (not expressible): " + f.description);
    for (const Address* a : {&f.src, &f.dst}) {
      if (a->kind == AddrKind::dns &&
          std::any_of(a->resolved.begin(), a->resolved.end(), [](const wire::IpAddr& x) { return x.is_v6(); }))
        rem(fmt::format("{}: ipsecpol resolves \"{}\" to IPv4 addresses only", where, a->dns_name));
    }
    auto spec = format_filterspec(f);
    if (!spec) {
      rem(fmt::format("{} cannot be written as a filterspec ({}); left out", where, spec.error().message));
      continue;
    }
    if (spec->size() > kMaxIpsecpolArgLength) {
      rem(where + " is longer than ipsecpol's 255-character argument limit; left out");
      continue;
    }
    words.push_back(quote_command_arg(*spec));
  }
}

void ScriptWriter::action(const Rule& r, const FilterAction& fa, std::vector<std::string>& words) {
  if (fa.name != r.name + " filter action")
    rem(fmt::format("filter action \"{}\" of rule \"{}\" is recreated as \"{} filter action\"", fa.name, r.name,
                    r.name));
  if (!fa.description.empty())
    rem(fmt::format("filter action \"{}\" description (not expressible): {}", fa.name, fa.description));
  if (rules_using_action(fa.name) > 1)
    rem(fmt::format("filter action \"{}\" is shared by several rules; the script gives rule \"{}\" its own copy",
                    fa.name, r.name));
  words.emplace_back("-n");
  switch (fa.action) {
    case ActionType::permit:
      words.emplace_back("PASS");
      return;
    case ActionType::block:
      words.emplace_back("BLOCK");
      return;
    case ActionType::negotiate:
      break;
  }
  if (fa.inpass) words.emplace_back("INPASS");
  offers(fa.offers, fmt::format("filter action \"{}\"", fa.name), words);
  if (words.back() == "-n") {
    words.pop_back();
    rem(
        fmt::format("filter action \"{}\" negotiates with no security method ipsecpol can express; the rule gets "
                    "ipsecpol's default offers",
                    fa.name));
  }
}

void ScriptWriter::offers(const std::vector<QmOffer>& list, std::string_view where, std::vector<std::string>& words) {
  const QmOffer* pfs = nullptr;
  bool mixed = false;
  for (const auto& o : list) {
    if (!o.pfs.enabled) continue;
    if (pfs && pfs->pfs.group != o.pfs.group) mixed = true;
    if (!pfs) pfs = &o;
  }
  if (pfs && std::any_of(list.begin(), list.end(), [](const QmOffer& o) { return !o.pfs.enabled; })) mixed = true;
  if (mixed) rem(fmt::format("{}: PFS differs between offers; ipsecpol applies PFS to every offer", where));
  for (const auto& o : list) {
    auto s = format_qm_offer(o);
    if (!s) {
      rem(fmt::format("{}: an offer cannot be written for -n ({}); left out", where, s.error().message));
      continue;
    }
    words.push_back(*s);
  }
}

void ScriptWriter::auth(const std::vector<AuthMethod>& list, std::string_view where, std::vector<std::string>& words) {
  words.emplace_back("-a");
  if (list.empty()) {
    words.emplace_back("KERBEROS");  // the model's "empty means Kerberos"
    return;
  }
  for (const auto& a : list) {
    std::string w = format_auth_method(a, m_psk);
    if (w.find_first_of("\r\n") != std::string::npos) {
      rem(fmt::format("{}: a key or CA name with a line break cannot be written; replace (hidden) with it", where));
      w = a.kind == AuthKind::psk ? "PRESHARE:(hidden)" : "CERT:(hidden)";
    } else if (a.kind == AuthKind::psk && (!m_psk || a.psk.empty()))
      rem(fmt::format("{}: the pre-shared key is withheld{}; replace (hidden) with it", where,
                      a.psk_ref.empty() ? "" : " (it is held in the store as " + a.psk_ref + ")"));
    if (a.cert_map || a.exclude_ca_name)
      rem(fmt::format("{}: certificate mapping / excluding the CA name cannot be expressed", where));
    // PRESHARE:"value" / CERT:"value": quotes around the value, as the Windows docs write it.
    const auto colon = w.find(':');
    if (colon != std::string::npos) w = w.substr(0, colon + 1) + quote_command_arg(w.substr(colon + 1), true);
    words.push_back(std::move(w));
  }
}

void ScriptWriter::default_response(bool needed) {
  const DefaultResponseRule& d = m_p.default_response;
  const DefaultResponseRule def = default_response_rule();
  const bool differs =
      d.offers != def.offers ||
      (d.auth != def.auth && !(d.auth.empty() && def.auth.size() == 1 && def.auth.front().kind == AuthKind::kerberos));
  if (!d.active) {
    // ipsecpol creates the default response rule inactive (as ipseccmd does) and can only
    // activate it (-f DEFAULT), so an inactive rule is written by writing nothing.
    if (differs) rem("the inactive default response rule has its own security methods, which ipsecpol cannot write "
                     "without activating it");
    if (needed) rem("a policy without rules and with an inactive default response rule cannot be created by ipsecpol "
                    "alone (create it with ipsecpol import or netsh add policy)");
    return;
  }
  std::vector<std::string> words = head();
  words.emplace_back("-f");
  words.emplace_back("DEFAULT");
  words.emplace_back("-n");
  offers(d.offers, "the default response rule", words);
  if (words.back() == "-n") {
    words.pop_back();
    rem("the default response rule has no security method ipsecpol can express; its offers are left as created");
  }
  auth(d.auth, "the default response rule", words);
  words.insert(words.end(), m_mm.begin(), m_mm.end());
  command(words);
}

}  // namespace

std::string export_ipsecpol_script(const PolicySet& set, const std::string& policy_name, bool include_psk,
                                   bool assign) {
  const Policy* p = set.find_policy(policy_name);
  if (!p) return "REM ipsecpol export: there is no policy named \"" + one_line(policy_name) + "\"\n";
  ScriptWriter w(set, *p, include_psk);
  return w.run(assign);
}

}  // namespace ipseckit::policy
