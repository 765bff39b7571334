// The store records of an SA: names, keys and encoding (schema in sa_record.h; decoding in
// sa_record_read.cpp).
#include "esp/sa_record.h"

#include <fmt/format.h>

#include "base/bytes.h"
#include "base/json_text.h"
#include "esp/suite.h"
#include "policy/algorithms.h"

namespace ipseckit::esp {

namespace {

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

// Keys in ascending order (base/json_text.h).
void write_lifetime(JsonText& w, const LifetimeLimits& l) {
  w.object("lifetime")
      .num("hard_bytes", l.hard_bytes)
      .num("hard_packets", l.hard_packets)
      .num("hard_seconds", l.hard_seconds)
      .num("soft_bytes", l.soft_bytes)
      .num("soft_packets", l.soft_packets)
      .num("soft_seconds", l.soft_seconds)
      .end();
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
  // The fields of both records in ascending key order (base/json_text.h; schema in sa_record.h).
  JsonText p(1024);  // ~600 bytes with selectors
  JsonText sec(256);  // at most ~240 bytes (AES-256, SHA-512, AH)
  if (c.ah) {
    p.object("ah").str("integrity", policy::json_name(c.ah->integrity)).str("spi", spi_hex(c.ah->spi)).end();
    sec.str("ah_key", hex_of(c.ah->keymat.data(), c.ah->keymat.size()));
  }
  p.num("clamp_mss", c.clamp_mss).num("created", meta.created).str("df", df_name(c.df));
  p.str("direction", direction_name(meta.direction)).boolean("esn", c.esn);
  if (c.esp) {
    p.object("esp")
        .str("cipher", policy::json_name(c.esp->transform.cipher))
        .str("integrity", policy::json_name(c.esp->transform.integrity))
        .str("spi", spi_hex(c.esp->spi))
        .end();
    auto sp = esp_split(c.esp->transform).value();
    sec.str("encryption_key", hex_of(c.esp->keymat.data(), sp.enc));
    sec.str("integrity_key", hex_of(c.esp->keymat.data() + sp.enc, sp.auth));
  }
  write_lifetime(p, c.lifetime);
  p.str("local", c.local.str()).str("mode", mode_name(c.mode)).str("origin", origin_name(meta.origin));
  p.num("outer_ttl", c.outer_ttl).num("path_mtu", c.path_mtu).str("peer", c.remote.str());
  p.num("replay_top", c.replay_top).num("replay_window", c.replay_window);
  if (meta.rule) p.str("rule", *meta.rule);
  if (meta.selectors) {
    const auto& sel = *meta.selectors;
    p.object("selectors")
        .str("local", sel.local.str())
        .num("local_port", sel.local_port)
        .num("protocol", sel.protocol)
        .str("remote", sel.remote.str())
        .num("remote_port", sel.remote_port)
        .end();
  }
  p.num("seq_start", c.seq_start).str("spi", e.spi);
  if (c.udp_encap) {
    p.object("udp_encap").num("local_port", c.udp_encap->local_port);
    if (c.udp_encap->orig_dst) p.str("orig_dst", c.udp_encap->orig_dst->str());
    if (c.udp_encap->orig_src) p.str("orig_src", c.udp_encap->orig_src->str());
    p.num("remote_port", c.udp_encap->remote_port).end();
  }
  e.public_text = p.done();
  e.secret_text = sec.done();
  return e;
}

}  // namespace ipseckit::esp
