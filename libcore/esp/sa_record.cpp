// The store records of an SA: names, keys and encoding (schema in sa_record.h; decoding in
// sa_record_read.cpp).
#include "esp/sa_record.h"

#include <fmt/format.h>

#include "base/bytes.h"
#include "esp/suite.h"
#include "policy/algorithms.h"

namespace ipseckit::esp {

namespace {

using json = nlohmann::json;

Error config_error(const std::string& why) {
  return Error::make("config", why);
}

std::string hex_of(const std::uint8_t* p, std::size_t n) {
  return to_hex(ByteView(p, n));
}

// The key material split as the records store it.
struct Split {
  std::size_t enc = 0, auth = 0;
};

Result<Split> esp_split(const policy::EspTransform& t) {
  auto s = esp_suite(t);
  if (!s) return s.error();
  return Split{s->enc_key, s->auth_key};
}

Status check_config(const SaConfig& c) {
  if (!c.esp && !c.ah) return config_error("an SA needs ESP, AH or both");
  if (c.esp) {
    auto s = esp_suite(c.esp->transform);
    if (!s) return config_error(s.error().message);
    if (c.esp->keymat.size() != s->keymat())
      return config_error(
          fmt::format("ESP key material is {} bytes, {} needs {}", c.esp->keymat.size(), describe(*s), s->keymat()));
  }
  if (c.ah) {
    auto s = ah_suite(c.ah->integrity);
    if (!s) return config_error(s.error().message);
    if (c.ah->keymat.size() != s->key)
      return config_error(fmt::format("AH key is {} bytes, {} needs {}", c.ah->keymat.size(), describe(*s), s->key));
  }
  if (c.udp_encap && !c.esp) return config_error("UDP encapsulation needs ESP");
  if (c.replay_window != 0 && (c.replay_window < 64 || c.replay_window > 1024))
    return config_error(fmt::format("replay window {} is not 0 or 64..1024", c.replay_window));
  if (c.local.is_v4() != c.remote.is_v4()) return config_error("local and peer are of different address families");
  return {};
}

json lifetime_json(const LifetimeLimits& l) {
  return json{{"soft_bytes", l.soft_bytes},     {"hard_bytes", l.hard_bytes},     {"soft_packets", l.soft_packets},
              {"hard_packets", l.hard_packets}, {"soft_seconds", l.soft_seconds}, {"hard_seconds", l.hard_seconds}};
}

}  // namespace

std::uint32_t record_spi(const SaConfig& c) {
  return c.esp ? c.esp->spi : (c.ah ? c.ah->spi : 0);
}

std::string spi_hex(std::uint32_t spi) {
  return fmt::format("{:08x}", spi);
}

std::optional<std::uint32_t> parse_spi(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 8) return std::nullopt;
  std::uint32_t v = 0;
  for (char ch : s) {
    std::uint32_t d = 0;
    if (ch >= '0' && ch <= '9')
      d = static_cast<std::uint32_t>(ch - '0');
    else if (ch >= 'a' && ch <= 'f')
      d = static_cast<std::uint32_t>(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F')
      d = static_cast<std::uint32_t>(ch - 'A' + 10);
    else
      return std::nullopt;
    v = v << 4 | d;
  }
  return v;
}

std::string sa_public_key(std::uint32_t spi) {
  return kSaPrefix + spi_hex(spi);
}
std::string sa_secret_key(std::uint32_t spi) {
  return kSaSecretPrefix + spi_hex(spi);
}

std::string_view direction_name(SaDirection d) {
  return d == SaDirection::in ? "in" : "out";
}
std::string_view origin_name(SaOrigin o) {
  return o == SaOrigin::ike ? "ike" : "manual";
}
std::string_view mode_name(Mode m) {
  return m == Mode::tunnel ? "tunnel" : "transport";
}
std::string_view df_name(DfPolicy d) {
  switch (d) {
    case DfPolicy::set:
      return "set";
    case DfPolicy::clear:
      return "clear";
    case DfPolicy::copy:
      break;
  }
  return "copy";
}

Result<EncodedSa> encode_sa(const SaConfig& c, const SaMeta& meta) {
  IPSECKIT_TRY(check_config(c));
  if (c.esp && c.esp->spi < 256) return config_error(fmt::format("ESP SPI {} is reserved (1..255)", c.esp->spi));
  if (c.ah && c.ah->spi < 256) return config_error(fmt::format("AH SPI {} is reserved (1..255)", c.ah->spi));
  if (meta.selectors && meta.selectors->local.addr.is_v4() != meta.selectors->remote.addr.is_v4())
    return config_error("selectors: local and remote of different address families");
  EncodedSa e;
  const auto spi = record_spi(c);
  e.spi = spi_hex(spi);
  e.public_key = sa_public_key(spi);
  e.secret_key = sa_secret_key(spi);
  json& p = e.public_record;
  p = json::object();
  p["spi"] = e.spi;
  p["direction"] = direction_name(meta.direction);
  p["origin"] = origin_name(meta.origin);
  p["mode"] = mode_name(c.mode);
  p["local"] = c.local.str();
  p["peer"] = c.remote.str();
  json& s = e.secret_record;
  s = json::object();
  if (c.esp) {
    p["esp"] = {{"spi", spi_hex(c.esp->spi)},
                {"cipher", policy::json_name(c.esp->transform.cipher)},
                {"integrity", policy::json_name(c.esp->transform.integrity)}};
    auto sp = esp_split(c.esp->transform).value();
    s["encryption_key"] = hex_of(c.esp->keymat.data(), sp.enc);
    s["integrity_key"] = hex_of(c.esp->keymat.data() + sp.enc, sp.auth);
  }
  if (c.ah) {
    p["ah"] = {{"spi", spi_hex(c.ah->spi)}, {"integrity", policy::json_name(c.ah->integrity)}};
    s["ah_key"] = hex_of(c.ah->keymat.data(), c.ah->keymat.size());
  }
  if (c.udp_encap) {
    json u = {{"local_port", c.udp_encap->local_port}, {"remote_port", c.udp_encap->remote_port}};
    if (c.udp_encap->orig_src) u["orig_src"] = c.udp_encap->orig_src->str();
    if (c.udp_encap->orig_dst) u["orig_dst"] = c.udp_encap->orig_dst->str();
    p["udp_encap"] = u;
  }
  p["esn"] = c.esn;
  p["replay_window"] = c.replay_window;
  p["lifetime"] = lifetime_json(c.lifetime);
  p["outer_ttl"] = c.outer_ttl;
  p["df"] = df_name(c.df);
  p["path_mtu"] = c.path_mtu;
  p["clamp_mss"] = c.clamp_mss;
  p["seq_start"] = c.seq_start;
  p["replay_top"] = c.replay_top;
  if (meta.rule) p["rule"] = *meta.rule;
  if (meta.selectors) {
    const auto& sel = *meta.selectors;
    p["selectors"] = {{"local", sel.local.str()},
                      {"remote", sel.remote.str()},
                      {"protocol", sel.protocol},
                      {"local_port", sel.local_port},
                      {"remote_port", sel.remote_port}};
  }
  p["created"] = meta.created;
  return e;
}

}  // namespace ipseckit::esp
