#include "ikeview/esp_records.h"

#include <fmt/format.h>

#include "ike/config.h"
#include "ikeview/records.h"

namespace ipseckit::ikeview {

namespace isakmp = ike::isakmp;

namespace {

SecureBytes concat(const SecureBytes& a, const SecureBytes& b) {
  std::vector<std::uint8_t> v(a.data(), a.data() + a.size());
  v.insert(v.end(), b.data(), b.data() + b.size());
  return SecureBytes(std::move(v));
}

Result<esp::EncodedSa> one_direction(const ike::Phase2Info& i, bool inbound, std::int64_t created) {
  esp::SaConfig c;
  c.mode = i.tunnel ? esp::Mode::tunnel : esp::Mode::transport;
  c.local = i.local.addr;
  c.remote = i.remote.addr;
  c.replay_window = inbound ? 64 : 0;
  // The engine rekeys and deletes by time (RFC 2407 4.5); the data plane enforces the hard
  // limits as a backstop.
  c.lifetime.hard_seconds = i.life_seconds;
  c.lifetime.hard_bytes = i.life_kilobytes * 1024;
  // Kilobytes only the data plane counts: its soft event (esp/expire/<spi>) makes the
  // daemon rekey (daemon_expire.cpp) at the engine's rekey fraction.
  c.lifetime.soft_bytes = static_cast<std::uint64_t>(static_cast<double>(c.lifetime.hard_bytes) *
                                                     ike::EngineConfig{}.rekey_fraction);
  for (const auto& p : i.protos) {
    const std::uint32_t spi = inbound ? p.spi_in : p.spi_out;
    const SecureBytes& enc = inbound ? p.enc_in : p.enc_out;
    const SecureBytes& integ = inbound ? p.integ_in : p.integ_out;
    auto integrity = child_integrity(p);
    if (!integrity) return Error::make("config", fmt::format("SPI {}: integrity not supported by the data plane", spi_hex(spi)));
    if (p.protocol == isakmp::ProtocolId::esp) {
      auto cipher = esp_cipher(p);
      if (!cipher)
        return Error::make("config", fmt::format("SPI {}: ESP transform {} not supported by the data plane", spi_hex(spi),
                                                 static_cast<unsigned>(p.transform)));
      c.esp = esp::EspParams{spi, policy::EspTransform{*cipher, *integrity}, concat(enc, integ)};
    } else if (p.protocol == isakmp::ProtocolId::ah) {
      c.ah = esp::AhParams{spi, *integrity, integ.clone()};
    }
  }
  if (c.esp && i.udp_encap) c.udp_encap = esp::UdpEncapParams{i.local.port, i.remote.port, std::nullopt, std::nullopt};
  esp::SaMeta m;
  m.direction = inbound ? esp::SaDirection::in : esp::SaDirection::out;
  m.origin = esp::SaOrigin::ike;
  if (!i.rule.empty()) m.rule = i.rule;
  m.selectors = esp::SaSelectors{i.local_ts.prefix, i.remote_ts.prefix, i.local_ts.protocol ? i.local_ts.protocol : i.remote_ts.protocol,
                                 i.local_ts.port, i.remote_ts.port};
  m.created = created;
  return esp::encode_sa(c, m);
}

}  // namespace

Result<std::vector<esp::EncodedSa>> esp_records(const ike::Phase2Info& i, std::int64_t created) {
  std::vector<esp::EncodedSa> out;
  for (bool inbound : {true, false}) {
    auto e = one_direction(i, inbound, created);
    if (!e) return std::move(e).error();
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace ipseckit::ikeview
