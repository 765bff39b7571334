// Strict decoding of the SA store records (schema in sa_record.h): every field checked, errors
// name the field ("esp/sa/c0ffee01.esp.cipher"), unknown fields refused.
#include <fmt/format.h>
#include <string.h>  // explicit_bzero

#include "base/bytes.h"
#include "base/strings.h"
#include "esp/sa_record.h"
#include "esp/suite.h"
#include "policy/algorithms.h"
#include "policy/json_fields.h"

namespace ipseckit::esp {

namespace {

using json = nlohmann::json;
using policy::JsonFields;

constexpr const char* kCode = "sa_record";

Status read_addr(JsonFields& f, std::string_view key, wire::IpAddr& out, bool required) {
  std::string s;
  IPSECKIT_TRY(f.str(key, s, required));
  if (s.empty() && !required) return {};
  auto a = wire::IpAddr::parse(s);
  if (!a) return f.bad(f.at(key), fmt::format("'{}' is not an IP address", s));
  out = *a;
  return {};
}

Status read_prefix(JsonFields& f, std::string_view key, wire::IpPrefix& out) {
  std::string s;
  IPSECKIT_TRY(f.str(key, s, true));
  auto p = wire::IpPrefix::parse(s);
  if (!p) return f.bad(f.at(key), fmt::format("'{}' is not an address prefix", s));
  out = *p;
  return {};
}

Status read_spi(JsonFields& f, std::string_view key, std::uint32_t& out) {
  std::string s;
  IPSECKIT_TRY(f.str(key, s, true));
  if (s.size() != 8 || s != str::to_lower(s))
    return f.bad(f.at(key), fmt::format("'{}' is not 8 lowercase hex digits", s));
  auto v = parse_spi(s);
  if (!v) return f.bad(f.at(key), fmt::format("'{}' is not 8 lowercase hex digits", s));
  if (*v < 256) return f.bad(f.at(key), fmt::format("SPI {} is reserved (RFC 4303 §2.1: 1..255)", s));
  out = *v;
  return {};
}

template <class E, class Names>
Status read_enum(JsonFields& f, std::string_view key, E& out, const Names& names) {
  std::string s;
  IPSECKIT_TRY(f.str(key, s, true));
  for (const auto& [name, value] : names)
    if (s == name) {
      out = value;
      return {};
    }
  return f.bad(f.at(key), fmt::format("unknown value '{}'", s));
}

Status read_esp(const json& j, const std::string& path, EspParams& out) {
  JsonFields f(j, path, kCode, true);
  IPSECKIT_TRY(f.object());
  IPSECKIT_TRY(read_spi(f, "spi", out.spi));
  std::string c, i;
  IPSECKIT_TRY(f.str("cipher", c, true));
  IPSECKIT_TRY(f.str("integrity", i, true));
  auto cipher = policy::cipher_from_json(c);
  if (!cipher) return f.bad(f.at("cipher"), fmt::format("unknown cipher '{}'", c));
  auto integ = policy::integrity_from_json(i);
  if (!integ) return f.bad(f.at("integrity"), fmt::format("unknown integrity algorithm '{}'", i));
  out.transform = {*cipher, *integ};
  if (auto s = esp_suite(out.transform); !s) return f.bad(path, s.error().message);
  return f.finish();
}

Status read_ah(const json& j, const std::string& path, AhParams& out) {
  JsonFields f(j, path, kCode, true);
  IPSECKIT_TRY(f.object());
  IPSECKIT_TRY(read_spi(f, "spi", out.spi));
  std::string i;
  IPSECKIT_TRY(f.str("integrity", i, true));
  auto integ = policy::integrity_from_json(i);
  if (!integ) return f.bad(f.at("integrity"), fmt::format("unknown integrity algorithm '{}'", i));
  out.integrity = *integ;
  if (auto s = ah_suite(out.integrity); !s) return f.bad(f.at("integrity"), s.error().message);
  return f.finish();
}

Status read_udp(const json& j, const std::string& path, UdpEncapParams& out) {
  JsonFields f(j, path, kCode, false);
  IPSECKIT_TRY(f.object());
  IPSECKIT_TRY(f.get("local_port", true));
  IPSECKIT_TRY(f.get("remote_port", true));
  IPSECKIT_TRY(f.uint("local_port", out.local_port, 65535));
  IPSECKIT_TRY(f.uint("remote_port", out.remote_port, 65535));
  if (out.local_port == 0) return f.bad(f.at("local_port"), "port 0");
  if (out.remote_port == 0) return f.bad(f.at("remote_port"), "port 0");
  for (const char* k : {"orig_src", "orig_dst"}) {
    auto v = f.get(k);
    if (!v) return v.error();
    if (!*v) continue;
    wire::IpAddr a;
    IPSECKIT_TRY(read_addr(f, k, a, true));
    (k[5] == 's' ? out.orig_src : out.orig_dst) = a;
  }
  return f.finish();
}

Status read_lifetime(const json& j, const std::string& path, LifetimeLimits& l) {
  JsonFields f(j, path, kCode, true);
  IPSECKIT_TRY(f.object());
  IPSECKIT_TRY(f.uint("soft_bytes", l.soft_bytes, UINT64_MAX));
  IPSECKIT_TRY(f.uint("hard_bytes", l.hard_bytes, UINT64_MAX));
  IPSECKIT_TRY(f.uint("soft_packets", l.soft_packets, UINT64_MAX));
  IPSECKIT_TRY(f.uint("hard_packets", l.hard_packets, UINT64_MAX));
  IPSECKIT_TRY(f.uint("soft_seconds", l.soft_seconds, UINT64_MAX));
  IPSECKIT_TRY(f.uint("hard_seconds", l.hard_seconds, UINT64_MAX));
  return f.finish();
}

Status read_selectors(const json& j, const std::string& path, SaSelectors& s) {
  JsonFields f(j, path, kCode, true);
  IPSECKIT_TRY(f.object());
  IPSECKIT_TRY(read_prefix(f, "local", s.local));
  IPSECKIT_TRY(read_prefix(f, "remote", s.remote));
  if (s.local.addr.is_v4() != s.remote.addr.is_v4()) return f.bad(f.at("remote"), "address family differs from local");
  IPSECKIT_TRY(f.uint("protocol", s.protocol, 255));
  IPSECKIT_TRY(f.uint("local_port", s.local_port, 65535));
  IPSECKIT_TRY(f.uint("remote_port", s.remote_port, 65535));
  return f.finish();
}

Status read_key(JsonFields& f, std::string_view key, std::size_t want, Bytes& out) {
  std::string s;
  IPSECKIT_TRY(f.str(key, s, true));
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
      return f.bad(f.at(key), "not hex digits");
  if (!from_hex(s, out)) return f.bad(f.at(key), "not hex digits");
  if (out.size() != want) return f.bad(f.at(key), fmt::format("{} bytes, the suite needs {}", out.size(), want));
  return {};
}

Status read_secret(const json& j, const std::string& path, SaConfig& c) {
  JsonFields f(j, path, kCode, false);
  IPSECKIT_TRY(f.object());
  if (c.esp) {
    auto sp = esp_suite(c.esp->transform);
    if (!sp) return f.bad(path, sp.error().message);
    Bytes enc, auth;
    IPSECKIT_TRY(read_key(f, "encryption_key", sp->enc_key, enc));
    IPSECKIT_TRY(read_key(f, "integrity_key", sp->auth_key, auth));
    enc.insert(enc.end(), auth.begin(), auth.end());
    c.esp->keymat = SecureBytes(std::move(enc));
    if (!auth.empty()) explicit_bzero(auth.data(), auth.size());
  }
  if (c.ah) {
    auto s = ah_suite(c.ah->integrity);
    if (!s) return f.bad(path, s.error().message);
    Bytes k;
    IPSECKIT_TRY(read_key(f, "ah_key", s->key, k));
    c.ah->keymat = SecureBytes(std::move(k));
  }
  return f.finish();
}

}  // namespace

Result<SaRecord> decode_sa_public(const json& j, const std::string& key) {
  JsonFields f(j, key, kCode, false);
  IPSECKIT_TRY(f.object());
  SaRecord r;
  SaConfig& c = r.config;
  std::uint32_t spi = 0;
  IPSECKIT_TRY(read_spi(f, "spi", spi));
  IPSECKIT_TRY(read_enum(
      f, "direction", r.meta.direction,
      std::initializer_list<std::pair<const char*, SaDirection>>{{"in", SaDirection::in}, {"out", SaDirection::out}}));
  IPSECKIT_TRY(read_enum(
      f, "origin", r.meta.origin,
      std::initializer_list<std::pair<const char*, SaOrigin>>{{"manual", SaOrigin::manual}, {"ike", SaOrigin::ike}}));
  IPSECKIT_TRY(read_enum(
      f, "mode", c.mode,
      std::initializer_list<std::pair<const char*, Mode>>{{"transport", Mode::transport}, {"tunnel", Mode::tunnel}}));
  IPSECKIT_TRY(read_addr(f, "local", c.local, true));
  IPSECKIT_TRY(read_addr(f, "peer", c.remote, true));
  if (c.local.is_v4() != c.remote.is_v4()) return f.bad(f.at("peer"), "address family differs from local");
  auto esp = f.get("esp");
  if (!esp) return esp.error();
  if (*esp) {
    c.esp.emplace();
    IPSECKIT_TRY(read_esp(**esp, f.at("esp"), *c.esp));
  }
  auto ah = f.get("ah");
  if (!ah) return ah.error();
  if (*ah) {
    c.ah.emplace();
    IPSECKIT_TRY(read_ah(**ah, f.at("ah"), *c.ah));
  }
  if (!c.esp && !c.ah) return f.bad(f.at("esp"), "missing (an SA needs \"esp\", \"ah\" or both)");
  if (record_spi(c) != spi)
    return f.bad(f.at("spi"),
                 fmt::format("'{}' is not the {} SPI {}", spi_hex(spi), c.esp ? "ESP" : "AH", spi_hex(record_spi(c))));
  auto udp = f.get("udp_encap");
  if (!udp) return udp.error();
  if (*udp) {
    if (!c.esp) return f.bad(f.at("udp_encap"), "UDP encapsulation needs ESP");
    c.udp_encap.emplace();
    IPSECKIT_TRY(read_udp(**udp, f.at("udp_encap"), *c.udp_encap));
  }
  IPSECKIT_TRY(f.get("esn", true));
  IPSECKIT_TRY(f.boolean("esn", c.esn));
  IPSECKIT_TRY(f.get("replay_window", true));
  IPSECKIT_TRY(f.uint("replay_window", c.replay_window, 1024));
  if (c.replay_window != 0 && c.replay_window < 64)
    return f.bad(f.at("replay_window"), fmt::format("{} is not 0 or 64..1024", c.replay_window));
  auto life = f.get("lifetime", true);
  if (!life) return life.error();
  IPSECKIT_TRY(read_lifetime(**life, f.at("lifetime"), c.lifetime));
  IPSECKIT_TRY(f.get("outer_ttl", true));
  IPSECKIT_TRY(f.uint("outer_ttl", c.outer_ttl, 255));
  if (c.outer_ttl == 0) return f.bad(f.at("outer_ttl"), "TTL 0");
  IPSECKIT_TRY(read_enum(f, "df", c.df,
                         std::initializer_list<std::pair<const char*, DfPolicy>>{
                             {"copy", DfPolicy::copy}, {"set", DfPolicy::set}, {"clear", DfPolicy::clear}}));
  IPSECKIT_TRY(f.get("path_mtu", true));
  IPSECKIT_TRY(f.uint("path_mtu", c.path_mtu, 65535));
  IPSECKIT_TRY(f.get("clamp_mss", true));
  IPSECKIT_TRY(f.uint("clamp_mss", c.clamp_mss, 65535));
  IPSECKIT_TRY(f.get("seq_start", true));
  IPSECKIT_TRY(f.uint("seq_start", c.seq_start, c.esn ? UINT64_MAX : UINT32_MAX));
  IPSECKIT_TRY(f.get("replay_top", true));
  IPSECKIT_TRY(f.uint("replay_top", c.replay_top, c.esn ? UINT64_MAX : UINT32_MAX));
  std::string rule;
  auto rv = f.get("rule");
  if (!rv) return rv.error();
  if (*rv) {
    IPSECKIT_TRY(f.str("rule", rule, true));
    r.meta.rule = rule;
  }
  auto sel = f.get("selectors");
  if (!sel) return sel.error();
  if (*sel) {
    r.meta.selectors.emplace();
    IPSECKIT_TRY(read_selectors(**sel, f.at("selectors"), *r.meta.selectors));
    if (r.meta.selectors->local.addr.is_v4() != c.local.is_v4() && c.mode == Mode::transport)
      return f.bad(f.at("selectors"), "address family differs from the SA's (transport mode)");
  }
  IPSECKIT_TRY(f.get("created", true));
  IPSECKIT_TRY(f.int64("created", r.meta.created));
  if (r.meta.created < 0) return f.bad(f.at("created"), "negative time");
  IPSECKIT_TRY(f.finish());
  return r;
}

Result<SaRecord> decode_sa(const json& pub, const json& secret, const std::string& key) {
  auto r = decode_sa_public(pub, key);
  if (!r) return r;
  IPSECKIT_TRY(read_secret(secret, "secret/" + key, r->config));
  return r;
}

}  // namespace ipseckit::esp
