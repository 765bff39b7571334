#include "wire/isakmp_transform.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "wire/isakmp_error.h"

namespace ipseckit::wire::isakmp {
namespace {

Error bad(std::string m) { return isakmp_error(NotifyType::bad_proposal_syntax, std::move(m)); }

// Shared walk over a transform's attributes: duplicate and life type/duration pairing
// checks, then a per-attribute callback. Life durations are reported by the walker itself.
template <class Basic, class OnAttr>
Status walk(const Transform& t, std::uint16_t life_type_attr, std::uint16_t life_duration_attr, Basic is_basic_type,
            OnAttr on_attr, std::optional<std::uint64_t>& seconds, std::optional<std::uint64_t>& kbytes) {
  std::set<std::uint16_t> seen;
  std::optional<LifeType> pending;  // a life type waiting for its duration
  for (const auto& a : t.attributes) {
    if (a.type == life_duration_attr) {
      if (!pending) return bad(fmt::format("transform #{}: life duration without a life type before it", t.number));
      const auto v = a.as_number();
      if (!v) return bad(fmt::format("transform #{}: empty life duration", t.number));
      auto& slot = *pending == LifeType::seconds ? seconds : kbytes;
      if (slot) return bad(fmt::format("transform #{}: two {} lifetimes", t.number, *pending));
      slot = *v;
      pending.reset();
      continue;
    }
    if (pending) return bad(fmt::format("transform #{}: life type {} without a duration", t.number, *pending));
    if (is_basic_type(a.type) && !a.tv)
      return isakmp_error(NotifyType::attributes_not_supported,
                          fmt::format("transform #{}: basic attribute {} sent in variable form", t.number, a.type));
    if (a.type == life_type_attr) {
      const auto lt = static_cast<LifeType>(a.short_value);
      if (!is_known(lt))
        return isakmp_error(NotifyType::attributes_not_supported,
                            fmt::format("transform #{}: life type {}", t.number, lt));
      pending = lt;
      continue;
    }
    if (!seen.insert(a.type).second) return bad(fmt::format("transform #{}: attribute {} given twice", t.number, a.type));
    IPSECKIT_TRY(on_attr(a));
  }
  if (pending) return bad(fmt::format("transform #{}: life type {} without a duration", t.number, *pending));
  return {};
}

}  // namespace

Result<IkeTransformAttrs> interpret_ike(const Transform& t) {
  IkeTransformAttrs r;
  auto basic = [](std::uint16_t type) { return is_known(static_cast<IkeAttr>(type)) && is_basic(static_cast<IkeAttr>(type)); };
  auto on = [&](const DataAttribute& a) -> Status {
    const std::uint16_t v = a.short_value;
    switch (static_cast<IkeAttr>(a.type)) {
      case IkeAttr::encryption: r.encryption = static_cast<IkeEncryption>(v); break;
      case IkeAttr::hash: r.hash = static_cast<IkeHash>(v); break;
      case IkeAttr::auth_method: r.auth = static_cast<IkeAuthMethod>(v); break;
      case IkeAttr::group_description: r.group = static_cast<GroupDescription>(v); break;
      case IkeAttr::prf: r.prf = v; break;
      case IkeAttr::key_length: r.key_length = v; break;
      case IkeAttr::group_type:
      case IkeAttr::group_prime:
      case IkeAttr::group_generator_one:
      case IkeAttr::group_generator_two:
      case IkeAttr::group_curve_a:
      case IkeAttr::group_curve_b:
      case IkeAttr::group_order:
      case IkeAttr::field_size: r.custom_group = true; break;
      default: r.unknown.push_back(a.type);
    }
    return {};
  };
  IPSECKIT_TRY(walk(t, raw(IkeAttr::life_type), raw(IkeAttr::life_duration), basic, on, r.life_seconds, r.life_kilobytes));
  return r;
}

Result<IpsecTransformAttrs> interpret_ipsec(const Transform& t) {
  IpsecTransformAttrs r;
  auto basic = [](std::uint16_t type) {
    return is_known(static_cast<IpsecAttr>(type)) && is_basic(static_cast<IpsecAttr>(type));
  };
  auto on = [&](const DataAttribute& a) -> Status {
    const std::uint16_t v = a.short_value;
    switch (static_cast<IpsecAttr>(a.type)) {
      case IpsecAttr::encapsulation_mode: r.mode = static_cast<EncapsulationMode>(v); break;
      case IpsecAttr::auth_algorithm: r.auth = static_cast<AuthAlgorithm>(v); break;
      case IpsecAttr::key_length: r.key_length = v; break;
      case IpsecAttr::key_rounds: r.key_rounds = v; break;
      case IpsecAttr::group_description: r.group = static_cast<GroupDescription>(v); break;
      case IpsecAttr::extended_seq_number: r.esn = v; break;
      case IpsecAttr::ecn_tunnel: r.ecn_tunnel = v; break;
      case IpsecAttr::compress_dict_size:
      case IpsecAttr::compress_private_alg: r.compression = true; break;
      default: r.unknown.push_back(a.type);
    }
    return {};
  };
  IPSECKIT_TRY(walk(t, raw(IpsecAttr::sa_life_type), raw(IpsecAttr::sa_life_duration), basic, on, r.life_seconds,
                    r.life_kilobytes));
  return r;
}

std::string short_cipher(IkeEncryption e, std::optional<std::uint16_t> key_length) {
  switch (e) {
    case IkeEncryption::des_cbc: return "DES";
    case IkeEncryption::des3_cbc: return "3DES";
    case IkeEncryption::aes_cbc: return key_length ? fmt::format("AES-{}", *key_length) : "AES (no key length)";
    case IkeEncryption::camellia_cbc: return key_length ? fmt::format("Camellia-{}", *key_length) : "Camellia";
    default: return to_string(e);
  }
}

std::string short_hash(IkeHash h) {
  switch (h) {
    case IkeHash::md5: return "MD5";
    case IkeHash::sha1: return "SHA-1";
    case IkeHash::sha2_256: return "SHA-256";
    case IkeHash::sha2_384: return "SHA-384";
    case IkeHash::sha2_512: return "SHA-512";
    default: return to_string(h);
  }
}

std::string short_group(GroupDescription g) { return fmt::format("group {}", raw(g)); }

std::string describe(const IkeTransformAttrs& a) {
  return fmt::format("{}/{}/{}", a.encryption ? short_cipher(*a.encryption, a.key_length) : "?",
                     a.hash ? short_hash(*a.hash) : "?", a.group ? short_group(*a.group) : "?");
}

Transform make_ike_transform(std::uint8_t number, const IkeTransformSpec& s) {
  Transform t;
  t.number = number;
  t.id = raw(IsakmpTransformId::key_ike);
  auto& a = t.attributes;
  a.push_back(DataAttribute::basic(raw(IkeAttr::encryption), raw(s.encryption)));
  if (s.key_length) a.push_back(DataAttribute::basic(raw(IkeAttr::key_length), *s.key_length));
  a.push_back(DataAttribute::basic(raw(IkeAttr::hash), raw(s.hash)));
  a.push_back(DataAttribute::basic(raw(IkeAttr::auth_method), raw(s.auth)));
  a.push_back(DataAttribute::basic(raw(IkeAttr::group_description), raw(s.group)));
  if (s.life_seconds) {
    a.push_back(DataAttribute::basic(raw(IkeAttr::life_type), raw(LifeType::seconds)));
    a.push_back(DataAttribute::number(raw(IkeAttr::life_duration), s.life_seconds));
  }
  if (s.life_kilobytes) {
    a.push_back(DataAttribute::basic(raw(IkeAttr::life_type), raw(LifeType::kilobytes)));
    a.push_back(DataAttribute::number(raw(IkeAttr::life_duration), s.life_kilobytes));
  }
  return t;
}

Transform make_ipsec_transform(std::uint8_t number, const IpsecTransformSpec& s) {
  Transform t;
  t.number = number;
  t.id = s.id;
  auto& a = t.attributes;
  if (s.life_seconds) {
    a.push_back(DataAttribute::basic(raw(IpsecAttr::sa_life_type), raw(LifeType::seconds)));
    a.push_back(DataAttribute::number(raw(IpsecAttr::sa_life_duration), s.life_seconds));
  }
  if (s.life_kilobytes) {
    a.push_back(DataAttribute::basic(raw(IpsecAttr::sa_life_type), raw(LifeType::kilobytes)));
    a.push_back(DataAttribute::number(raw(IpsecAttr::sa_life_duration), s.life_kilobytes));
  }
  if (s.pfs_group) a.push_back(DataAttribute::basic(raw(IpsecAttr::group_description), raw(*s.pfs_group)));
  a.push_back(DataAttribute::basic(raw(IpsecAttr::encapsulation_mode), raw(s.mode)));
  if (s.auth) a.push_back(DataAttribute::basic(raw(IpsecAttr::auth_algorithm), raw(*s.auth)));
  if (s.key_length) a.push_back(DataAttribute::basic(raw(IpsecAttr::key_length), *s.key_length));
  return t;
}

}  // namespace ipseckit::wire::isakmp
