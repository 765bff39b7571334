// The store records ikeview writes (man/ikeview.8 "STORE KEYS"):
//   ike/mm/<cky_i hex><cky_r hex>      a phase-1 SA (public)
//   secret/ike/mm/<cky_i><cky_r>       its encryption key Ka (wireshark's ikev1_decryption_table)
//   ike/qm/<spi_in hex>                a phase-2 SA (public), one per SA bundle
//   esp/sa/<spi>, secret/esp/sa/<spi>  one per direction, in esp/sa_record.h's format
//   ike/initiate/<id>                  a request from `ikeview initiate` (state machine below)
// Values are JSON objects (fields below, in records.cpp); times are unix seconds ("expires",
// "created").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ike/events.h"
#include "policy/algorithms.h"

namespace ipseckit::ikeview {

using Json = nlohmann::json;

inline constexpr const char* kMmPrefix = "ike/mm/";
inline constexpr const char* kMmSecretPrefix = "secret/ike/mm/";
inline constexpr const char* kQmPrefix = "ike/qm/";
inline constexpr const char* kInitiatePrefix = "ike/initiate/";
inline constexpr const char* kAcquirePrefix = "acquire/";
inline constexpr const char* kEspExpirePrefix = "esp/expire/";  // espd's lifetime events (tools/espd)

std::int64_t unix_now();
std::string cookies_hex(const ike::isakmp::Cookie& ci, const ike::isakmp::Cookie& cr);
std::string spi_hex(std::uint32_t spi);
std::string mm_key(const ike::Phase1Info& i);
std::string qm_key(const ike::Phase2Info& i);

// "3des-cbc", "aes-128-cbc"; "sha1", "sha256"; "psk", "cert"
std::string ike_encryption_name(ike::isakmp::IkeEncryption e, std::optional<std::uint16_t> bits);
std::string ike_integrity_name(ike::isakmp::IkeHash h);
std::string ike_auth_name(ike::isakmp::IkeAuthMethod a);

// The policy model's algorithms of one phase-2 protocol (nullopt: not expressible).
std::optional<policy::Cipher> esp_cipher(const ike::ChildProto& p);
std::optional<policy::Integrity> child_integrity(const ike::ChildProto& p);

// The records as JSON text in store::to_text()'s form (base/json_text.h), for
// store::TxnOp::put_text(); `now` (unix seconds) is "created". Readers that need a tree parse.
std::string mm_record(const ike::Phase1Info& i, std::string_view state, std::int64_t now);
std::string mm_secret(const ike::Phase1Info& i);
std::string qm_record(const ike::Phase2Info& i, std::string_view state, std::int64_t now);

}  // namespace ipseckit::ikeview
