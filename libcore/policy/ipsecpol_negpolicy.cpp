#include "policy/ipsecpol_negpolicy.h"

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <variant>

#include "base/strings.h"
#include "policy/ipsecpol_errors.h"

namespace ipseckit::policy {
namespace {

struct Ctx {
  std::string_view text;
  int position;
  std::string of() const { return fmt::format("of offer {}", cite(text, position)); }
  std::string in() const { return fmt::format("in offer {}", cite(text, position)); }
};

// "PFS", "P", "PFS2", "P14": Windows looks for the first 'P' after the last ']' and then for
// a '1' or a '2' anywhere after it; here the marker must be exactly P or PFS plus an optional
// group number, and it must come last.
Result<Pfs> parse_pfs(std::string_view s, const Ctx& c) {
  std::string_view rest = s.substr(1);
  if (rest.substr(0, 2) == "FS") rest.remove_prefix(2);
  Pfs pfs{true, DhGroup::none};
  if (rest.empty()) return pfs;
  auto n = str::parse_uint(rest, 0xffff);
  if (!n) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("invalid PFS marker \"{}\" {}: write P, PFS, P<group> or PFS<group> after the "
                                 "lifetime (e.g. ESP[3DES,SHA]3600S/50000KPFS2)",
                                 s, c.in()),
                     c.position);
  }
  auto g = dh_group_from_number(*n);
  if (!g) {
    return t2p_error(T2p::invalid_p1_group,
                     fmt::format("Invalid or unsupported DH group {} for PFS {}: use 1, 2, 5, 14, 15, 16, 19, 20 or 24",
                                 rest, c.in()),
                     c.position);
  }
  pfs.group = *g;
  return pfs;
}

Status parse_lifetime(std::string_view s, QmOffer& o, const Ctx& c) {
  auto parts = str::split(s, "/");
  if (parts.size() > 2) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("rekey \"{}\" {} has more than two values; write nK, nS or nS/nK", s, c.of()),
                     c.position);
  }
  bool have_k = false, have_s = false;
  for (auto part : parts) {
    const char unit = part.empty() ? '\0' : part.back();
    const bool k = unit == 'k' || unit == 'K';
    const bool sec = unit == 's' || unit == 'S';
    if (!k && !sec) {
      return t2p_error(T2p::invalid_p2_rekey_unit,
                       fmt::format("The unit for phase 2 rekey time is invalid: \"{}\" {}; use K (KBytes) or S "
                                   "(seconds)",
                                   part, c.of()),
                       c.position);
    }
    auto n = str::parse_uint(part.substr(0, part.size() - 1), std::numeric_limits<std::uint32_t>::max());
    if (!n) {
      return t2p_error(T2p::general_parse_error,
                       fmt::format("rekey \"{}\" {} is not a number followed by K or S", part, c.of()), c.position);
    }
    if ((k && have_k) || (sec && have_s)) {
      return t2p_error(T2p::general_parse_error,
                       fmt::format("rekey {} given twice {}", k ? "KBytes" : "seconds", c.in()), c.position);
    }
    const auto v = static_cast<std::uint32_t>(*n);
    if ((k && v < kMinQmLifetimeKbytes) || (sec && v < kMinQmLifetimeSeconds)) {
      return t2p_error(T2p::p2_rekey_too_low,
                       fmt::format("{} (offer {} asks for {} {})", t2p_text(T2p::p2_rekey_too_low),
                                   cite(c.text, c.position), v, k ? "KB" : "seconds"),
                       c.position);
    }
    if (k) {
      o.lifetime_kbytes = v;
      have_k = true;
    } else {
      o.lifetime_seconds = v;
      have_s = true;
    }
  }
  return {};
}

struct NoneAlg {};
using EspField = std::variant<NoneAlg, Cipher, Integrity>;

std::optional<EspField> classify(std::string_view f) {
  if (str::iequals(f, "NONE") || str::iequals(f, "NULL")) return EspField{NoneAlg{}};
  if (auto ci = cipher_from_windows(f); ci && *ci != Cipher::none) return EspField{*ci};
  if (auto in = integrity_from_windows(f); in && *in != Integrity::none) return EspField{*in};
  return std::nullopt;
}

// TextToAlgoInfo: "AH[hash]" or "ESP[a,b]", proto case-insensitive.
Status parse_algo(std::string_view s, QmOffer& o, const Ctx& c) {
  const auto open = s.find('[');
  const auto close = s.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close + 1 != s.size() || close < open) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("\"{}\" {} is not ESP[cipher,integrity] or AH[hash]", s, c.in()), c.position);
  }
  const auto proto = s.substr(0, open);
  const auto inner = s.substr(open + 1, close - open - 1);
  if (str::iequals(proto, "AH")) {
    if (o.ah) {
      return t2p_error(
          T2p::general_parse_error,
          fmt::format("offer {} has AH twice; a combined offer is AH[hash]+ESP[...]", cite(c.text, c.position)),
          c.position);
    }
    auto h = integrity_from_windows(inner);
    if (!h || *h == Integrity::none) {
      return t2p_error(T2p::invalid_hash_alg,
                       fmt::format("invalid AH hash algorithm \"{}\" {}: use MD5, SHA, SHA256, SHA384, SHA512 or "
                                   "AES-GMAC128/192/256",
                                   inner, c.in()),
                       c.position);
    }
    o.ah = *h;
    return {};
  }
  if (!str::iequals(proto, "ESP")) {
    return t2p_error(T2p::invalid_ipsec_prot,
                     fmt::format("Invalid IPSec protocol \"{}\" {}: use AH or ESP", proto, c.in()), c.position);
  }
  if (o.esp) {
    return t2p_error(
        T2p::general_parse_error,
        fmt::format("offer {} has ESP twice; a combined offer is AH[hash]+ESP[...]", cite(c.text, c.position)),
        c.position);
  }
  const auto comma = inner.find(',');
  const auto f1 = inner.substr(0, comma);
  const auto c1 = classify(f1);
  if (comma == std::string_view::npos) {
    if (c1 && std::holds_alternative<Cipher>(*c1) && is_aead(std::get<Cipher>(*c1))) {
      o.esp = EspTransform{std::get<Cipher>(*c1), Integrity::none};  // combined mode
      return {};
    }
    return t2p_error(T2p::incomplete_esp_algs,
                     fmt::format("ESP requires an auth and a crypt algorithm: \"{}\" {} (write ESP[cipher,integrity], "
                                 "NONE for one of them; only AES-GCM stands alone)",
                                 s, c.in()),
                     c.position);
  }
  if (!c1) {
    return t2p_error(T2p::general_parse_error, fmt::format("unknown ESP algorithm \"{}\" {}", f1, c.in()), c.position);
  }
  const auto f2 = inner.substr(comma + 1);
  const auto c2 = classify(f2);
  std::optional<Cipher> cipher;
  std::optional<Integrity> integrity;
  if (std::holds_alternative<Cipher>(*c1)) cipher = std::get<Cipher>(*c1);
  if (std::holds_alternative<Integrity>(*c1)) integrity = std::get<Integrity>(*c1);
  bool ok = c2.has_value();
  if (ok && std::holds_alternative<Cipher>(*c2)) {
    const Cipher x = std::get<Cipher>(*c2);
    if (!cipher)
      cipher = x;
    else
      ok = is_aead(x) && x == *cipher;  // ESP[AES-GCM128,AES-GCM128]
  } else if (ok && std::holds_alternative<Integrity>(*c2)) {
    if (!integrity)
      integrity = std::get<Integrity>(*c2);
    else
      ok = false;
  }
  if (!ok) {
    return t2p_error(T2p::dup_algs,
                     fmt::format("two hash or two cipher algorithms, or an unknown one, in \"{}\" {}", s, c.in()),
                     c.position);
  }
  if (!cipher && !integrity) {
    return t2p_error(
        T2p::none_none,
        fmt::format("ESP with NULL encryption and NULL authentication is not supported: \"{}\" {}", s, c.in()),
        c.position);
  }
  if (cipher && is_aead(*cipher) && integrity) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("\"{}\" {}: AES-GCM is a combined-mode cipher with its own integrity; give NONE or "
                                 "nothing as the second algorithm",
                                 s, c.in()),
                     c.position);
  }
  o.esp = EspTransform{cipher.value_or(Cipher::none), integrity.value_or(Integrity::none)};
  return {};
}

std::string upper(std::string_view s) {
  return str::to_upper(s);
}
std::string integrity_word(Integrity i) {
  return i == Integrity::sha1 ? "SHA" : upper(windows_name(i));
}

}  // namespace

Result<NegPolicy> parse_negpolicy(std::string_view text, int position) {
  NegPolicy np;
  np.text = std::string(text);
  np.position = position;
  // Compared case-sensitively, as ipseccmd does (strcmp).
  if (text == "PASS")
    np.kind = NegPolicyKind::pass;
  else if (text == "BLOCK")
    np.kind = NegPolicyKind::block;
  else if (text == "INPASS")
    np.kind = NegPolicyKind::inpass;
  if (np.kind != NegPolicyKind::offer) return np;

  const Ctx c{text, position};
  const auto close = text.rfind(']');
  if (close == std::string_view::npos) {
    return t2p_error(T2p::general_parse_error,
                     fmt::format("{} is not an offer (ESP[cipher,integrity], AH[hash], AH[hash]+ESP[...]) nor PASS, "
                                 "BLOCK or INPASS (these are case-sensitive)",
                                 cite(text, position)),
                     position);
  }
  QmOffer& o = np.offer;
  // Options after the last ']': lifetime, then the PFS marker.
  const auto suffix = text.substr(close + 1);
  const auto p = suffix.find('P');
  if (p != std::string_view::npos) {
    auto pfs = parse_pfs(suffix.substr(p), c);
    if (!pfs) return pfs.error();
    o.pfs = *pfs;
  }
  if (const auto life = suffix.substr(0, p); !life.empty()) IPSECKIT_TRY(parse_lifetime(life, o, c));

  const auto algos = text.substr(0, close + 1);
  const auto plus = algos.find('+');
  if (plus == std::string_view::npos) {
    IPSECKIT_TRY(parse_algo(algos, o, c));
  } else {
    IPSECKIT_TRY(parse_algo(algos.substr(0, plus), o, c));
    IPSECKIT_TRY(parse_algo(algos.substr(plus + 1), o, c));
  }
  return np;
}

Result<std::string> format_qm_offer(const QmOffer& o) {
  if (!o.ah && !o.esp) return Error::make("unsupported", "an offer with neither AH nor ESP");
  if ((o.lifetime_kbytes != 0 && o.lifetime_kbytes < kMinQmLifetimeKbytes) ||
      (o.lifetime_seconds != 0 && o.lifetime_seconds < kMinQmLifetimeSeconds)) {
    return Error::make("unsupported", fmt::format("lifetime {} s / {} KB is below ipsecpol's minimum (300 s, 20480 KB)",
                                                  o.lifetime_seconds, o.lifetime_kbytes));
  }
  std::string s;
  if (o.ah) s += "AH[" + integrity_word(*o.ah) + "]";
  if (o.esp) {
    if (o.ah) s += "+";
    if (is_aead(o.esp->cipher) && o.esp->integrity == Integrity::none) {
      s += "ESP[" + upper(windows_name(o.esp->cipher)) + "]";
    } else {
      s += "ESP[" + upper(windows_name(o.esp->cipher)) + "," + integrity_word(o.esp->integrity) + "]";
    }
  }
  if (o.lifetime_seconds) s += std::to_string(o.lifetime_seconds) + "S";
  if (o.lifetime_kbytes) s += std::string(o.lifetime_seconds ? "/" : "") + std::to_string(o.lifetime_kbytes) + "K";
  if (o.pfs.enabled) {
    s += "PFS";
    if (o.pfs.group != DhGroup::none) s += std::to_string(static_cast<unsigned>(o.pfs.group));
  }
  return s;
}

}  // namespace ipseckit::policy
