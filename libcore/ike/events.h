// What the engine reports: SAs that came up or went away (ikeview writes them to the store,
// keys under secret/), and the event log, one line per negotiation step and per failure, in
// words an admin can act on. Keys travel only in SecureBytes and are never logged below
// log::Level::priv.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/secure_bytes.h"
#include "ike/types.h"
#include "wire/isakmp_attributes.h"
#include "wire/isakmp_header.h"

namespace ipseckit::ike {

struct Phase1Info {
  std::uint64_t id = 0;  // the engine's serial number of this IKE SA ("IKE SA #3")
  isakmp::Cookie cky_i{}, cky_r{};
  Endpoint local, remote;
  bool initiator = false;
  std::string rule;
  isakmp::IkeEncryption encryption = isakmp::IkeEncryption::des3_cbc;
  std::optional<std::uint16_t> key_length;  // bits, AES
  isakmp::IkeHash hash = isakmp::IkeHash::sha1;
  isakmp::GroupDescription group = isakmp::GroupDescription::modp1024;
  isakmp::IkeAuthMethod auth = isakmp::IkeAuthMethod::psk;
  std::string local_id, peer_id;  // IdPayload::str()
  std::uint64_t life_seconds = 0;
  std::uint64_t life_kilobytes = 0;  // 0 = none
  bool nat_local = false, nat_remote = false;  // RFC 3947 NAT-D results
  bool aggressive = false;  // negotiated in Aggressive Mode (RFC 2409 5) rather than Main Mode
  SecureBytes encryption_key;  // Ka (wireshark's ikev1_decryption_table needs it with CKY-I)
  std::string describe() const;  // "AES-128/SHA-1/group 14, pre-shared key"
};

// One protocol of a phase-2 SA bundle (ESP, AH, or both when the offer combines them).
struct ChildProto {
  isakmp::ProtocolId protocol = isakmp::ProtocolId::esp;
  std::uint32_t spi_in = 0;   // we chose it; the peer sends with it
  std::uint32_t spi_out = 0;  // the peer chose it; we send with it
  std::uint8_t transform = 0;  // EspTransformId / AhTransformId
  std::optional<std::uint16_t> key_length;
  std::optional<isakmp::AuthAlgorithm> auth;
  SecureBytes enc_in, integ_in;    // keys for traffic we receive (KEYMAT of spi_in)
  SecureBytes enc_out, integ_out;  // keys for traffic we send (KEYMAT of spi_out)
};

struct Phase2Info {
  std::uint64_t id = 0;         // "QM SA #7"
  std::uint64_t phase1_id = 0;  // the IKE SA that negotiated it
  Endpoint local, remote;
  bool initiator = false;
  std::string rule;
  isakmp::EncapsulationMode mode = isakmp::EncapsulationMode::tunnel;  // as negotiated (RFC or draft value)
  bool tunnel = true;
  bool udp_encap = false;
  TrafficSelector local_ts, remote_ts;
  std::optional<isakmp::GroupDescription> pfs_group;
  std::uint64_t life_seconds = 0;
  std::uint64_t life_kilobytes = 0;  // 0 = none
  std::vector<ChildProto> protos;
  // RFC 3947 5.2: the peer's original address from its NAT-OA payload (transport mode
  // through a NAT; the data plane needs it for the TCP/UDP checksum fix-up, RFC 3948 3.1.2).
  std::optional<wire::IpAddr> nat_oa_peer;
  std::string describe() const;  // "ESP AES-128/SHA-1 tunnel, SPIs c0ffee01 in / 0ae6a6f6 out"
};

struct LogEvent {
  log::Level level = log::Level::control;
  std::string sa;    // "IKE SA #3" or "" for the engine itself
  std::string text;  // the whole line as logged
};

struct Callbacks {
  std::function<void(const Phase1Info&)> phase1_up;
  std::function<void(const Phase1Info&, std::string_view reason)> phase1_down;
  std::function<void(const Phase2Info&)> phase2_up;
  std::function<void(const Phase2Info&, std::string_view reason)> phase2_down;
  std::function<void(const LogEvent&)> event;  // besides log::write(Subsys::ike, ...)
  // A phase-2 SA's endpoints changed (NAT-T: the peer's NAT mapped it to a new address or
  // port, RFC 3947 4); the data plane must send ESP-in-UDP to the new info.remote.
  std::function<void(const Phase2Info&)> phase2_moved;
};

}  // namespace ipseckit::ike
