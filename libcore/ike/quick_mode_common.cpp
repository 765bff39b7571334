#include "ike/quick_mode_common.h"

#include <span>

#include <fmt/format.h>

#include "wire/isakmp_attribute.h"

#include "wire/isakmp_error.h"

namespace ipseckit::ike {

using isakmp::AuthAlgorithm;
using isakmp::EspTransformId;
using isakmp::PayloadType;
using isakmp::ProtocolId;

Result<Bytes> after_hash(const std::vector<isakmp::Payload>& ps) {
  if (ps.empty()) return Bytes{};
  return isakmp::encode_payloads(std::span<const isakmp::Payload>(ps).subspan(1));
}

isakmp::Payload hash_placeholder() { return isakmp::make_payload(isakmp::HashPayload{Bytes(1, 0)}); }

void fill_hash(std::vector<isakmp::Payload>& ps, Bytes hash) {
  ps.front() = isakmp::make_payload(isakmp::HashPayload{std::move(hash)});
}

Bytes spi_bytes(std::uint32_t spi) {
  return {static_cast<std::uint8_t>(spi >> 24), static_cast<std::uint8_t>(spi >> 16), static_cast<std::uint8_t>(spi >> 8),
          static_cast<std::uint8_t>(spi)};
}

std::uint32_t spi_value(ByteView b) {
  if (b.size() != 4) return 0;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

Result<std::optional<std::pair<TrafficSelector, TrafficSelector>>> client_ids(const std::vector<isakmp::Payload>& ps) {
  std::vector<const isakmp::IdPayload*> ids;
  for (const auto& p : ps)
    if (p.type == PayloadType::id)
      if (const auto* id = p.as<isakmp::IdPayload>()) ids.push_back(id);
  if (ids.empty()) return std::optional<std::pair<TrafficSelector, TrafficSelector>>{};
  if (ids.size() != 2)
    return isakmp::isakmp_error(isakmp::NotifyType::invalid_id_information, "IDci and IDcr must come as a pair");
  const auto ci = TrafficSelector::from_id(*ids[0]);
  const auto cr = TrafficSelector::from_id(*ids[1]);
  if (!ci || !cr)
    return isakmp::isakmp_error(isakmp::NotifyType::invalid_id_information,
                                "client IDs " + ids[0]->str() + " / " + ids[1]->str() +
                                    " name no address, subnet or prefix-shaped range");
  return std::optional<std::pair<TrafficSelector, TrafficSelector>>{std::make_pair(*ci, *cr)};
}

std::size_t enc_key_size(ProtocolId p, std::uint8_t transform, std::optional<std::uint16_t> key_length) {
  if (p != ProtocolId::esp) return 0;
  const std::size_t bytes = key_length.value_or(128) / 8u;
  switch (static_cast<EspTransformId>(transform)) {
    case EspTransformId::des: return 8;
    case EspTransformId::des3: return 24;
    case EspTransformId::aes_cbc:
    case EspTransformId::aes_ctr: return bytes + (transform == isakmp::raw(EspTransformId::aes_ctr) ? 4 : 0);
    case EspTransformId::aes_gcm_8:
    case EspTransformId::aes_gcm_12:
    case EspTransformId::aes_gcm_16:
    case EspTransformId::null_auth_aes_gmac: return bytes + 4;
    default: return 0;  // NULL
  }
}

std::size_t integ_key_size(std::optional<AuthAlgorithm> a) {
  if (!a) return 0;
  switch (*a) {
    case AuthAlgorithm::hmac_md5: return 16;
    case AuthAlgorithm::hmac_sha1: return 20;
    case AuthAlgorithm::hmac_sha2_256: return 32;
    case AuthAlgorithm::hmac_sha2_384: return 48;
    case AuthAlgorithm::hmac_sha2_512: return 64;
    case AuthAlgorithm::aes_xcbc_mac: return 16;
    case AuthAlgorithm::aes_128_gmac: return 20;
    case AuthAlgorithm::aes_192_gmac: return 28;
    case AuthAlgorithm::aes_256_gmac: return 36;
    default: return 0;
  }
}

namespace {

void split(const SecureBytes& km, std::size_t enc, SecureBytes& e, SecureBytes& i) {
  const std::uint8_t* p = km.data();
  e = SecureBytes(std::vector<std::uint8_t>(p, p + enc));
  i = SecureBytes(std::vector<std::uint8_t>(p + enc, p + km.size()));
}

}  // namespace

ChildProto make_child(const crypto::Ikev1KeySchedule& ks, const ChildSpec& spec, ByteView ni_b, ByteView nr_b,
                      ByteView g_qm_xy) {
  ChildProto c;
  c.protocol = spec.protocol;
  c.spi_in = spec.spi_in;
  c.spi_out = spec.spi_out;
  c.transform = spec.transform;
  c.key_length = spec.attrs.key_length;
  c.auth = spec.attrs.auth;
  // AH: the key of its authentication algorithm only.
  const std::size_t enc = enc_key_size(spec.protocol, spec.transform, spec.attrs.key_length);
  const std::size_t integ = integ_key_size(spec.attrs.auth);
  const std::size_t len = enc + integ;
  const auto proto = isakmp::raw(spec.protocol);
  if (len == 0) return c;
  const SecureBytes in = ks.keymat(len, proto, spi_bytes(spec.spi_in), ni_b, nr_b, g_qm_xy);
  const SecureBytes out = ks.keymat(len, proto, spi_bytes(spec.spi_out), ni_b, nr_b, g_qm_xy);
  split(in, enc, c.enc_in, c.integ_in);
  split(out, enc, c.enc_out, c.integ_out);
  return c;
}

namespace {
constexpr std::uint16_t kSaLifeType = 1, kSaLifeDuration = 2;  // RFC 2407 4.5
constexpr std::uint16_t kSeconds = 1, kKilobytes = 2;
}  // namespace

isakmp::Payload responder_lifetime(isakmp::ProtocolId proto, std::uint32_t spi, std::optional<std::uint64_t> seconds,
                                   std::optional<std::uint64_t> kilobytes) {
  std::vector<isakmp::DataAttribute> attrs;
  if (seconds) {
    attrs.push_back(isakmp::DataAttribute::basic(kSaLifeType, kSeconds));
    attrs.push_back(isakmp::DataAttribute::number(kSaLifeDuration, *seconds));
  }
  if (kilobytes) {
    attrs.push_back(isakmp::DataAttribute::basic(kSaLifeType, kKilobytes));
    attrs.push_back(isakmp::DataAttribute::number(kSaLifeDuration, *kilobytes));
  }
  isakmp::NotifyPayload n;
  n.protocol = proto;
  n.type = isakmp::NotifyType::responder_lifetime;
  n.spi = spi_bytes(spi);
  ByteWriter w;
  (void)isakmp::write_attributes(w, attrs);
  n.data = w.take();
  return isakmp::make_payload(std::move(n));
}

std::string apply_responder_lifetime(const std::vector<isakmp::Payload>& ps, Phase2Info& info) {
  std::string changed;
  for (const auto& p : ps) {
    const auto* n = p.as<isakmp::NotifyPayload>();
    if (!n || n->type != isakmp::NotifyType::responder_lifetime) continue;
    auto attrs = isakmp::parse_attributes(n->data);
    if (!attrs) continue;
    std::uint16_t type = 0;
    for (const auto& a : *attrs) {
      if (a.type == kSaLifeType && a.tv) type = a.short_value;
      if (a.type != kSaLifeDuration) continue;
      const auto v = a.as_number();
      if (!v || *v == 0) continue;
      if (type == kSeconds && *v < info.life_seconds) {
        info.life_seconds = *v;
        changed += fmt::format("{}{} s", changed.empty() ? "" : ", ", *v);
      }
      if (type == kKilobytes && (!info.life_kilobytes || *v < info.life_kilobytes)) {
        info.life_kilobytes = *v;
        changed += fmt::format("{}{} KB", changed.empty() ? "" : ", ", *v);
      }
    }
  }
  return changed;
}

}  // namespace ipseckit::ike
