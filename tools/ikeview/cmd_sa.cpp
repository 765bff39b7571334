// `ikeview sa [--json]`: the records the daemon keeps under ike/mm/ and ike/qm/.
// JSON keys (man/ikeview.8): phase, peer, local, state, encryption, integrity, dh_group, auth,
// spi_in, spi_out, mode, encap, expires_in; plus rule, id, and cookies, exchange, local_id and peer_id
// (main) or local_ts, remote_ts (quick).
#include <cstdio>

#include <fmt/format.h>

#include "ikeview/commands.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

namespace {

Json field(const Json& v, const char* k) {
  auto it = v.find(k);
  return it == v.end() ? Json(nullptr) : *it;
}

Json view(const Json& v, std::int64_t now) {
  Json o;
  for (const char* k : {"phase", "peer", "local", "state", "encryption", "integrity", "dh_group", "auth", "spi_in",
                        "spi_out", "mode", "encap"})
    o[k] = field(v, k);
  auto exp = field(v, "expires");
  o["expires_in"] = exp.is_number_integer() ? Json(std::max<std::int64_t>(0, exp.get<std::int64_t>() - now)) : Json(nullptr);
  o["rule"] = field(v, "rule");
  o["id"] = field(v, "id");
  if (o["phase"] == "main") {
    o["cookies"] = field(v, "cky_i").get<std::string>() + field(v, "cky_r").get<std::string>();
    // "main" or "aggressive" (RFC 2409 5); records of older daemons lack it: Main Mode.
    const Json ex = field(v, "exchange");
    o["exchange"] = ex.is_string() ? ex : Json("main");
    // The identities of phase 1 (RFC 2407 4.6.2.1), e.g. "ID_FQDN gw.example.com"; null if unknown.
    for (const char* k : {"local_id", "peer_id"}) {
      const Json id = field(v, k);
      o[k] = id.is_string() && !id.get<std::string>().empty() ? id : Json(nullptr);
    }
  } else {
    o["local_ts"] = field(v, "local_ts");
    o["remote_ts"] = field(v, "remote_ts");
    // Each protocol of the bundle (AH+ESP: RFC 2401 4.3) with its own SPI pair.
    o["protocols"] = field(v, "protocols");
  }
  return o;
}

std::string text(const Json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

// " + AH spi in X out Y" for the AH half of an AH+ESP bundle (ESP's SPIs are the headline).
std::string ah_text(const Json& protocols) {
  if (!protocols.is_array() || protocols.size() < 2) return "";
  for (const auto& p : protocols)
    if (p.is_object() && field(p, "protocol") == "ah")
      return fmt::format(" + AH spi in {} out {}", text(field(p, "spi_in")), text(field(p, "spi_out")));
  return "";
}

}  // namespace

int cmd_sa(const tool::StoreOptions& so, bool as_json) {
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  Json out = Json::array();
  const auto now = unix_now();
  for (const char* prefix : {kMmPrefix, kQmPrefix}) {
    auto l = c->list(prefix);
    if (!l) return tool::fail(kTool, l.error());
    for (const auto& e : l->items)
      if (e.value.is_object()) out.push_back(view(e.value, now));
  }
  if (as_json) {
    std::fputs((out.dump(2) + "\n").c_str(), stdout);
    return tool::kExitOk;
  }
  if (out.empty()) std::puts("no SAs");
  for (const auto& o : out) {
    if (o["phase"] == "main")
      std::fputs(fmt::format("main   {} -> {} {} {}/{}/group {} {} rule '{}' expires in {}s cookies {}\n", text(o["local"]),
                             text(o["peer"]), text(o["state"]), text(o["encryption"]), text(o["integrity"]),
                             text(o["dh_group"]), text(o["auth"]), text(o["rule"]), text(o["expires_in"]),
                             text(o["cookies"]))
                     .c_str(),
                 stdout);
    else
      std::fputs(fmt::format("quick  {} -> {} {} {} {}/{}{} spi in {} out {}{}{} rule '{}' {} === {} expires in {}s\n",
                             text(o["local"]), text(o["peer"]), text(o["state"]), text(o["mode"]), text(o["encryption"]),
                             text(o["integrity"]), o["dh_group"].is_null() ? "" : " PFS group " + text(o["dh_group"]),
                             text(o["spi_in"]), text(o["spi_out"]), ah_text(o["protocols"]), o["encap"] == true ? " udp-encap" : "",
                             text(o["rule"]), text(o["local_ts"]), text(o["remote_ts"]), text(o["expires_in"]))
                     .c_str(),
                 stdout);
  }
  return tool::kExitOk;
}

}  // namespace ipseckit::ikeview
