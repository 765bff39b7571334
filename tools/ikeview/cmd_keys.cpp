// `ikeview keys --format wireshark-ike|wireshark-esp`: key tables for Wireshark/tshark, from
// the secret/ records (root only).
//   wireshark-ike: the ikev1_decryption_table UAT: <CKY-I hex>,<Ka hex> per IKE SA (byte fields
//                  are unquoted hex in UAT files and in tshark -o uat:ikev1_decryption_table:...)
//   wireshark-esp: the esp_sa UAT: "IPv4","<src>","<dst>","0x<SPI>","<cipher>","0x<key>",
//                  "<integrity>","0x<key>" per SA direction (tshark -o uat:esp_sa:... or the
//                  esp_sa file in the profile directory)
#include <cstdio>

#include <fmt/format.h>

#include "base/bytes.h"
#include "esp/sa_record.h"
#include "esp/suite.h"
#include "ikeview/commands.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

namespace {

// Wireshark's names (epan/dissectors/packet-ipsec.c, esp_encryption_type_vals /
// esp_authentication_type_vals).
std::optional<std::string> ws_cipher(policy::Cipher c) {
  switch (c) {
    case policy::Cipher::none: return "NULL";
    case policy::Cipher::des: return "DES-CBC [RFC2405]";
    case policy::Cipher::des3: return "TripleDES-CBC [RFC2451]";
    case policy::Cipher::aes128:
    case policy::Cipher::aes192:
    case policy::Cipher::aes256: return "AES-CBC [RFC3602]";
    case policy::Cipher::aes_gcm128:
    case policy::Cipher::aes_gcm192:
    case policy::Cipher::aes_gcm256: return "AES-GCM with 16 octet ICV [RFC4106]";
  }
  return std::nullopt;
}

std::optional<std::string> ws_integrity(policy::Integrity i) {
  switch (i) {
    case policy::Integrity::none: return "NULL";
    case policy::Integrity::md5: return "HMAC-MD5-96 [RFC2403]";
    case policy::Integrity::sha1: return "HMAC-SHA-1-96 [RFC2404]";
    case policy::Integrity::sha256: return "HMAC-SHA-256-128 [RFC4868]";
    case policy::Integrity::sha384: return "HMAC-SHA-384-192 [RFC4868]";
    case policy::Integrity::sha512: return "HMAC-SHA-512-256 [RFC4868]";
    default: return std::nullopt;
  }
}

int ike_keys(store::Client& c) {
  auto l = c.list(kMmSecretPrefix);
  if (!l) return tool::fail(kTool, l.error());
  for (const auto& e : l->items) {
    if (!e.value.is_object()) continue;
    std::fputs(fmt::format("{},{}\n", e.value.value("cky_i", std::string()),
                           e.value.value("encryption_key", std::string()))
                   .c_str(),
               stdout);
  }
  return tool::kExitOk;
}

int esp_keys(store::Client& c) {
  auto pub = c.list(esp::kSaPrefix);
  if (!pub) return tool::fail(kTool, pub.error());
  int rc = tool::kExitOk;
  for (const auto& e : pub->items) {
    auto sec = c.get(esp::kSaSecretPrefix + e.key.substr(std::string_view(esp::kSaPrefix).size()));
    if (!sec) {
      rc = tool::fail(kTool, Error::make("failed", e.key + ": " + sec.error().message));
      continue;
    }
    auto rec = esp::decode_sa(e.value, sec->value, e.key);
    if (!rec) {
      rc = tool::fail(kTool, rec.error());
      continue;
    }
    const auto& cfg = rec->config;
    if (!cfg.esp) continue;  // AH-only: Wireshark's table is for ESP
    const bool in = rec->meta.direction == esp::SaDirection::in;
    const auto& src = in ? cfg.remote : cfg.local;
    const auto& dst = in ? cfg.local : cfg.remote;
    auto cn = ws_cipher(cfg.esp->transform.cipher);
    auto in_ = ws_integrity(cfg.esp->transform.integrity);
    if (!cn || !in_) {
      tool::warn(kTool, e.key + ": algorithm has no Wireshark name; skipped");
      continue;
    }
    auto suite = esp::esp_suite(cfg.esp->transform);
    const std::size_t enc_len = suite ? suite->enc_key : 0;
    const auto& km = cfg.esp->keymat;
    const std::size_t split = std::min(enc_len, km.size());
    std::string ek = to_hex(ByteView(km.data(), split));
    std::string ak = to_hex(ByteView(km.data() + split, km.size() - split));
    std::fputs(fmt::format("\"{}\",\"{}\",\"{}\",\"0x{:08x}\",\"{}\",\"0x{}\",\"{}\",\"0x{}\"\n",
                           src.is_v4() ? "IPv4" : "IPv6", src.str(), dst.str(), cfg.esp->spi, *cn, ek, *in_, ak)
                   .c_str(),
               stdout);
  }
  return rc;
}

}  // namespace

int cmd_keys(const tool::StoreOptions& so, const std::string& format) {
  auto c = tool::connect(so);
  if (!c) return tool::fail(kTool, c.error());
  if (!c->info().admin)
    return tool::fail(kTool, Error::make("failed", "keys are secrets: only root (or the agent's admin group) may read them"));
  return format == "wireshark-ike" ? ike_keys(*c) : esp_keys(*c);
}

}  // namespace ipseckit::ikeview
