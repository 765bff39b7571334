// The store records of an SA, shared by espd (manual keying, the SA table) and ikeview (SAs it
// negotiates). One SA direction = two records under the same SPI, written in one store txn:
//
//   esp/sa/<spi>          public: everything of SaConfig except key material, plus metadata
//   secret/esp/sa/<spi>   secret: the key material (store "secret/" rules: root only)
//
// <spi> is 8 lowercase hex digits: the ESP SPI, or the AH SPI of an AH-only SA (for an AH+ESP
// bundle the ESP SPI). The key therefore names one direction; a host's inbound and outbound
// SPIs must differ (they are chosen by different ends, RFC 4301 §4.1).
//
// Public record (every field written by encode(); decode() refuses unknown fields, wrong types
// and bad values, naming the field, e.g. "esp/sa/c0ffee01.esp.cipher: unknown cipher"):
//   {
//     "spi": "c0ffee01",                 // = the key's SPI
//     "direction": "in" | "out",
//     "origin": "manual" | "ike",
//     "mode": "transport" | "tunnel",
//     "local": "198.51.100.1",           // this host / local tunnel endpoint (SaConfig.local)
//     "peer": "198.51.100.2",            // the peer / remote tunnel endpoint (SaConfig.remote)
//     "esp": {"spi": "c0ffee01", "cipher": "aes-128-cbc", "integrity": "sha1"},   // optional
//     "ah":  {"spi": "0000a001", "integrity": "sha1"},                             // optional
//     "udp_encap": {"local_port": 4500, "remote_port": 4500,                      // optional
//                   "orig_src": "10.0.0.5", "orig_dst": "192.0.2.7"},  // both optional (NAT-OA)
//     "esn": false,
//     "replay_window": 64,               // 0 (none) or 64..1024
//     "lifetime": {"soft_bytes": 0, "hard_bytes": 0, "soft_packets": 0, "hard_packets": 0,
//                  "soft_seconds": 0, "hard_seconds": 0},                   // 0 = no limit
//     "outer_ttl": 64, "df": "copy" | "set" | "clear", "path_mtu": 0, "clamp_mss": 0,
//     "seq_start": 0, "replay_top": 0,
//     "rule": "gw-out",                  // optional: the policy rule (spd rule name)
//     "selectors": {"local": "198.51.100.1/32", "remote": "198.51.100.2/32",      // optional
//                   "protocol": 0, "local_port": 0, "remote_port": 0},   // 0 = any
//     "created": 1795766400              // unix seconds
//   }
// At least one of "esp"/"ah"; both = AH over ESP (Windows AH+ESP); "udp_encap" only with ESP.
// Cipher and integrity names are policy::json_name(): cipher "null", "des-cbc", "3des-cbc",
// "aes-128-cbc" ... "aes-256-gcm"; integrity "none", "md5", "sha1", "sha256", "sha384",
// "sha512", "aes-128-gmac" ... (see policy/algorithms.h). The combination must be valid
// (esp_suite(), ah_suite()).
//
// Secret record (lowercase hex; exact lengths per suite.h; unknown fields refused):
//   {"encryption_key": "...", "integrity_key": "...",   // present iff "esp" (may be "")
//    "ah_key": "..."}                                    // present iff "ah"
// For GCM/GMAC "encryption_key" includes the 4-byte salt (key || salt) and "integrity_key" is "".
// For ESP with AES-GMAC (cipher null), the GMAC key || salt is "encryption_key" as well,
// exactly as EspParams.keymat is cut.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/result.h"
#include "esp/config.h"
#include "wire/ip_address.h"

namespace ipseckit::esp {

enum class SaDirection : std::uint8_t { in, out };
enum class SaOrigin : std::uint8_t { manual, ike };

// The traffic an SA may carry (RFC 4301 §4.4.2: the SAD entry's selectors). Protocol and
// ports 0 = any.
struct SaSelectors {
  wire::IpPrefix local;
  wire::IpPrefix remote;
  std::uint8_t protocol = 0;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  friend bool operator==(const SaSelectors&, const SaSelectors&) = default;
};

struct SaMeta {
  SaDirection direction = SaDirection::out;
  SaOrigin origin = SaOrigin::manual;
  std::optional<std::string> rule;
  std::optional<SaSelectors> selectors;
  std::int64_t created = 0;  // unix seconds
};

struct SaRecord {
  SaConfig config;
  SaMeta meta;
};

// The records as JSON text in store::to_text()'s form (base/json_text.h), for
// store::TxnOp::put_text(); a reader that needs a tree parses it (nlohmann::json::parse).
struct EncodedSa {
  std::string spi;          // 8 lowercase hex digits
  std::string public_key;   // "esp/sa/<spi>"
  std::string secret_key;   // "secret/esp/sa/<spi>"
  std::string public_text;  // the public record
  std::string secret_text;  // the secret record
};

inline constexpr const char* kSaPrefix = "esp/sa/";
inline constexpr const char* kSaSecretPrefix = "secret/esp/sa/";

// The SPI that names the records: the ESP SPI if any, else the AH SPI.
std::uint32_t record_spi(const SaConfig& c);
std::string spi_hex(std::uint32_t spi);                      // "0000a001"
std::optional<std::uint32_t> parse_spi(std::string_view s);  // 8 hex digits (any case) or "0x..."
std::string sa_public_key(std::uint32_t spi);
std::string sa_secret_key(std::uint32_t spi);

// Fails (code "config") when the configuration is not one decode() would accept: no protocol,
// invalid suite, wrong key length, bad replay window, UDP encapsulation with AH only.
Result<EncodedSa> encode_sa(const SaConfig& config, const SaMeta& meta);

// Strict decoding (code "sa_record"); errors name the field as "<key>.<field>". decode_sa
// needs both records; decode_sa_public reads the public one only (config without keys), for
// listings that must not touch secrets.
Result<SaRecord> decode_sa(const nlohmann::json& public_record, const nlohmann::json& secret_record,
                           const std::string& key = "esp/sa");
Result<SaRecord> decode_sa_public(const nlohmann::json& public_record, const std::string& key = "esp/sa");

std::string_view direction_name(SaDirection d);  // "in" | "out"
std::string_view origin_name(SaOrigin o);        // "manual" | "ike"
std::string_view mode_name(Mode m);              // "transport" | "tunnel"
std::string_view df_name(DfPolicy d);            // "copy" | "set" | "clear"

}  // namespace ipseckit::esp
