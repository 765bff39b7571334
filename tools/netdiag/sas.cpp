// `netdiag sas` and `netdiag stats`: the SAs and counters the daemons publish in the store.
//   ike/mm/*  phase-1 (Main Mode) SAs, ike/qm/* phase-2 (Quick Mode) SAs   (ikeview)
//   esp/sa/*  the data plane's SAs, one per SPI and direction             (ikeview or espd sa add)
//   stats/espd, stats/ikeview                                              (the daemons)
// Keys live under secret/, which is never read here; any member whose name mentions a key is
// dropped anyway, so a record written by a future daemon cannot leak one through netdiag.
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "base/strings.h"
#include "common/stats_names.h"
#include "netdiag/report.h"

namespace ipseckit::netdiag {
namespace {

using json = nlohmann::json;

json scrub(const json& v) {
  if (v.is_object()) {
    json o = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (str::to_lower(it.key()).find("key") != std::string::npos) continue;  // *_key, keymat, skeyid*
      o[it.key()] = scrub(it.value());
    }
    return o;
  }
  if (v.is_array()) {
    json a = json::array();
    for (const auto& x : v) a.push_back(scrub(x));
    return a;
  }
  return v;
}

Result<json> list_records(store::Client& c, const std::string& prefix) {
  auto l = c.list(prefix);
  if (!l) return std::move(l).error();
  json a = json::array();
  for (const auto& e : l->items) {
    json r = scrub(e.value);
    if (!r.is_object()) continue;
    r["store_key"] = e.key;
    a.push_back(std::move(r));
  }
  return a;
}

std::string s(const json& o, const char* k) {
  if (!o.contains(k) || o[k].is_null()) return "-";
  return o[k].is_string() ? o[k].get<std::string>() : o[k].dump();
}

std::string expires(const json& o) {
  if (!o.contains("expires") || !o["expires"].is_number_integer()) return "-";
  const auto left = o["expires"].get<std::int64_t>() - static_cast<std::int64_t>(std::time(nullptr));
  return fmt::format("{} s", left > 0 ? left : 0);
}

std::string sas_text(const json& j) {
  std::string out = fmt::format("Main Mode SAs (phase 1, ike/mm/): {}\n", j["main_mode"].size());
  for (const auto& m : j["main_mode"])
    out += fmt::format("  {} <-> {}  {}  {}/{}/group {}  {}  rule {}  expires in {}\n", s(m, "local"), s(m, "peer"),
                       s(m, "state"), s(m, "encryption"), s(m, "integrity"), s(m, "dh_group"), s(m, "auth"), s(m, "rule"),
                       expires(m));
  out += fmt::format("Quick Mode SAs (phase 2, ike/qm/): {}\n", j["quick_mode"].size());
  for (const auto& q : j["quick_mode"])
    out += fmt::format("  {} <-> {}  {}  {}{}  {}/{}  SPI in {} out {}  {} <-> {}  PFS group {}  expires in {}\n",
                       s(q, "local"), s(q, "peer"), s(q, "state"), s(q, "mode"),
                       q.value("encap", false) ? " (UDP-encapsulated)" : "", s(q, "encryption"), s(q, "integrity"),
                       s(q, "spi_in"), s(q, "spi_out"), s(q, "local_ts"), s(q, "remote_ts"), s(q, "dh_group"), expires(q));
  out += fmt::format("Data-plane SAs (esp/sa/): {}\n", j["data_plane"].size());
  for (const auto& e : j["data_plane"]) {
    std::string suite;
    if (e.contains("ah") && e["ah"].is_object()) suite += "AH[" + s(e["ah"], "integrity") + "]";
    if (e.contains("esp") && e["esp"].is_object())
      suite += (suite.empty() ? "" : "+") + fmt::format("ESP[{},{}]", s(e["esp"], "cipher"), s(e["esp"], "integrity"));
    const bool in = s(e, "direction") == "in";
    out += fmt::format("  SPI {} {:<3} {} -> {}  {}  {}{}  origin {}\n", s(e, "spi"), s(e, "direction"),
                       in ? s(e, "peer") : s(e, "local"), in ? s(e, "local") : s(e, "peer"), s(e, "mode"), suite,
                       e.contains("udp_encap") ? " UDP-encap" : "", s(e, "origin"));
  }
  return out;
}

template <std::size_t N>
std::string stats_block(const std::string& title, const json& v, const std::array<std::string_view, N>& names,
                        const char* daemon) {
  std::string out = title + "\n";
  if (!v.is_object()) return out + fmt::format("  not available: {} has not published statistics\n", daemon);
  for (auto n : names) {
    const std::string k(n);
    if (v.contains(k) && v[k].is_number()) out += fmt::format("  {:<32} {}\n", k, str::group_thousands(v[k].get<std::uint64_t>()));
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    bool windows = false;
    for (auto n : names) windows = windows || it.key() == n;
    if (!windows && it.value().is_number())
      out += fmt::format("  {:<32} {}\n", it.key(), str::group_thousands(it.value().get<std::uint64_t>()));
  }
  return out;
}

}  // namespace

int run_sas(const tool::StoreOptions& so, bool as_json) {
  auto c = tool::connect(so, /*autostart=*/false);
  if (!c) return tool::fail(kTool, c.error());
  json j = json::object();
  for (auto [name, prefix] : {std::pair{"main_mode", "ike/mm/"}, {"quick_mode", "ike/qm/"}, {"data_plane", "esp/sa/"}}) {
    auto l = list_records(*c, prefix);
    if (!l) return tool::fail(kTool, l.error());
    j[name] = std::move(*l);
  }
  std::fputs(as_json ? (j.dump(2) + "\n").c_str() : sas_text(j).c_str(), stdout);
  return tool::kExitOk;
}

int run_stats(const tool::StoreOptions& so, bool as_json) {
  auto c = tool::connect(so, /*autostart=*/false);
  if (!c) return tool::fail(kTool, c.error());
  auto esp = c->get("stats/espd");
  auto ike = c->get("stats/ikeview");
  json j = {{"ipsec", esp ? scrub(esp->value) : json(nullptr)}, {"ike", ike ? scrub(ike->value) : json(nullptr)}};
  if (as_json) {
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
  } else {
    std::string out = stats_block("IKE Statistics (stats/ikeview)", j["ike"], tool::kIkeStatNames, "ikeview");
    out += "\n" + stats_block("IPSec Statistics (stats/espd)", j["ipsec"], tool::kIpsecStatNames, "espd");
    std::fputs(out.c_str(), stdout);
  }
  return tool::kExitOk;
}

}  // namespace ipseckit::netdiag
