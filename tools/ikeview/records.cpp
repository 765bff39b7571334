#include "ikeview/records.h"

#include <fmt/format.h>

#include <chrono>

#include "base/bytes.h"
#include "base/json_text.h"

namespace ipseckit::ikeview {

namespace isakmp = ike::isakmp;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string cookies_hex(const isakmp::Cookie& ci, const isakmp::Cookie& cr) {
  return to_hex(ByteView(ci.data(), ci.size())) + to_hex(ByteView(cr.data(), cr.size()));
}

std::string spi_hex(std::uint32_t spi) { return fmt::format("{:08x}", spi); }

namespace {

std::string hex(const isakmp::Cookie& c) {
  return to_hex(ByteView(c.data(), c.size()));
}

}  // namespace

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

// The fields of each record in ascending key order (base/json_text.h checks it in Debug).
std::string mm_record(const ike::Phase1Info& i, std::string_view state, std::int64_t now) {
  return JsonText(1024)  // ~600 bytes
      .str("auth", ike_auth_name(i.auth))
      .str("cky_i", hex(i.cky_i))
      .str("cky_r", hex(i.cky_r))
      .num("created", now)
      .str("describe", i.describe())
      .num("dh_group", static_cast<unsigned>(i.group))
      .boolean("encap", i.nat_local || i.nat_remote)
      .str("encryption", ike_encryption_name(i.encryption, i.key_length))
      .str("exchange", i.aggressive ? "aggressive" : "main")  // RFC 2409 5: which phase-1 exchange
      .num("expires", now + static_cast<std::int64_t>(i.life_seconds))
      .num("id", i.id)
      .boolean("initiator", i.initiator)
      .str("integrity", ike_integrity_name(i.hash))
      .str("local", i.local.addr.str())
      .str("local_id", i.local_id)
      .num("local_port", i.local.port)
      .null("mode")
      .str("peer", i.remote.addr.str())
      .str("peer_id", i.peer_id)
      .num("peer_port", i.remote.port)
      .str("phase", "main")
      .str("rule", i.rule)
      .str("state", state)
      .done();
}

std::string mm_secret(const ike::Phase1Info& i) {
  return JsonText(192)
      .str("cky_i", hex(i.cky_i))
      .str("cky_r", hex(i.cky_r))
      .str("encryption", ike_encryption_name(i.encryption, i.key_length))
      .str("encryption_key", to_hex(ByteView(i.encryption_key.data(), i.encryption_key.size())))
      .done();
}

namespace {

// A protocol's cipher or integrity as the policy model names it; null without a protocol or
// when the data plane has no name for it.
template <class Alg>
void name_or_null(JsonText& w, std::string_view key, std::optional<Alg> alg) {
  if (alg)
    w.str(key, policy::json_name(*alg));
  else
    w.null(key);
}
void encryption(JsonText& w, const ike::ChildProto* p) {
  name_or_null(w, "encryption", p ? esp_cipher(*p) : std::nullopt);
}
void integrity(JsonText& w, const ike::ChildProto* p) {
  name_or_null(w, "integrity", p ? child_integrity(*p) : std::nullopt);
}

}  // namespace

std::string qm_record(const ike::Phase2Info& i, std::string_view state, std::int64_t now) {
  // The bundle's headline values: the (last) ESP protocol if any, else the first.
  const ike::ChildProto* head = i.protos.empty() ? nullptr : &i.protos.front();
  for (const auto& p : i.protos)
    if (p.protocol == isakmp::ProtocolId::esp) head = &p;
  JsonText w(1024);
  w.null("auth").num("created", now).str("describe", i.describe());
  if (i.pfs_group)
    w.num("dh_group", static_cast<unsigned>(*i.pfs_group));
  else
    w.null("dh_group");
  w.boolean("encap", i.udp_encap);
  encryption(w, head);
  w.num("expires", now + static_cast<std::int64_t>(i.life_seconds)).num("id", i.id).boolean("initiator", i.initiator);
  integrity(w, head);
  w.str("local", i.local.addr.str()).str("local_ts", i.local_ts.str()).str("mode", i.tunnel ? "tunnel" : "transport");
  w.str("peer", i.remote.addr.str()).str("phase", "quick").num("phase1_id", i.phase1_id);
  w.array("protocols");
  for (const auto& p : i.protos) {
    w.item();
    encryption(w, &p);
    integrity(w, &p);
    w.str("protocol", p.protocol == isakmp::ProtocolId::ah ? "ah" : "esp");
    w.str("spi_in", spi_hex(p.spi_in)).str("spi_out", spi_hex(p.spi_out)).end();
  }
  w.end().str("remote_ts", i.remote_ts.str()).str("rule", i.rule);
  if (head)
    w.str("spi_in", spi_hex(head->spi_in)).str("spi_out", spi_hex(head->spi_out));
  else
    w.null("spi_in").null("spi_out");
  return w.str("state", state).done();
}

}  // namespace ipseckit::ikeview
