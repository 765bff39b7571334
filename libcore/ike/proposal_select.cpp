#include "ike/proposal_select.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"
#include "wire/isakmp_error.h"

namespace ipseckit::ike {
using namespace ipseckit::wire::isakmp;  // this file's own use of the codec types
namespace {

using policy::Cipher;
using policy::Integrity;

struct CipherKey {
  std::uint16_t id;  // IkeEncryption or EspTransformId value
  std::optional<std::uint16_t> key_length;
};

std::optional<CipherKey> ike_cipher(Cipher c) {
  switch (c) {
    case Cipher::des: return CipherKey{raw(IkeEncryption::des_cbc), std::nullopt};
    case Cipher::des3: return CipherKey{raw(IkeEncryption::des3_cbc), std::nullopt};
    case Cipher::aes128: return CipherKey{raw(IkeEncryption::aes_cbc), 128};
    case Cipher::aes192: return CipherKey{raw(IkeEncryption::aes_cbc), 192};
    case Cipher::aes256: return CipherKey{raw(IkeEncryption::aes_cbc), 256};
    default: return std::nullopt;  // no IKEv1 encoding (NULL, AES-GCM)
  }
}

std::optional<IkeHash> ike_hash(Integrity i) {
  switch (i) {
    case Integrity::md5: return IkeHash::md5;
    case Integrity::sha1: return IkeHash::sha1;
    case Integrity::sha256: return IkeHash::sha2_256;
    case Integrity::sha384: return IkeHash::sha2_384;
    case Integrity::sha512: return IkeHash::sha2_512;
    default: return std::nullopt;
  }
}

// ESP: the transform id (+ key length) for the cipher; GMAC-only ESP is its own transform.
std::optional<CipherKey> esp_cipher(const policy::EspTransform& e) {
  switch (e.integrity) {
    case Integrity::aes_gmac128: return CipherKey{raw(EspTransformId::null_auth_aes_gmac), 128};
    case Integrity::aes_gmac192: return CipherKey{raw(EspTransformId::null_auth_aes_gmac), 192};
    case Integrity::aes_gmac256: return CipherKey{raw(EspTransformId::null_auth_aes_gmac), 256};
    default: break;
  }
  switch (e.cipher) {
    case Cipher::none: return CipherKey{raw(EspTransformId::null), std::nullopt};
    case Cipher::des: return CipherKey{raw(EspTransformId::des), std::nullopt};
    case Cipher::des3: return CipherKey{raw(EspTransformId::des3), std::nullopt};
    case Cipher::aes128: return CipherKey{raw(EspTransformId::aes_cbc), 128};
    case Cipher::aes192: return CipherKey{raw(EspTransformId::aes_cbc), 192};
    case Cipher::aes256: return CipherKey{raw(EspTransformId::aes_cbc), 256};
    case Cipher::aes_gcm128: return CipherKey{raw(EspTransformId::aes_gcm_16), 128};
    case Cipher::aes_gcm192: return CipherKey{raw(EspTransformId::aes_gcm_16), 192};
    case Cipher::aes_gcm256: return CipherKey{raw(EspTransformId::aes_gcm_16), 256};
  }
  return std::nullopt;
}

// The ESP authentication attribute; nullopt = no attribute (none, AES-GCM, GMAC transform).
std::optional<AuthAlgorithm> hmac_auth(Integrity i) {
  switch (i) {
    case Integrity::md5: return AuthAlgorithm::hmac_md5;
    case Integrity::sha1: return AuthAlgorithm::hmac_sha1;
    case Integrity::sha256: return AuthAlgorithm::hmac_sha2_256;
    case Integrity::sha384: return AuthAlgorithm::hmac_sha2_384;
    case Integrity::sha512: return AuthAlgorithm::hmac_sha2_512;
    default: return std::nullopt;
  }
}

struct AhKey {
  AhTransformId id;
  AuthAlgorithm auth;
};
std::optional<AhKey> ah_for(Integrity i) {
  switch (i) {
    case Integrity::md5: return AhKey{AhTransformId::md5, AuthAlgorithm::hmac_md5};
    case Integrity::sha1: return AhKey{AhTransformId::sha, AuthAlgorithm::hmac_sha1};
    case Integrity::sha256: return AhKey{AhTransformId::sha2_256, AuthAlgorithm::hmac_sha2_256};
    case Integrity::sha384: return AhKey{AhTransformId::sha2_384, AuthAlgorithm::hmac_sha2_384};
    case Integrity::sha512: return AhKey{AhTransformId::sha2_512, AuthAlgorithm::hmac_sha2_512};
    case Integrity::aes_gmac128: return AhKey{AhTransformId::aes_128_gmac, AuthAlgorithm::aes_128_gmac};
    case Integrity::aes_gmac192: return AhKey{AhTransformId::aes_192_gmac, AuthAlgorithm::aes_192_gmac};
    case Integrity::aes_gmac256: return AhKey{AhTransformId::aes_256_gmac, AuthAlgorithm::aes_256_gmac};
    default: return std::nullopt;
  }
}

std::string integrity_name(Integrity i) {
  switch (i) {
    case Integrity::none: return "no integrity";
    case Integrity::md5: return "MD5";
    case Integrity::sha1: return "SHA-1";
    case Integrity::sha256: return "SHA-256";
    case Integrity::sha384: return "SHA-384";
    case Integrity::sha512: return "SHA-512";
    case Integrity::aes_gmac128: return "AES-GMAC-128";
    case Integrity::aes_gmac192: return "AES-GMAC-192";
    case Integrity::aes_gmac256: return "AES-GMAC-256";
  }
  return "?";
}

std::string cipher_name(Cipher c) {
  switch (c) {
    case Cipher::none: return "NULL";
    case Cipher::des: return "DES";
    case Cipher::des3: return "3DES";
    case Cipher::aes128: return "AES-128";
    case Cipher::aes192: return "AES-192";
    case Cipher::aes256: return "AES-256";
    case Cipher::aes_gcm128: return "AES-GCM-128";
    case Cipher::aes_gcm192: return "AES-GCM-192";
    case Cipher::aes_gcm256: return "AES-GCM-256";
  }
  return "?";
}

std::string auth_name(AuthAlgorithm a) {
  switch (a) {
    case AuthAlgorithm::hmac_md5: return "MD5";
    case AuthAlgorithm::hmac_sha1: return "SHA-1";
    case AuthAlgorithm::hmac_sha2_256: return "SHA-256";
    case AuthAlgorithm::hmac_sha2_384: return "SHA-384";
    case AuthAlgorithm::hmac_sha2_512: return "SHA-512";
    default: return to_string(a);
  }
}

// "ESP AES-256/SHA-256" for a peer's phase-2 transform.
std::string describe_peer_qm(ProtocolId proto, const Transform& t, const IpsecTransformAttrs& a) {
  std::string s;
  if (proto == ProtocolId::ah) {
    s = "AH " + (a.auth ? auth_name(*a.auth) : to_string(static_cast<AhTransformId>(t.id)));
  } else {
    const auto id = static_cast<EspTransformId>(t.id);
    std::string c;
    switch (id) {
      case EspTransformId::des: c = "DES"; break;
      case EspTransformId::des3: c = "3DES"; break;
      case EspTransformId::null: c = "NULL"; break;
      case EspTransformId::aes_cbc: c = a.key_length ? fmt::format("AES-{}", *a.key_length) : "AES"; break;
      case EspTransformId::aes_gcm_16: c = a.key_length ? fmt::format("AES-GCM-{}", *a.key_length) : "AES-GCM"; break;
      default: c = to_string(id);
    }
    s = "ESP " + c + (a.auth ? "/" + auth_name(*a.auth) : "");
  }
  if (a.group) s += ", PFS " + short_group(*a.group);
  return s;
}

std::string join_limited(const std::vector<std::string>& v, std::size_t limit) {
  std::vector<std::string> head(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(limit, v.size())));
  std::string s = str::join(head, ", ");
  if (v.size() > limit) s += fmt::format(" and {} more", v.size() - limit);
  return s;
}

Error no_proposal(const std::vector<std::string>& peer, const std::vector<std::string>& ours,
                  const std::vector<std::string>& skipped, const std::string& extra, std::string_view allowed_by) {
  std::string m = fmt::format("peer offered {}; {} {}", peer.empty() ? "nothing usable" : join_limited(peer, 6),
                              allowed_by.empty() ? std::string_view("we allow") : allowed_by,
                              ours.empty() ? "nothing" : join_limited(ours, 6));
  if (!extra.empty()) m += "; " + extra;
  if (!skipped.empty()) m += " (skipped: " + join_limited(skipped, 4) + ")";
  return isakmp_error(NotifyType::no_proposal_chosen, m);
}

bool mm_matches(const policy::MmOffer& o, const IkeTransformAttrs& a) {
  const auto c = ike_cipher(o.cipher);
  const auto h = ike_hash(o.hash);
  return c && h && raw(*a.encryption) == c->id && a.key_length == c->key_length && *a.hash == *h &&
         raw(*a.group) == static_cast<std::uint16_t>(o.group);
}

}  // namespace

std::string describe_offer(const policy::MmOffer& o) {
  const auto c = ike_cipher(o.cipher);
  return fmt::format("{}/{}/group {}", c ? short_cipher(static_cast<IkeEncryption>(c->id), c->key_length) : cipher_name(o.cipher),
                     integrity_name(o.hash), static_cast<unsigned>(o.group));
}

std::string describe_offer(const policy::QmOffer& o) {
  std::vector<std::string> parts;
  if (o.ah) parts.push_back("AH " + integrity_name(*o.ah));
  if (o.esp) {
    std::string e = "ESP " + cipher_name(o.esp->cipher);
    if (o.esp->integrity != Integrity::none) e += "/" + integrity_name(o.esp->integrity);
    parts.push_back(e);
  }
  std::string s = str::join(parts, " + ");
  if (o.pfs.enabled)
    s += o.pfs.group == policy::DhGroup::none ? ", PFS (main-mode group)"
                                               : fmt::format(", PFS group {}", static_cast<unsigned>(o.pfs.group));
  return s;
}

Result<MmSelection> select_main_mode(const SaPayload& sa, std::span<const policy::MmOffer> offers,
                                     std::span<const IkeAuthMethod> auth_methods, std::string_view allowed_by) {
  std::vector<std::string> peer, skipped;
  std::optional<IkeAuthMethod> refused_auth;
  for (std::size_t pi = 0; pi < sa.proposals.size(); ++pi) {
    const Proposal& p = sa.proposals[pi];
    if (p.protocol != ProtocolId::isakmp) {
      skipped.push_back(fmt::format("proposal #{} is for {}", p.number, p.protocol));
      continue;
    }
    for (std::size_t ti = 0; ti < p.transforms.size(); ++ti) {
      const Transform& t = p.transforms[ti];
      if (t.id != raw(IsakmpTransformId::key_ike)) {
        skipped.push_back(fmt::format("transform #{} has id {}", t.number, t.id));
        continue;
      }
      auto a = interpret_ike(t);
      if (!a) {
        skipped.push_back(a.error().message);
        continue;
      }
      if (!a->unknown.empty()) {
        skipped.push_back(fmt::format("transform #{} carries unknown attribute {}", t.number, a->unknown.front()));
        continue;
      }
      if (a->custom_group || a->prf) {
        skipped.push_back(fmt::format("transform #{} asks for a {}", t.number, a->prf ? "PRF attribute" : "private DH group"));
        continue;
      }
      if (!a->encryption || !a->hash || !a->auth || !a->group) {
        skipped.push_back(fmt::format("transform #{} is incomplete ({})", t.number, describe(*a)));
        continue;
      }
      peer.push_back(describe(*a));
      for (std::size_t oi = 0; oi < offers.size(); ++oi) {
        if (!mm_matches(offers[oi], *a)) continue;
        if (std::find(auth_methods.begin(), auth_methods.end(), *a->auth) == auth_methods.end()) {
          refused_auth = *a->auth;
          continue;
        }
        return MmSelection{pi, ti, oi, std::move(*a)};
      }
    }
  }
  std::vector<std::string> ours;
  for (const auto& o : offers) ours.push_back(describe_offer(o));
  std::string extra;
  if (refused_auth) {
    std::vector<std::string> names;
    for (const auto m : auth_methods) names.push_back(to_string(m));
    extra = fmt::format("the peer authenticates with {}, we allow {}", *refused_auth,
                        names.empty() ? "no method" : str::join(names, ", "));
  }
  return no_proposal(peer, ours, skipped, extra, allowed_by);
}

namespace {

bool mode_ok(EncapsulationMode m, const QmContext& ctx) {
  if (is_tunnel(m) != ctx.tunnel) return false;
  return is_udp_encapsulated(m) == ctx.udp_encap;
}

// Why this transform cannot serve the offer, or empty when it can.
std::string qm_mismatch(ProtocolId proto, const Transform& t, const IpsecTransformAttrs& a, const policy::QmOffer& o,
                        const QmContext& ctx) {
  if (!a.mode) return "no encapsulation mode";
  if (!mode_ok(*a.mode, ctx)) return fmt::format("mode {}", *a.mode);
  std::optional<GroupDescription> want_group;
  if (o.pfs.enabled)
    want_group = o.pfs.group == policy::DhGroup::none ? ctx.mm_group
                                                     : static_cast<GroupDescription>(static_cast<std::uint16_t>(o.pfs.group));
  if (a.group != want_group) return a.group ? "PFS group mismatch" : "no PFS";
  if (proto == ProtocolId::ah) {
    const auto k = ah_for(*o.ah);
    if (!k || t.id != raw(k->id) || a.auth != k->auth || a.key_length) return "AH algorithm";
    return {};
  }
  const auto c = esp_cipher(*o.esp);
  if (!c || t.id != c->id || a.key_length != c->key_length) return "cipher";
  const bool gmac_or_gcm = c->id == raw(EspTransformId::null_auth_aes_gmac) || c->id == raw(EspTransformId::aes_gcm_16);
  const auto want_auth = gmac_or_gcm ? std::nullopt : hmac_auth(o.esp->integrity);
  if (a.auth != want_auth) return "integrity";
  return {};
}

}  // namespace

Result<QmSelection> select_quick_mode(const SaPayload& sa, std::span<const policy::QmOffer> offers,
                                      const QmContext& ctx, std::string_view allowed_by) {
  std::vector<std::string> peer, skipped;
  const auto& ps = sa.proposals;
  for (std::size_t i = 0; i < ps.size();) {
    std::size_t j = i;
    while (j < ps.size() && ps[j].number == ps[i].number) ++j;
    // One offer = the proposals sharing a number (RFC 2408 4.2): at most one AH and one ESP.
    std::optional<std::size_t> ah, esp;
    std::string bad;
    for (std::size_t k = i; k < j; ++k) {
      auto& slot = ps[k].protocol == ProtocolId::ah ? ah : esp;
      if (ps[k].protocol != ProtocolId::ah && ps[k].protocol != ProtocolId::esp)
        bad = fmt::format("proposal #{} is for {}", ps[k].number, ps[k].protocol);
      else if (slot)
        bad = fmt::format("proposal #{} names {} twice", ps[k].number, ps[k].protocol);
      else if (ps[k].spi.size() != 4)
        bad = fmt::format("proposal #{} has a {}-byte SPI", ps[k].number, ps[k].spi.size());
      else
        slot = k;
    }
    const std::uint8_t number = ps[i].number;
    i = j;
    if (!bad.empty()) {
      skipped.push_back(bad);
      continue;
    }
    // Interpret every transform once; keep the usable ones.
    struct Cand {
      std::size_t index;
      IpsecTransformAttrs attrs;
    };
    auto candidates = [&](std::size_t pidx, std::vector<Cand>& out) {
      for (std::size_t ti = 0; ti < ps[pidx].transforms.size(); ++ti) {
        const Transform& t = ps[pidx].transforms[ti];
        auto a = interpret_ipsec(t);
        if (!a) {
          skipped.push_back(a.error().message);
          continue;
        }
        if (!a->unknown.empty() || a->compression || a->key_rounds || (a->esn && *a->esn != 0)) {
          skipped.push_back(fmt::format("proposal #{} transform #{} asks for {}", number, t.number,
                                        !a->unknown.empty() ? fmt::format("unknown attribute {}", a->unknown.front())
                                        : a->esn ? std::string("extended sequence numbers")
                                                 : std::string("unsupported attributes")));
          continue;
        }
        peer.push_back(describe_peer_qm(ps[pidx].protocol, t, *a));
        out.push_back(Cand{ti, std::move(*a)});
      }
    };
    std::vector<Cand> ah_c, esp_c;
    if (ah) candidates(*ah, ah_c);
    if (esp) candidates(*esp, esp_c);
    // The peer's order decides: its first transform (of ESP, or AH alone) that one of our
    // offers allows wins; the other protocol of a bundle then takes its first fitting transform.
    const bool esp_primary = esp.has_value();
    const std::size_t pidx = esp_primary ? *esp : *ah;
    const auto& primary = esp_primary ? esp_c : ah_c;
    const ProtocolId pproto = esp_primary ? ProtocolId::esp : ProtocolId::ah;
    for (const auto& c : primary) {
      for (std::size_t oi = 0; oi < offers.size(); ++oi) {
        const policy::QmOffer& o = offers[oi];
        if (o.ah.has_value() != ah.has_value() || o.esp.has_value() != esp.has_value()) continue;
        if (!qm_mismatch(pproto, ps[pidx].transforms[c.index], c.attrs, o, ctx).empty()) continue;
        QmSelection sel;
        sel.proposal_number = number;
        sel.offer = oi;
        (esp_primary ? sel.esp : sel.ah) = QmChoice{pidx, c.index, c.attrs};
        if (esp_primary && ah) {
          for (const auto& a : ah_c)
            if (qm_mismatch(ProtocolId::ah, ps[*ah].transforms[a.index], a.attrs, o, ctx).empty()) {
              sel.ah = QmChoice{*ah, a.index, a.attrs};
              break;
            }
          if (!sel.ah) continue;
        }
        return sel;
      }
    }
    // RFC 2408 4.2: AH and ESP under one number are a bundle (both or nothing); say so when
    // no offer of ours has this shape, as the flat list of the peer's transforms does not.
    const auto shape = [](bool a, bool e) { return a && e ? "AH+ESP" : a ? "AH only" : "ESP only"; };
    bool same_shape = false;
    for (const auto& o : offers) same_shape |= o.ah.has_value() == ah.has_value() && o.esp.has_value() == esp.has_value();
    if (!same_shape)
      skipped.push_back(fmt::format("proposal #{} is {}, no offer of ours is", number, shape(ah.has_value(), esp.has_value())));
  }
  std::vector<std::string> ours;
  for (const auto& o : offers) ours.push_back(describe_offer(o));
  return no_proposal(peer, ours, skipped,
                     fmt::format("mode {}{}", ctx.tunnel ? "tunnel" : "transport", ctx.udp_encap ? " (UDP-encapsulated)" : ""),
                     allowed_by);
}

std::optional<IkeTransformSpec> ike_spec_for(const policy::MmOffer& o, IkeAuthMethod auth) {
  const auto c = ike_cipher(o.cipher);
  const auto h = ike_hash(o.hash);
  if (!c || !h || o.group == policy::DhGroup::none) return std::nullopt;
  IkeTransformSpec s;
  s.encryption = static_cast<IkeEncryption>(c->id);
  s.key_length = c->key_length;
  s.hash = *h;
  s.auth = auth;
  s.group = static_cast<GroupDescription>(static_cast<std::uint16_t>(o.group));
  s.life_seconds = o.lifetime_seconds;
  return s;
}

std::optional<QmSpecs> qm_specs_for(const policy::QmOffer& o, const QmContext& ctx) {
  QmSpecs specs;
  IpsecTransformSpec base;
  const auto udp_tunnel = ctx.draft_encap ? EncapsulationMode::udp_tunnel_draft : EncapsulationMode::udp_tunnel;
  const auto udp_transport = ctx.draft_encap ? EncapsulationMode::udp_transport_draft : EncapsulationMode::udp_transport;
  base.mode = ctx.tunnel ? (ctx.udp_encap ? udp_tunnel : EncapsulationMode::tunnel)
                         : (ctx.udp_encap ? udp_transport : EncapsulationMode::transport);
  if (o.pfs.enabled)
    base.pfs_group = o.pfs.group == policy::DhGroup::none
                         ? ctx.mm_group
                         : static_cast<GroupDescription>(static_cast<std::uint16_t>(o.pfs.group));
  if (o.lifetime_seconds) base.life_seconds = o.lifetime_seconds;
  base.life_kilobytes = o.lifetime_kbytes;
  if (o.ah) {
    const auto k = ah_for(*o.ah);
    if (!k) return std::nullopt;
    IpsecTransformSpec s = base;
    s.id = raw(k->id);
    s.auth = k->auth;
    specs.ah = s;
  }
  if (o.esp) {
    const auto c = esp_cipher(*o.esp);
    if (!c) return std::nullopt;
    IpsecTransformSpec s = base;
    s.id = static_cast<std::uint8_t>(c->id);
    s.key_length = c->key_length;
    const bool aead = c->id == raw(EspTransformId::null_auth_aes_gmac) || c->id == raw(EspTransformId::aes_gcm_16);
    s.auth = aead ? std::nullopt : hmac_auth(o.esp->integrity);
    specs.esp = s;
  }
  if (!specs.ah && !specs.esp) return std::nullopt;
  return specs;
}

}  // namespace ipseckit::ike
