// Query mode (XP ipseccmd "show"): filters, policies, auth, stats, sas, all.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "common/stats_names.h"
#include "ipsecpol/commands.h"
#include "ipsecpol/format.h"
#include "ipsecpol/session.h"
#include "policy/json.h"
#include "policy/spd_json.h"

namespace ipseckit::ipsecpol {
namespace {

using json = nlohmann::json;

struct Want {
  bool filters = false, policies = false, auth = false, stats = false, sas = false;
};

Result<Want> parse_words(const std::vector<std::string>& words) {
  Want w;
  if (words.empty()) return Error::make("usage", "show: name at least one of filters policies auth stats sas all");
  for (const auto& word : words) {
    if (str::iequals(word, "filters")) w.filters = true;
    else if (str::iequals(word, "policies")) w.policies = true;
    else if (str::iequals(word, "auth")) w.auth = true;
    else if (str::iequals(word, "stats")) w.stats = true;
    else if (str::iequals(word, "sas")) w.sas = true;
    else if (str::iequals(word, "all")) w = Want{true, true, true, true, true};
    else return Error::make("usage", fmt::format("show: unknown keyword \"{}\" (filters policies auth stats sas all)", word));
  }
  return w;
}

template <std::size_t N>
std::string stats_text(const std::string& title, const std::array<std::string_view, N>& names,
                       const Result<store::Entry>& e, const char* daemon) {
  std::string s = section(title);
  if (!e) return s + fmt::format(" not available: {} has not reported statistics to the store\n\n", daemon);
  for (auto name : names) {
    const std::string n(name);
    std::uint64_t v = 0;
    if (e->value.contains(n) && e->value[n].is_number_unsigned()) v = e->value[n].get<std::uint64_t>();
    s += fmt::format(" {:<30} {}\n", n, str::group_thousands(v));
  }
  return s + "\n";
}

std::string sas_text(const std::string& title, const std::vector<store::Entry>& items) {
  std::string s = section(title);
  if (items.empty()) return s + "No SAs\n\n";
  int n = 0;
  for (const auto& e : items) {
    s += fmt::format("SA #{}: {}\n", ++n, e.key);
    for (auto it = e.value.begin(); it != e.value.end(); ++it)
      s += fmt::format(" {:<20}: {}\n", it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    s += "\n";
  }
  return s;
}

}  // namespace

int run_show(const std::vector<std::string>& words, bool as_json, const tool::StoreOptions& so) {
  auto want = parse_words(words);
  if (!want) return tool::fail(kTool, want.error());
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  auto spd = load_spd(*c);
  if (!spd && (want->filters || want->policies || want->auth)) return tool::fail(kTool, spd.error());

  json out = json::object();
  std::string text;
  if (want->filters) {
    if (as_json) {
      json f;
      auto arr = [&](const auto& v, auto fn, bool specific) {
        json a = json::array();
        for (const auto& x : v) a.push_back(fn(*spd, x, specific));
        return a;
      };
      json gt = json::array(), st = json::array(), gn = json::array(), sn = json::array();
      for (const auto& x : spd->filters) (x.tunnel ? gn : gt).push_back(policy::filter_json(*spd, x, false));
      for (const auto& x : spd->specific) (x.tunnel ? sn : st).push_back(policy::filter_json(*spd, x, true));
      f["generic_mm"] = arr(spd->mm_filters, policy::mm_filter_json, false);
      f["specific_mm"] = arr(spd->mm_specific, policy::mm_filter_json, true);
      f["generic_transport"] = gt;
      f["specific_transport"] = st;
      f["generic_tunnel"] = gn;
      f["specific_tunnel"] = sn;
      out["filters"] = f;
    } else {
      text += format_filters(*spd);
    }
  }
  if (want->policies) {
    if (as_json) {
      json full = policy::to_json(*spd);
      out["policies"] = {{"main_mode", full["mm_policies"]}, {"quick_mode", full["qm_policies"]}};
    } else {
      text += format_policies(*spd);
    }
  }
  if (want->auth) {
    if (as_json) out["auth"] = policy::to_json(*spd)["auth"];
    else text += format_auth(*spd);
  }
  if (want->stats) {
    auto ike = c->get("stats/ikeview");
    auto esp = c->get("stats/espd");
    if (as_json) {
      out["stats"] = {{"ike", ike ? ike->value : json(nullptr)}, {"ipsec", esp ? esp->value : json(nullptr)}};
    } else {
      text += stats_text("IKE Statistics", tool::kIkeStatNames, ike, "the ikeview daemon");
      text += stats_text("IPSec Statistics", tool::kIpsecStatNames, esp, "the espd data plane");
    }
  }
  if (want->sas) {
    auto mm = c->list("ike/mm/");
    auto qm = c->list("ike/qm/");
    if (!mm) return tool::fail(kTool, mm.error());
    if (!qm) return tool::fail(kTool, qm.error());
    if (as_json) {
      json m = json::array(), q = json::array();
      for (const auto& e : mm->items) m.push_back(e.value);
      for (const auto& e : qm->items) q.push_back(e.value);
      out["sas"] = {{"main_mode", m}, {"quick_mode", q}};
    } else {
      text += sas_text("Main Mode SAs", mm->items);
      text += sas_text("Quick Mode SAs", qm->items);
    }
  }
  if (as_json) std::fputs((out.dump(2) + "\n").c_str(), stdout);
  else std::fputs(text.c_str(), stdout);
  return tool::kExitOk;
}

}  // namespace ipseckit::ipsecpol
