#include <doctest/doctest.h>

#include <fmt/format.h>

#include "unit/ikecrypto/vec_file.h"
#include "wire/isakmp_attributes.h"
#include "wire/isakmp_types.h"
#include "wire/isakmp_vendor.h"

using namespace ipseckit;
using namespace ipseckit::wire::isakmp;
using ipseckit::test::hex_bytes;

TEST_CASE("registries: names, numbers and <unknown:N>") {
  CHECK(to_string(ExchangeType::main_mode) == "ID_PROT");
  CHECK(to_string(ExchangeType::quick_mode) == "QUICK_MODE");
  CHECK(to_string(static_cast<ExchangeType>(77)) == "<unknown:77>");
  CHECK(raw(PayloadType::nat_d) == 20);
  CHECK(raw(PayloadType::nat_oa) == 21);
  CHECK(raw(PayloadType::nat_d_draft) == 130);
  CHECK(raw(PayloadType::nat_oa_draft) == 131);
  CHECK(raw(PayloadType::fragment) == 132);
  CHECK(to_string(PayloadType::nat_d_draft) == "NAT-D(draft)");
  CHECK(to_string(static_cast<PayloadType>(200)) == "<unknown:200>");
  CHECK(raw(NotifyType::dpd_r_u_there) == 36136);
  CHECK(raw(NotifyType::dpd_r_u_there_ack) == 36137);
  CHECK(raw(NotifyType::initial_contact) == 24578);
  CHECK(raw(NotifyType::payload_malformed) == 16);
  CHECK(to_string(NotifyType::no_proposal_chosen) == "NO-PROPOSAL-CHOSEN");
  CHECK(to_string(static_cast<NotifyType>(40000)) == "<unknown:40000>");
  CHECK(is_error(NotifyType::invalid_payload_type));
  CHECK(is_error(NotifyType::unequal_payload_lengths));
  CHECK_FALSE(is_error(NotifyType::initial_contact));
  CHECK_FALSE(is_error(NotifyType::dpd_r_u_there));
  CHECK(raw(EncapsulationMode::udp_tunnel) == 3);
  CHECK(raw(EncapsulationMode::udp_transport) == 4);
  CHECK(raw(EncapsulationMode::udp_tunnel_draft) == 61443);
  CHECK(raw(EncapsulationMode::udp_transport_draft) == 61444);
  CHECK(is_tunnel(EncapsulationMode::udp_tunnel_draft));
  CHECK_FALSE(is_tunnel(EncapsulationMode::udp_transport));
  CHECK(is_udp_encapsulated(EncapsulationMode::udp_transport_draft));
  CHECK_FALSE(is_udp_encapsulated(EncapsulationMode::tunnel));
  CHECK(to_string(IkeEncryption::aes_cbc) == "AES-CBC");
  CHECK(to_string(GroupDescription::modp2048) == "MODP-2048 (group 14)");
  CHECK(to_string(IkeAuthMethod::xauth_init_psk) == to_string(IkeAuthMethod::gssapi_kerberos));
  CHECK(to_string(IdType::der_asn1_dn) == "ID_DER_ASN1_DN");
  CHECK(to_string(EspTransformId::aes_gcm_16) == "ESP_AES-GCM_16");
  CHECK(to_string(static_cast<EspTransformId>(17)) == "<unknown:17>");
  CHECK(to_string(AhTransformId::sha) == "AH_SHA");
  CHECK(to_string(IpsecAttr::extended_seq_number) == "Extended (64-bit) Sequence Number");
  CHECK(to_string(CertEncoding::x509_signature) == "X.509 Certificate - Signature");
  CHECK(is_basic(IkeAttr::encryption));
  CHECK_FALSE(is_basic(IkeAttr::life_duration));
  CHECK_FALSE(is_basic(IpsecAttr::sa_life_duration));
}

TEST_CASE("every name table entry is unique and round-trips through known_name") {
  auto check = [](const auto& table) {
    for (std::size_t i = 0; i < table.size(); ++i) {
      CHECK(known_name(table[i].value) == table[i].name);
      for (std::size_t j = i + 1; j < table.size(); ++j) CHECK(table[i].value != table[j].value);
    }
  };
  check(kExchangeTypeNames);
  check(kPayloadTypeNames);
  check(kNotifyTypeNames);
  check(kProtocolIdNames);
  check(kIdTypeNames);
  check(kCertEncodingNames);
  check(kIkeAttrNames);
  check(kIkeEncryptionNames);
  check(kIkeHashNames);
  check(kIkeAuthMethodNames);
  check(kGroupDescriptionNames);
  check(kIpsecAttrNames);
  check(kEncapsulationModeNames);
  check(kAuthAlgorithmNames);
  check(kAhTransformIdNames);
  check(kEspTransformIdNames);
  check(kIpcompTransformIdNames);
}

TEST_CASE("fmt formatters print registry names") {
  CHECK(fmt::format("{}", PayloadType::sa) == "SA");
  CHECK(fmt::format("[{:>6}]", PayloadType::ke) == "[    KE]");
  CHECK(fmt::format("{}", static_cast<NotifyType>(9999)) == "<unknown:9999>");
  CHECK(fmt::format("{} {}", ProtocolId::esp, EncapsulationMode::udp_tunnel) ==
        "PROTO_IPSEC_ESP UDP-Encapsulated-Tunnel");
}

TEST_CASE("vendor IDs: the table's hashes and prefix matches") {
  CHECK(identify_vendor(hex_bytes("4a131c81070358455c5728f20e95452f")) == KnownVendor::nat_t_rfc3947);
  CHECK(identify_vendor(hex_bytes("90cb80913ebb696e086381b5ec427b1f")) == KnownVendor::nat_t_draft_02n);
  CHECK(identify_vendor(hex_bytes("cd60464335df21f87cfdb2fc68b6a448")) == KnownVendor::nat_t_draft_02);
  CHECK(identify_vendor(hex_bytes("7d9419a65310ca6f2c179d9215529d56")) == KnownVendor::nat_t_draft_03);
  CHECK(identify_vendor(hex_bytes("afcad71368a1f1c96b8696fc77570100")) == KnownVendor::dpd);
  CHECK(identify_vendor(hex_bytes("09002689dfd6b712")) == KnownVendor::xauth);
  // strongSwan appends capability bits to FRAGMENTATION; Windows sends the bare hash.
  CHECK(identify_vendor(hex_bytes("4048b7d56ebce88525e7de7f00d6c2d380000000")) == KnownVendor::fragmentation);
  CHECK(identify_vendor(hex_bytes("4048b7d56ebce88525e7de7f00d6c2d3")) == KnownVendor::fragmentation);
  CHECK(describe_vendor_id(hex_bytes("4048b7d56ebce88525e7de7f00d6c2d380000000")) ==
        "FRAGMENTATION (capabilities 80000000)");
  CHECK(describe_vendor_id(hex_bytes("1e2b516905991c7d7c96fcbfb587e46100000002")) ==
        "MS NT5 ISAKMPOAKLEY (Windows 2000)");
  CHECK(describe_vendor_id(hex_bytes("1e2b516905991c7d7c96fcbfb587e46100000063")) ==
        "MS NT5 ISAKMPOAKLEY (version 99)");
  // A fixed-length VID with extra bytes is not that VID.
  CHECK_FALSE(identify_vendor(hex_bytes("afcad71368a1f1c96b8696fc7757010000")).has_value());
  CHECK_FALSE(identify_vendor(hex_bytes("afcad713")).has_value());
  CHECK(describe_vendor_id(hex_bytes("0102")) == "unknown 0102");
  for (const auto& v : kVendorIds) CHECK(identify_vendor(vendor_id_bytes(v.vendor)) == v.vendor);
  CHECK(to_hex(vendor_id_bytes(KnownVendor::ms_nt5_isakmpoakley)) == "1e2b516905991c7d7c96fcbfb587e46100000002");
}
