#include "ikeview/records.h"

#include <chrono>

#include <fmt/format.h>

#include "base/bytes.h"

namespace ipseckit::ikeview {

namespace isakmp = ike::isakmp;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string cookies_hex(const isakmp::Cookie& ci, const isakmp::Cookie& cr) {
  return to_hex(ByteView(ci.data(), ci.size())) + to_hex(ByteView(cr.data(), cr.size()));
}

std::string spi_hex(std::uint32_t spi) { return fmt::format("{:08x}", spi); }

std::string mm_key(const ike::Phase1Info& i) { return kMmPrefix + cookies_hex(i.cky_i, i.cky_r); }

// One record per bundle, named by the first protocol's inbound SPI.
std::string qm_key(const ike::Phase2Info& i) {
  return kQmPrefix + spi_hex(i.protos.empty() ? 0 : i.protos.front().spi_in);
}

std::string ike_encryption_name(isakmp::IkeEncryption e, std::optional<std::uint16_t> bits) {
  switch (e) {
    case isakmp::IkeEncryption::des_cbc: return "des-cbc";
    case isakmp::IkeEncryption::des3_cbc: return "3des-cbc";
    case isakmp::IkeEncryption::aes_cbc: return fmt::format("aes-{}-cbc", bits.value_or(128));
    case isakmp::IkeEncryption::blowfish_cbc: return "blowfish-cbc";
    case isakmp::IkeEncryption::cast_cbc: return "cast-cbc";
    case isakmp::IkeEncryption::camellia_cbc: return fmt::format("camellia-{}-cbc", bits.value_or(128));
    default: return fmt::format("<unknown:{}>", static_cast<unsigned>(e));
  }
}

std::string ike_integrity_name(isakmp::IkeHash h) {
  switch (h) {
    case isakmp::IkeHash::md5: return "md5";
    case isakmp::IkeHash::sha1: return "sha1";
    case isakmp::IkeHash::sha2_256: return "sha256";
    case isakmp::IkeHash::sha2_384: return "sha384";
    case isakmp::IkeHash::sha2_512: return "sha512";
    default: return fmt::format("<unknown:{}>", static_cast<unsigned>(h));
  }
}

std::string ike_auth_name(isakmp::IkeAuthMethod a) {
  switch (a) {
    case isakmp::IkeAuthMethod::psk: return "psk";
    case isakmp::IkeAuthMethod::rsa_sig:
    case isakmp::IkeAuthMethod::dss_sig:
    case isakmp::IkeAuthMethod::ecdsa_sha256_p256:
    case isakmp::IkeAuthMethod::ecdsa_sha384_p384:
    case isakmp::IkeAuthMethod::ecdsa_sha512_p521: return "cert";
    case isakmp::IkeAuthMethod::gssapi_kerberos: return "kerberos";
    default: return fmt::format("<unknown:{}>", static_cast<unsigned>(a));
  }
}

std::optional<policy::Cipher> esp_cipher(const ike::ChildProto& p) {
  if (p.protocol != isakmp::ProtocolId::esp) return std::nullopt;
  const auto bits = p.key_length.value_or(128);
  switch (static_cast<isakmp::EspTransformId>(p.transform)) {
    case isakmp::EspTransformId::null: return policy::Cipher::none;
    case isakmp::EspTransformId::des: return policy::Cipher::des;
    case isakmp::EspTransformId::des3: return policy::Cipher::des3;
    case isakmp::EspTransformId::aes_cbc:
      return bits == 256 ? policy::Cipher::aes256 : bits == 192 ? policy::Cipher::aes192 : policy::Cipher::aes128;
    case isakmp::EspTransformId::aes_gcm_16:
      return bits == 256   ? policy::Cipher::aes_gcm256
             : bits == 192 ? policy::Cipher::aes_gcm192
                           : policy::Cipher::aes_gcm128;
    default: return std::nullopt;
  }
}

std::optional<policy::Integrity> child_integrity(const ike::ChildProto& p) {
  if (!p.auth) return policy::Integrity::none;
  switch (*p.auth) {
    case isakmp::AuthAlgorithm::hmac_md5: return policy::Integrity::md5;
    case isakmp::AuthAlgorithm::hmac_sha1: return policy::Integrity::sha1;
    case isakmp::AuthAlgorithm::hmac_sha2_256: return policy::Integrity::sha256;
    case isakmp::AuthAlgorithm::hmac_sha2_384: return policy::Integrity::sha384;
    case isakmp::AuthAlgorithm::hmac_sha2_512: return policy::Integrity::sha512;
    default: return std::nullopt;
  }
}

Json mm_record(const ike::Phase1Info& i, std::string_view state) {
  const auto now = unix_now();
  return Json{{"phase", "main"},
              {"exchange", i.aggressive ? "aggressive" : "main"},  // RFC 2409 5: which phase-1 exchange
              {"id", i.id},
              {"cky_i", to_hex(ByteView(i.cky_i.data(), i.cky_i.size()))},
              {"cky_r", to_hex(ByteView(i.cky_r.data(), i.cky_r.size()))},
              {"peer", i.remote.addr.str()},
              {"peer_port", i.remote.port},
              {"local", i.local.addr.str()},
              {"local_port", i.local.port},
              {"initiator", i.initiator},
              {"rule", i.rule},
              {"state", state},
              {"encryption", ike_encryption_name(i.encryption, i.key_length)},
              {"integrity", ike_integrity_name(i.hash)},
              {"dh_group", static_cast<unsigned>(i.group)},
              {"auth", ike_auth_name(i.auth)},
              {"local_id", i.local_id},
              {"peer_id", i.peer_id},
              {"mode", nullptr},
              {"encap", i.nat_local || i.nat_remote},
              {"created", now},
              {"expires", now + static_cast<std::int64_t>(i.life_seconds)},
              {"describe", i.describe()}};
}

Json mm_secret(const ike::Phase1Info& i) {
  return Json{{"cky_i", to_hex(ByteView(i.cky_i.data(), i.cky_i.size()))},
              {"cky_r", to_hex(ByteView(i.cky_r.data(), i.cky_r.size()))},
              {"encryption", ike_encryption_name(i.encryption, i.key_length)},
              {"encryption_key", to_hex(ByteView(i.encryption_key.data(), i.encryption_key.size()))}};
}

Json qm_record(const ike::Phase2Info& i, std::string_view state) {
  const auto now = unix_now();
  Json j{{"phase", "quick"},
         {"id", i.id},
         {"phase1_id", i.phase1_id},
         {"peer", i.remote.addr.str()},
         {"local", i.local.addr.str()},
         {"initiator", i.initiator},
         {"rule", i.rule},
         {"state", state},
         {"mode", i.tunnel ? "tunnel" : "transport"},
         {"encap", i.udp_encap},
         {"local_ts", i.local_ts.str()},
         {"remote_ts", i.remote_ts.str()},
         {"dh_group", i.pfs_group ? Json(static_cast<unsigned>(*i.pfs_group)) : Json(nullptr)},
         {"auth", nullptr},
         {"created", now},
         {"expires", now + static_cast<std::int64_t>(i.life_seconds)},
         {"describe", i.describe()}};
  Json protos = Json::array();
  for (const auto& p : i.protos) {
    auto c = esp_cipher(p);
    auto g = child_integrity(p);
    protos.push_back(Json{{"protocol", p.protocol == isakmp::ProtocolId::ah ? "ah" : "esp"},
                          {"spi_in", spi_hex(p.spi_in)},
                          {"spi_out", spi_hex(p.spi_out)},
                          {"encryption", c ? Json(std::string(policy::json_name(*c))) : Json(nullptr)},
                          {"integrity", g ? Json(std::string(policy::json_name(*g))) : Json(nullptr)}});
  }
  // The bundle's headline values: the ESP protocol if any, else the first.
  const Json* head = nullptr;
  for (const auto& p : protos)
    if (p["protocol"] == "esp") head = &p;
  if (!head && !protos.empty()) head = &protos[0];
  j["spi_in"] = head ? (*head)["spi_in"] : Json(nullptr);
  j["spi_out"] = head ? (*head)["spi_out"] : Json(nullptr);
  j["encryption"] = head ? (*head)["encryption"] : Json(nullptr);
  j["integrity"] = head ? (*head)["integrity"] : Json(nullptr);
  j["protocols"] = std::move(protos);
  return j;
}

}  // namespace ipseckit::ikeview
