// `espd sa add` options -> SA records (sa_args.h).
#include "sa_args.h"

#include <fmt/format.h>
#include <time.h>

#include <fstream>
#include <sstream>

#include "base/bytes.h"
#include "base/strings.h"
#include "esp/suite.h"
#include "policy/algorithms.h"

namespace ipseckit::espd {

Error usage(std::string msg) {
  return Error::make("usage", std::move(msg));
}

Result<std::uint32_t> spi_arg(const std::string& opt, const std::string& v) {
  auto s = esp::parse_spi(v);
  if (!s) return usage(fmt::format("{} '{}': not a hex SPI (up to 8 hex digits, optional 0x)", opt, v));
  if (*s < 256) return usage(fmt::format("{} '{}': SPIs 0..255 are reserved (RFC 4303 §2.1)", opt, v));
  return *s;
}

namespace {

Result<wire::IpAddr> addr_arg(const std::string& opt, const std::string& v) {
  auto a = wire::IpAddr::parse(v);
  if (!a) return usage(fmt::format("{} '{}': not an IP address", opt, v));
  return *a;
}

// Hex, or @FILE holding hex (keeps keys off the command line and out of ps).
Result<Bytes> key_arg(const std::string& opt, const std::string& v, std::size_t want) {
  std::string text = v;
  if (!v.empty() && v[0] == '@') {
    std::ifstream f(v.substr(1));
    if (!f) return Error::make("failed", fmt::format("{}: cannot read '{}'", opt, v.substr(1)));
    std::stringstream ss;
    ss << f.rdbuf();
    text = std::string(str::trim(ss.str()));
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text = text.substr(2);
  Bytes b;
  if (!from_hex(text, b)) return usage(fmt::format("{}: not hex digits", opt));
  if (b.size() != want) return usage(fmt::format("{}: {} bytes, the algorithm needs {}", opt, b.size(), want));
  return b;
}

std::optional<policy::Cipher> cipher_arg(const std::string& s) {
  if (auto c = policy::cipher_from_json(str::to_lower(s))) return c;
  return policy::cipher_from_windows(s);
}
std::optional<policy::Integrity> integrity_arg(const std::string& s) {
  if (auto i = policy::integrity_from_json(str::to_lower(s))) return i;
  return policy::integrity_from_windows(s);
}

Result<std::optional<wire::IpPrefix>> prefix_arg(const std::string& opt, const std::string& v) {
  if (v.empty()) return std::optional<wire::IpPrefix>{};
  auto p = wire::IpPrefix::parse(v);
  if (!p) return usage(fmt::format("{} '{}': not an address prefix", opt, v));
  return std::optional<wire::IpPrefix>(*p);
}

}  // namespace

Result<esp::EncodedSa> build_sa(const AddArgs& a) {
  esp::SaConfig c;
  esp::SaMeta m;
  auto spi = spi_arg("--spi", a.spi);
  if (!spi) return spi.error();
  if (a.dir == "in")
    m.direction = esp::SaDirection::in;
  else if (a.dir == "out")
    m.direction = esp::SaDirection::out;
  else
    return usage(fmt::format("--dir '{}': in or out", a.dir));
  auto src = addr_arg("--src", a.src);
  if (!src) return src.error();
  auto dst = addr_arg("--dst", a.dst);
  if (!dst) return dst.error();
  if (src->is_v4() != dst->is_v4()) return usage("--dst: address family differs from --src");
  const bool out = m.direction == esp::SaDirection::out;
  c.local = out ? *src : *dst;
  c.remote = out ? *dst : *src;
  if (a.mode == "transport")
    c.mode = esp::Mode::transport;
  else if (a.mode == "tunnel")
    c.mode = esp::Mode::tunnel;
  else
    return usage(fmt::format("--mode '{}': transport or tunnel", a.mode));

  const bool want_esp = !a.enc.empty() || !a.auth.empty();
  if (!want_esp && a.ah.empty()) return usage("name the algorithms: --enc/--auth (ESP), --ah (AH), or both");
  if (want_esp) {
    if (a.enc.empty()) return usage("--enc: missing (null for ESP without encryption)");
    auto ci = cipher_arg(a.enc);
    if (!ci) return usage(fmt::format("--enc '{}': unknown cipher", a.enc));
    policy::Integrity in = policy::Integrity::none;
    if (!a.auth.empty()) {
      auto i = integrity_arg(a.auth);
      if (!i) return usage(fmt::format("--auth '{}': unknown integrity algorithm", a.auth));
      in = *i;
    }
    policy::EspTransform t{*ci, in};
    auto suite = esp::esp_suite(t);
    if (!suite)
      return usage(
          fmt::format("--enc {} --auth {}: {}", a.enc, a.auth.empty() ? "(none)" : a.auth, suite.error().message));
    Bytes keymat;
    if (suite->enc_key) {
      auto k = key_arg("--enc-key", a.enc_key, suite->enc_key);
      if (!k) return k.error();
      keymat = std::move(*k);
    } else if (!a.enc_key.empty()) {
      return usage(fmt::format("--enc-key: {} takes no encryption key", a.enc));
    }
    if (suite->auth_key) {
      auto k = key_arg("--auth-key", a.auth_key, suite->auth_key);
      if (!k) return k.error();
      keymat.insert(keymat.end(), k->begin(), k->end());
    } else if (!a.auth_key.empty()) {
      return usage("--auth-key: this suite takes no separate integrity key");
    }
    c.esp = esp::EspParams{*spi, t, SecureBytes(std::move(keymat))};
  }
  if (!a.ah.empty()) {
    auto i = integrity_arg(a.ah);
    if (!i) return usage(fmt::format("--ah '{}': unknown integrity algorithm", a.ah));
    auto suite = esp::ah_suite(*i);
    if (!suite) return usage(fmt::format("--ah '{}': {}", a.ah, suite.error().message));
    std::uint32_t ah_spi = *spi;
    if (want_esp) {
      if (a.ah_spi.empty()) return usage("--ah-spi: missing (an AH+ESP bundle has two SPIs; --spi is ESP's)");
      auto s = spi_arg("--ah-spi", a.ah_spi);
      if (!s) return s.error();
      ah_spi = *s;
    } else if (!a.ah_spi.empty()) {
      return usage("--ah-spi: only for AH+ESP bundles (--spi is the AH SPI of an AH-only SA)");
    }
    auto k = key_arg("--ah-key", a.ah_key, suite->key);
    if (!k) return k.error();
    c.ah = esp::AhParams{ah_spi, *i, SecureBytes(std::move(*k))};
  }
  // --encap udp | udp:SPORT:DPORT (local and remote ports, RFC 3948) | none
  if (a.encap != "none") {
    auto parts = str::split(a.encap, ":");
    if (parts[0] != "udp" || (parts.size() != 1 && parts.size() != 3))
      return usage(fmt::format("--encap '{}': none, udp or udp:LOCALPORT:REMOTEPORT", a.encap));
    if (!c.esp) return usage("--encap: UDP encapsulation needs ESP");
    esp::UdpEncapParams u;
    if (parts.size() == 3) {
      auto lp = str::parse_uint(parts[1], 65535), rp = str::parse_uint(parts[2], 65535);
      if (!lp || !*lp || !rp || !*rp) return usage(fmt::format("--encap '{}': ports are 1..65535", a.encap));
      u.local_port = static_cast<std::uint16_t>(*lp);
      u.remote_port = static_cast<std::uint16_t>(*rp);
    }
    c.udp_encap = u;
  }
  if (a.replay_window != 0 && (a.replay_window < 64 || a.replay_window > 1024))
    return usage(fmt::format("--replay-window {}: 0 or 64..1024", a.replay_window));
  c.replay_window = a.replay_window;
  c.esn = a.esn;
  c.lifetime = {a.soft_bytes, a.hard_bytes, a.soft_packets, a.hard_packets, a.soft_seconds, a.hard_seconds};
  auto ln = prefix_arg("--local-net", a.local_net);
  if (!ln) return ln.error();
  auto rn = prefix_arg("--remote-net", a.remote_net);
  if (!rn) return rn.error();
  if (ln->has_value() != rn->has_value()) return usage("--local-net and --remote-net go together");
  if (*ln) {
    if ((*ln)->addr.is_v4() != (*rn)->addr.is_v4())
      return usage("--remote-net: address family differs from --local-net");
    m.selectors = esp::SaSelectors{**ln, **rn, static_cast<std::uint8_t>(a.proto),
                                   static_cast<std::uint16_t>(a.local_port), static_cast<std::uint16_t>(a.remote_port)};
  } else if (a.proto || a.local_port || a.remote_port) {
    return usage("--proto/--local-port/--remote-port need --local-net and --remote-net");
  } else if (c.mode == esp::Mode::transport) {
    m.selectors = esp::SaSelectors{wire::IpPrefix::host(c.local), wire::IpPrefix::host(c.remote), 0, 0, 0};
  }
  if (!a.rule.empty()) m.rule = a.rule;
  m.origin = esp::SaOrigin::manual;
  m.created = static_cast<std::int64_t>(::time(nullptr));
  auto e = esp::encode_sa(c, m);
  if (!e) return usage(e.error().message);
  return e;
}

}  // namespace ipseckit::espd
